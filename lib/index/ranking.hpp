// BM25F inside the index: how a record's words get their ranking frequency,
// and how a query scores them with Xapian's stock BM25Weight.
//
// BM25F (Robertson, Zaragoza and Taylor, "Simple BM25 extension to multiple
// weighted fields", CIKM 2004) scores a word once over the whole record:
//
//   tf'   = sum over fields f of  w_f * tf_f / ((1 - b) + b * len_f / avglen_f)
//   score = idf * (k1 + 1) * tf' / (k1 + tf')
//
// tf' depends only on the record (and the field averages), so it is computed
// when the record is indexed and stored, times a scale S and rounded, as the
// within-document frequency (wdf) of one unprefixed term per word. A query
// then uses BM25Weight(k1 * S, 0, k3, b = 0): (k1 S + 1) S tf' / (k1 S + S tf')
// = (k1 S + 1) tf' / (k1 + tf'), which is BM25F up to the constant factor
// (k1 S + 1) / (k1 + 1) that the query scales away. No custom Weight or
// PostingSource is involved, so stock Xapian servers (xapian-tcpsrv),
// shards and replicas rank an askalike database exactly as askalike does.
#ifndef ASKALIKE_LIB_RANKING_HPP_
#define ASKALIKE_LIB_RANKING_HPP_

#include <xapian.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "askalike/index.hpp"

namespace askalike {

enum Field { kTitleField = 0, kQuestionField = 1, kAnswerField = 2 };
inline constexpr int kFieldCount = 3;

// The number of indexed words in each field of one record.
using FieldLengths = std::array<std::uint32_t, kFieldCount>;

// A database's ranking settings, stored in its metadata.
struct RankingSettings {
  RankingOptions options;
  // wdf = round(scale * tf'): the precision kept of the pseudo-frequency
  // (benchmarks/quality/ABLATIONS.md has the measurement that chose it).
  double scale = 1000.0;

  std::string serialize() const;
  // Throws Error(kCorrupt) on a value it cannot read.
  static RankingSettings deserialize(const std::string& text);
};

bool same(const RankingOptions& a, const RankingOptions& b);

// The sums of the field lengths and the number of records having each field,
// kept in the metadata as records come and go: the averages that a new
// record is normalised against.
struct FieldTotals {
  std::array<std::int64_t, kFieldCount> length{}, records{};
  void add(const FieldLengths& l);
  void remove(const FieldLengths& l);
  // Mean length over the records with the field (1 when none has it).
  std::array<double, kFieldCount> averages() const;
  std::string serialize() const;
  static FieldTotals deserialize(const std::string& text);  // "" gives zeros
};

// The wdf of a word occurring `counts[f]` times in field f of a record with
// field lengths `lengths`: at least 1, or 0 when every field it is in has
// weight 0 (the record then gets no term for it).
Xapian::termcount ranking_wdf(const FieldLengths& counts, const FieldLengths& lengths,
                              const std::array<double, kFieldCount>& averages, const RankingSettings& settings);

// BM25F over the OR of `terms` (each with its query frequency as wqf):
// stock BM25Weight on the ranking terms, scaled back to BM25F scores.
class RankingQuery {
 public:
  RankingQuery(const RankingSettings& settings, double k1);
  const Xapian::BM25Weight& weight() const { return weight_; }
  // The query's scores times this are the BM25F scores.
  double score_factor() const { return factor_; }

 private:
  Xapian::BM25Weight weight_;
  double factor_;
};

// Xapian's BM25 inverse document frequency (BM25Weight::init in Xapian 1.4,
// without a relevance set): what a term held by `termfreq` of `records`
// records is weighed by, computed as Xapian computes it.
double bm25_idf(double records, double termfreq);

// Makes the query of one weighted term (a leaf of the query) for the database
// it will run on: the term itself on a database or a stub; on one shard of a
// collection searched alone, the term with its weight rescaled to the
// collection's statistics (search/shard_search.hpp).
// `branch` as the right side of an OP_AND_MAYBE, ORed with a branch that
// matches every record weighing nothing. Xapian 1.4's matcher, when pruning
// turns an AND_MAYBE into an AND while the right branch has moved past the
// left one's record, skips the record the right branch is on, which can
// belong in the top hits (tests/shards_test.cpp, "pruning"); a branch that
// matches every record stops on the left one's record and is never ahead.
Xapian::Query maybe_branch(const Xapian::Query& branch);

using TermLeaf = std::function<Xapian::Query(const std::string& term, Xapian::termcount wqf)>;
Xapian::Query plain_leaf(const std::string& term, Xapian::termcount wqf);

}  // namespace askalike

#endif  // ASKALIKE_LIB_RANKING_HPP_
