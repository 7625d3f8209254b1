#include "bm25f.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <limits>

#include "schema.hpp"

namespace askalike {

namespace {

static_assert(std::size(schema::kFieldPrefixes) == kFieldCount, "one prefix per field");

// Lengths are kept in 16 bits: past 65535 terms a field is simply "very long".
std::uint16_t clamp16(std::uint32_t n) {
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(n, std::numeric_limits<std::uint16_t>::max()));
}

// Xapian's BM25 idf, so that a one-field record ranks exactly as with
// Xapian::BM25Weight: log((N - n + 0.5) / (n + 0.5)), kept positive for
// words in more than half the records.
double bm25_idf(double documents, double frequency) {
  double ratio = (documents - frequency + 0.5) / (frequency + 0.5);
  if (ratio < 2.0) ratio = ratio * 0.5 + 1.0;
  return std::log(ratio);
}

// The shortest length BM25 normalises to, as a share of the average (as
// Xapian's min_normlen): a one-word title does not weigh triple.
constexpr double kMinimumNormalisedLength = 0.5;

}  // namespace

FieldLengthTable::FieldLengthTable(const Xapian::Database& db) {
  lengths_.resize(static_cast<std::size_t>(db.get_lastdocid()) + 1, zero_);
  std::array<double, kFieldCount> total{}, count{};
  for (auto v = db.valuestream_begin(schema::kFieldLengthsSlot); v != db.valuestream_end(schema::kFieldLengthsSlot);
       ++v) {
    schema::FieldLengths l = schema::decode_field_lengths(*v);
    const std::uint32_t n[kFieldCount] = {l.title, l.question, l.answer};
    auto& row = lengths_[v.get_docid()];
    for (int f = 0; f < kFieldCount; ++f) {
      row[f] = clamp16(n[f]);
      if (n[f] > 0) total[f] += row[f], count[f] += 1;
    }
  }
  for (int f = 0; f < kFieldCount; ++f) average_[f] = count[f] > 0 ? std::max(1.0, total[f] / count[f]) : 1.0;
}

std::shared_ptr<const FieldLengthTable> FieldLengthCache::get(const Xapian::Database& db) {
  std::string key = db.get_uuid();
  auto it = tables_.find(key);
  if (it != tables_.end()) return it->second;
  auto table = std::make_shared<const FieldLengthTable>(db);
  tables_.emplace(key, table);
  return table;
}

Bm25fSource::Bm25fSource(std::string word, Xapian::termcount query_frequency, const Bm25fParameters& parameters,
                         std::shared_ptr<FieldLengthCache> cache, const Xapian::Database& whole)
    : word_(std::move(word)), cache_(std::move(cache)) {
  auto table = cache_->get(whole);
  double n = std::max<double>(whole.get_doccount(), 1.0);
  double absent_everywhere = 1.0;  // chance a record has the word in no field
  for (int f = 0; f < kFieldCount; ++f) {
    if (parameters.weight[f] <= 0.0) continue;
    scoring_.weight[f] = parameters.weight[f];
    scoring_.inverse_average[f] = 1.0 / table->average(f);
    absent_everywhere *= 1.0 - whole.get_termfreq(schema::kFieldPrefixes[f] + word_) / n;
  }
  // One idf for the word whichever field it is in: fields taken as
  // independent, the records with the word in any field.
  double frequency = std::max<double>(n * (1.0 - absent_everywhere), 1.0);
  double k1 = parameters.k1, q = std::max<Xapian::termcount>(query_frequency, 1);
  scoring_.k1 = k1;
  scoring_.b = parameters.b;
  scoring_.term_weight = bm25_idf(n, frequency) * (2.0 * q / (1.0 + q)) * (k1 + 1.0);
}

Bm25fSource::Bm25fSource(std::string word, const Scoring& scoring, std::shared_ptr<FieldLengthCache> cache)
    : word_(std::move(word)), scoring_(scoring), cache_(std::move(cache)) {}

Xapian::PostingSource* Bm25fSource::clone() const { return new Bm25fSource(word_, scoring_, cache_); }

void Bm25fSource::init(const Xapian::Database& db) {
  table_ = cache_->get(db);
  documents_ = db.get_doccount();
  for (int f = 0; f < kFieldCount; ++f) {
    Cursor& c = cursors_[f];
    c.at = 0;
    frequency_[f] = 0;
    if (scoring_.weight[f] <= 0.0) continue;
    std::string term = schema::kFieldPrefixes[f] + word_;
    frequency_[f] = db.get_termfreq(term);
    if (frequency_[f] == 0) continue;
    c.it = db.postlist_begin(term);
    c.end = db.postlist_end(term);
    c.refresh();
  }
  set_maxweight(scoring_.term_weight);
  current_ = 0;
  started_ = false;
}

Xapian::doccount Bm25fSource::get_termfreq_min() const {
  return *std::max_element(frequency_.begin(), frequency_.end());
}

Xapian::doccount Bm25fSource::get_termfreq_max() const {
  Xapian::doccount sum = 0;
  for (Xapian::doccount f : frequency_) sum += f;
  return std::min(sum, documents_);
}

Xapian::doccount Bm25fSource::get_termfreq_est() const {
  double absent = 1.0, n = std::max<double>(documents_, 1.0);
  for (Xapian::doccount f : frequency_) absent *= 1.0 - f / n;
  auto est = static_cast<Xapian::doccount>(n * (1.0 - absent) + 0.5);
  return std::clamp(est, get_termfreq_min(), get_termfreq_max());
}

void Bm25fSource::settle() {
  current_ = 0;
  for (const Cursor& c : cursors_)
    if (c.at != 0 && (current_ == 0 || c.at < current_)) current_ = c.at;
}

void Bm25fSource::next(double) {
  if (started_) {
    for (Cursor& c : cursors_)
      if (c.at != 0 && c.at == current_) {
        ++c.it;
        c.refresh();
      }
  }
  started_ = true;
  settle();
}

void Bm25fSource::skip_to(Xapian::docid did, double) {
  started_ = true;
  for (Cursor& c : cursors_) {
    if (c.at == 0 || c.at >= did) continue;
    c.it.skip_to(did);
    c.refresh();
  }
  settle();
}

double Bm25fSource::get_weight() const {
  if (current_ == 0) return 0.0;
  const auto& length = table_->lengths(current_);
  const double b = scoring_.b;
  double tf = 0.0;
  for (int f = 0; f < kFieldCount; ++f) {
    const Cursor& c = cursors_[f];
    if (c.at != current_) continue;
    double normalised = std::max(length[f] * scoring_.inverse_average[f], kMinimumNormalisedLength);
    tf += scoring_.weight[f] * c.it.get_wdf() / ((1.0 - b) + b * normalised);
  }
  if (tf <= 0.0) return 0.0;
  return scoring_.term_weight * tf / (scoring_.k1 + tf);
}

}  // namespace askalike
