#include "index/ranking.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "askalike/error.hpp"
#include "askalike/validate.hpp"

namespace askalike {

namespace {

// The shortest length BM25 normalises to, as a share of the average (as
// Xapian's min_normlen): a one-word title does not weigh triple.
constexpr double kMinimumNormalisedLength = 0.5;

// BM25's k3 (query-frequency saturation): 1 gives a word said twice in the
// question 4/3 of the weight, as before.
constexpr double kQueryFrequencySaturation = 1.0;

const char* const kWeightKeys[kFieldCount] = {"title_weight", "question_weight", "answer_weight"};

double& weight_of(RankingOptions& o, int field) {
  return field == kTitleField ? o.title_weight : field == kQuestionField ? o.question_weight : o.answer_weight;
}
double weight_of(const RankingOptions& o, int field) { return weight_of(const_cast<RankingOptions&>(o), field); }

}  // namespace

bool same(const RankingOptions& a, const RankingOptions& b) {
  for (int f = 0; f < kFieldCount; ++f)
    if (weight_of(a, f) != weight_of(b, f)) return false;
  return a.bm25_b == b.bm25_b;
}

std::string RankingSettings::serialize() const {
  nlohmann::ordered_json j;
  for (int f = 0; f < kFieldCount; ++f) j[kWeightKeys[f]] = weight_of(options, f);
  j["bm25_b"] = options.bm25_b;
  j["scale"] = scale;
  return j.dump();
}

RankingSettings RankingSettings::deserialize(const std::string& text) {
  RankingSettings s;
  try {
    auto j = nlohmann::json::parse(text);
    for (int f = 0; f < kFieldCount; ++f) weight_of(s.options, f) = j.at(kWeightKeys[f]).get<double>();
    s.options.bm25_b = j.at("bm25_b").get<double>();
    s.scale = j.at("scale").get<double>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kCorrupt, std::string("unreadable ranking settings in the database: ") + e.what());
  }
  // askalike writes 1000; anything from 1 to a million keeps every wdf
  // (and the question-type term's, which is the scale) within a termcount.
  if (!(s.scale >= 1.0 && s.scale <= 1e6))
    throw Error(ErrorCode::kCorrupt, "unreadable ranking settings in the database: scale outside 1..1e6");
  validate(s.options);
  return s;
}

void FieldTotals::add(const FieldLengths& l) {
  for (int f = 0; f < kFieldCount; ++f)
    if (l[f] > 0) length[f] += l[f], records[f] += 1;
}

void FieldTotals::remove(const FieldLengths& l) {
  for (int f = 0; f < kFieldCount; ++f)
    if (l[f] > 0) length[f] = std::max<std::int64_t>(length[f] - l[f], 0), records[f] = std::max<std::int64_t>(records[f] - 1, 0);
}

std::array<double, kFieldCount> FieldTotals::averages() const {
  std::array<double, kFieldCount> out{};
  for (int f = 0; f < kFieldCount; ++f)
    out[f] = records[f] > 0 ? std::max(1.0, static_cast<double>(length[f]) / records[f]) : 1.0;
  return out;
}

std::string FieldTotals::serialize() const {
  nlohmann::json j;
  j["length"] = length;
  j["records"] = records;
  return j.dump();
}

namespace {

// Counts that no database reaches (2^53: exact as doubles) would overflow
// when records are added.
constexpr std::int64_t kMaxTotal = std::int64_t(1) << 53;

// A stored list of one count per field. Whole numbers only: nlohmann's own
// conversion of a JSON float such as 4.6e22 to an integer is undefined
// behaviour (fuzz finding F9).
std::array<std::int64_t, kFieldCount> counts_of(const nlohmann::json& list) {
  if (!list.is_array() || list.size() != kFieldCount)
    throw Error(ErrorCode::kCorrupt, "unreadable field lengths in the database: not one count per field");
  std::array<std::int64_t, kFieldCount> out{};
  for (int f = 0; f < kFieldCount; ++f) {
    const nlohmann::json& v = list[f];
    if (v.is_number_unsigned())
      out[f] = v.get<std::uint64_t>() > static_cast<std::uint64_t>(kMaxTotal) ? -1 : v.get<std::int64_t>();
    else if (v.is_number_integer())
      out[f] = v.get<std::int64_t>();
    else
      throw Error(ErrorCode::kCorrupt, "unreadable field lengths in the database: a count is not a whole number");
  }
  return out;
}

}  // namespace

FieldTotals FieldTotals::deserialize(const std::string& text) {
  FieldTotals t;
  if (text.empty()) return t;
  try {
    auto j = nlohmann::json::parse(text);
    t.length = counts_of(j.at("length"));
    t.records = counts_of(j.at("records"));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kCorrupt, std::string("unreadable field lengths in the database: ") + e.what());
  }
  for (int f = 0; f < kFieldCount; ++f)
    if (t.length[f] < 0 || t.length[f] > kMaxTotal || t.records[f] < 0 || t.records[f] > kMaxTotal)
      throw Error(ErrorCode::kCorrupt, "unreadable field lengths in the database: a total is below 0 or above 2^53");
  return t;
}

Xapian::termcount ranking_wdf(const FieldLengths& counts, const FieldLengths& lengths,
                              const std::array<double, kFieldCount>& averages, const RankingSettings& settings) {
  const double b = settings.options.bm25_b;
  double tf = 0.0;
  for (int f = 0; f < kFieldCount; ++f) {
    if (counts[f] == 0) continue;
    double normalised = std::max(lengths[f] / averages[f], kMinimumNormalisedLength);
    tf += weight_of(settings.options, f) * counts[f] / ((1.0 - b) + b * normalised);
  }
  if (tf <= 0.0) return 0;  // only in fields weighted 0: not searchable
  // A word the record has keeps at least 1, however light its fields.
  double wdf = std::round(tf * settings.scale);
  return static_cast<Xapian::termcount>(std::clamp(wdf, 1.0, 1e9));
}

double bm25_idf(double records, double termfreq) {
  double tw = (records - termfreq + 0.5) / (termfreq + 0.5);
  if (tw < 2) tw = tw * 0.5 + 1;
  return std::log(tw);
}

Xapian::Query maybe_branch(const Xapian::Query& branch) {
  // Built here, not copied from Xapian::Query::MatchAll: Xapian's reference
  // counts are not atomic, and searches on several threads copying that one
  // static object corrupted its count and crashed (a segfault in
  // similar_batch, found by CI).
  const Xapian::Query every_record(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(std::string()), 0.0);
  return Xapian::Query(Xapian::Query::OP_OR, branch, every_record);
}

Xapian::Query plain_leaf(const std::string& term, Xapian::termcount wqf) { return Xapian::Query(term, wqf); }

RankingQuery::RankingQuery(const RankingSettings& settings, double k1)
    // b = 0: the wdf is already length-normalised; min_normlen unused then.
    : weight_(k1 * settings.scale, 0.0, kQueryFrequencySaturation, 0.0, kMinimumNormalisedLength),
      factor_((k1 + 1.0) / (k1 * settings.scale + 1.0)) {}

}  // namespace askalike
