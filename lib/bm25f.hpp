// BM25F: a record's title, question and answer scored as one text, each
// field's term frequency normalised by that field's own length.
//
// Xapian's BM25 knows one length per document, so a record with a long answer
// would have its title and question matches divided down by the answer's
// length. Here each query word is one Xapian::PostingSource that walks the
// word's postings in all three fields and applies
//
//   tf'   = sum over fields f of  w_f * tf_f / ((1 - b) + b * len_f / avglen_f)
//   score = idf * (k1 + 1) * tf' / (k1 + tf')
//
// (Robertson, Zaragoza and Taylor, "Simple BM25 extension to multiple
// weighted fields", CIKM 2004). With one field it is Xapian's BM25.
#ifndef ASKALIKE_LIB_BM25F_HPP_
#define ASKALIKE_LIB_BM25F_HPP_

#include <xapian.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace askalike {

enum Field { kTitleField = 0, kQuestionField = 1, kAnswerField = 2 };
inline constexpr int kFieldCount = 3;

// Every record's field lengths in one database, by document id, and their
// averages. Loaded once per database handle.
class FieldLengthTable {
 public:
  explicit FieldLengthTable(const Xapian::Database& db);
  // Lengths of document `did` (zeros for an unknown id).
  const std::array<std::uint16_t, kFieldCount>& lengths(Xapian::docid did) const {
    return did < lengths_.size() ? lengths_[did] : zero_;
  }
  // Mean length over the records that have the field (at least 1).
  double average(int field) const { return average_[field]; }

 private:
  std::vector<std::array<std::uint16_t, kFieldCount>> lengths_;
  std::array<std::uint16_t, kFieldCount> zero_{};
  std::array<double, kFieldCount> average_{};
};

// The length tables of the databases one Xapian handle reads (one per shard
// when the handle names several). Not thread-safe: one per search context.
class FieldLengthCache {
 public:
  std::shared_ptr<const FieldLengthTable> get(const Xapian::Database& db);

 private:
  std::map<std::string, std::shared_ptr<const FieldLengthTable>> tables_;  // by database UUID
};

struct Bm25fParameters {
  std::array<double, kFieldCount> weight{{1.0, 1.0, 0.1}};  // as SearchOptions
  double k1 = 1.2;
  double b = 0.75;
};

// One query word over the three fields. `prefixes` are the index prefixes of
// title, question and answer.
class Bm25fSource : public Xapian::PostingSource {
 public:
  // Statistics (record count, document frequencies, average lengths) come
  // from `whole`, the database as searched: when it names several shards,
  // every shard scores with the same, global, figures.
  Bm25fSource(std::string word, Xapian::termcount query_frequency, const Bm25fParameters& parameters,
              std::shared_ptr<FieldLengthCache> cache, const Xapian::Database& whole);

  void init(const Xapian::Database& db) override;
  Xapian::doccount get_termfreq_min() const override;
  Xapian::doccount get_termfreq_est() const override;
  Xapian::doccount get_termfreq_max() const override;
  void next(double min_weight) override;
  void skip_to(Xapian::docid did, double min_weight) override;
  bool at_end() const override { return current_ == 0 && started_; }
  Xapian::docid get_docid() const override { return current_; }
  double get_weight() const override;
  Xapian::PostingSource* clone() const override;
  std::string get_description() const override { return "Bm25fSource(" + word_ + ")"; }

 private:
  struct Cursor {  // one field's postings of the word
    Xapian::PostingIterator it, end;
    Xapian::docid at = 0;  // *it, kept (each * is a library call); 0 when exhausted
    void refresh() { at = it != end ? *it : 0; }
  };
  // How a record's counts become a score; fixed when the query is built.
  struct Scoring {
    std::array<double, kFieldCount> weight{};           // field weights (0: field not searched)
    std::array<double, kFieldCount> inverse_average{};  // 1 / the field's average length
    double k1 = 0.0, b = 0.0;
    double term_weight = 0.0;                           // idf x query-frequency factor x (k1 + 1)
  };
  Bm25fSource(std::string word, const Scoring& scoring, std::shared_ptr<FieldLengthCache> cache);
  void settle();  // current_ = the smallest docid among the live cursors

  std::string word_;
  Scoring scoring_;
  std::shared_ptr<FieldLengthCache> cache_;
  std::shared_ptr<const FieldLengthTable> table_;  // of the database (shard) being read
  std::array<Cursor, kFieldCount> cursors_;
  std::array<Xapian::doccount, kFieldCount> frequency_{};  // in this shard, for the matcher's estimates
  Xapian::doccount documents_ = 0;                         // in this shard
  Xapian::docid current_ = 0;
  bool started_ = false;
};

}  // namespace askalike

#endif  // ASKALIKE_LIB_BM25F_HPP_
