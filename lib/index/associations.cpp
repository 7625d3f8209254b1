#include "index/associations.hpp"

#include "storage/record_codec.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "askalike/error.hpp"
#include "index/document.hpp"
#include "storage/schema.hpp"
#include "util/stored_json.hpp"

namespace askalike::associations {

namespace {

// Xapian refuses longer metadata keys.
constexpr std::size_t kMaxKeyBytes = 240;
constexpr std::size_t kMaxTermBytes = 245;

[[noreturn]] void damaged(const std::string& what) {
  throw Error(ErrorCode::kCorrupt, "unreadable word associations in the database: " + what);
}

// Words numbered, so that pairs of them are one 64-bit key.
class Vocabulary {
 public:
  std::uint32_t id(const std::string& word) {
    auto [it, inserted] = ids_.emplace(word, static_cast<std::uint32_t>(words_.size()));
    if (inserted) words_.push_back(word);
    return it->second;
  }
  const std::string& word(std::uint32_t id) const { return words_[id]; }
  std::size_t size() const { return words_.size(); }

 private:
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> words_;
};

struct RecordWords {
  std::vector<std::uint32_t> question, answer;  // distinct words of title + question, of the answer
};

void remove_table(Xapian::WritableDatabase& db) {
  std::vector<std::string> keys;
  for (auto it = db.metadata_keys_begin(kWordKeyPrefix); it != db.metadata_keys_end(kWordKeyPrefix); ++it)
    keys.push_back(*it);
  for (const std::string& k : keys) db.set_metadata(k, "");
  db.set_metadata(kInfoKey, "");
}

}  // namespace

LearnReport learn(const Xapian::Database& db, const std::string& path, std::vector<Xapian::WritableDatabase>& stores,
                  Analyzer& analyzer, const LearnOptions& options) {
  LearnReport report;
  const std::size_t total = db.get_doccount();
  RecordDecoder decoder(db, path);
  const schema::IndexFeatures words_only;  // no spelling words, no type, no embedding
  Vocabulary vocabulary;
  std::vector<std::uint32_t> question_df, answer_df;
  std::vector<RecordWords> records;
  records.reserve(total);

  // Pass 1: each record's question words and answer words, and their counts.
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    AnalysedRecord analysed =
        analyse_record(schema::record_of(decoder.json(db.get_document(*it).get_data())), analyzer, words_only);
    RecordWords words;
    for (const auto& [word, counts] : analysed.words) {
      bool in_question = counts[kTitleField] > 0 || counts[kQuestionField] > 0;
      bool in_answer = counts[kAnswerField] > 0;
      if (!in_question && !in_answer) continue;
      std::uint32_t id = vocabulary.id(word);
      if (id >= question_df.size()) question_df.resize(id + 1), answer_df.resize(id + 1);
      if (in_question) words.question.push_back(id), ++question_df[id];
      if (in_answer) words.answer.push_back(id), ++answer_df[id];
    }
    records.push_back(std::move(words));
    ++report.records;
    if (options.progress && report.records % options.progress_every == 0) options.progress(report.records, total);
  }

  // Pass 2: pairs, over the words seen often enough to teach anything and
  // each answer's most specific such words.
  const std::uint32_t min = static_cast<std::uint32_t>(options.min_records);
  std::unordered_map<std::uint64_t, std::uint32_t> pairs;
  for (RecordWords& r : records) {
    auto& answer = r.answer;
    answer.erase(std::remove_if(answer.begin(), answer.end(), [&](std::uint32_t a) { return answer_df[a] < min; }),
                 answer.end());
    if (answer.size() > options.answer_words) {
      std::nth_element(answer.begin(), answer.begin() + options.answer_words, answer.end(),
                       [&](std::uint32_t a, std::uint32_t b) { return answer_df[a] < answer_df[b]; });
      answer.resize(options.answer_words);
    }
    for (std::uint32_t q : r.question) {
      if (question_df[q] < min) continue;
      for (std::uint32_t a : answer)
        if (a != q) ++pairs[(std::uint64_t{q} << 32) | a];
    }
    r = RecordWords();  // done with it: give the memory back
  }

  const double n = static_cast<double>(std::max<std::size_t>(report.records, 1));
  std::unordered_map<std::uint32_t, std::vector<std::pair<double, std::uint32_t>>> by_word;
  for (const auto& [key, count] : pairs) {
    if (count < min) continue;
    std::uint32_t q = static_cast<std::uint32_t>(key >> 32), a = static_cast<std::uint32_t>(key);
    double strength = count / (question_df[q] + static_cast<double>(min)) - answer_df[a] / n;
    if (strength > 0.0) by_word[q].emplace_back(strength, a);
  }
  pairs.clear();

  std::vector<std::pair<std::string, std::string>> table;  // written to every store below
  for (auto& [q, list] : by_word) {
    const std::string key = kWordKeyPrefix + vocabulary.word(q);
    if (key.size() > kMaxKeyBytes) continue;
    std::size_t keep = std::min({list.size(), options.per_word, kMaxPerWord});
    std::partial_sort(list.begin(), list.begin() + keep, list.end(), [&](const auto& x, const auto& y) {
      return x.first != y.first ? x.first > y.first : vocabulary.word(x.second) < vocabulary.word(y.second);
    });
    std::string value;
    for (std::size_t i = 0; i < keep; ++i) {
      char strength[32];
      std::snprintf(strength, sizeof strength, "%.4g", list[i].first);
      value += vocabulary.word(list[i].second) + "\t" + strength + "\n";
    }
    if (value.size() > kMaxValueBytes) continue;
    table.emplace_back(key, value);
    ++report.words;
    report.associations += keep;
    report.bytes += key.size() + value.size();
  }
  nlohmann::json info;
  info["records"] = report.records;
  info["words"] = report.words;
  info["associations"] = report.associations;
  info["per_word"] = options.per_word;
  info["min_records"] = options.min_records;
  info["answer_words"] = options.answer_words;
  // Every shard holds the whole table: a stub of shards reads the first's.
  for (Xapian::WritableDatabase& store : stores) {
    remove_table(store);
    for (const auto& [key, value] : table) store.set_metadata(key, value);
    store.set_metadata(kInfoKey, info.dump());
  }
  report.bytes += std::char_traits<char>::length(kInfoKey) + info.dump().size();
  return report;
}

void copy(const Xapian::Database& from, Xapian::WritableDatabase& to) {
  const std::string info = from.get_metadata(kInfoKey);
  if (info.empty()) return;  // nothing learned
  for (auto it = from.metadata_keys_begin(kWordKeyPrefix); it != from.metadata_keys_end(kWordKeyPrefix); ++it)
    to.set_metadata(*it, from.get_metadata(*it));
  to.set_metadata(kInfoKey, info);
}

std::vector<Association> parse(const std::string& value) {
  if (value.size() > kMaxValueBytes) damaged(std::to_string(value.size()) + " bytes for one word");
  std::vector<Association> out;
  std::size_t start = 0;
  while (start < value.size()) {
    std::size_t end = value.find('\n', start);
    if (end == std::string::npos) damaged("an unterminated line");
    std::size_t tab = value.find('\t', start);
    if (tab == std::string::npos || tab >= end) damaged("a line without a tab");
    Association a;
    a.term = value.substr(start, tab - start);
    if (a.term.empty() || a.term.size() > kMaxTermBytes) damaged("a word of " + std::to_string(a.term.size()) + " bytes");
    const char* first = value.data() + tab + 1;
    const char* last = value.data() + end;
    auto [ptr, ec] = std::from_chars(first, last, a.strength);
    if (ec != std::errc() || ptr != last || !(a.strength > 0.0 && a.strength <= 1.0))
      damaged("a strength that is not a number in (0, 1]");
    out.push_back(std::move(a));
    if (out.size() > kMaxPerWord) damaged("more than " + std::to_string(kMaxPerWord) + " words for one word");
    start = end + 1;
  }
  return out;
}

std::vector<Association> read(const Xapian::Database& db, const std::string& term) {
  const std::string key = kWordKeyPrefix + term;
  if (term.empty() || key.size() > kMaxKeyBytes) return {};
  return parse(db.get_metadata(key));
}

Summary read_summary(const Xapian::Database& db) {
  std::string text = db.get_metadata(kInfoKey);
  Summary s;
  if (text.empty()) return s;
  try {
    auto j = nlohmann::json::parse(text);
    s.records = stored_json::count(j.at("records"));
    s.words = stored_json::count(j.at("words"));
  } catch (const nlohmann::json::exception& e) {
    damaged(e.what());
  }
  return s;
}

std::vector<QueryTerm> expansion(const Xapian::Database& db, const std::vector<WeightedTerm>& terms,
                                 std::size_t max, double weight) {
  if (max == 0 || weight <= 0.0 || terms.empty()) return {};
  if (db.get_metadata(kInfoKey).empty()) return {};  // nothing learned: one look-up, not one per word
  std::unordered_set<std::string> in_query;
  for (const WeightedTerm& t : terms) in_query.insert(t.term);
  std::unordered_map<std::string, double> best;  // a word associated with several query words: its strongest
  std::vector<std::string> order;                 // first seen, for stable ties
  for (const WeightedTerm& t : terms)
    for (Association& a : read(db, t.term)) {
      if (in_query.count(a.term)) continue;
      auto [it, inserted] = best.emplace(a.term, a.strength);
      if (inserted) order.push_back(a.term);
      else it->second = std::max(it->second, a.strength);
    }
  std::stable_sort(order.begin(), order.end(), [&](const std::string& x, const std::string& y) { return best[x] > best[y]; });
  std::vector<QueryTerm> out;
  for (const std::string& term : order) {
    if (out.size() >= max) break;
    if (db.get_termfreq(term) == 0) continue;  // its records were removed since
    out.push_back(QueryTerm{term, weight * best[term]});
  }
  return out;
}

}  // namespace askalike::associations
