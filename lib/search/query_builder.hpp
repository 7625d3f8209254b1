// From question text to a Xapian query: choose the terms that matter in a
// question of any length, weight the fields, add the filters.
#ifndef ASKALIKE_LIB_QUERY_BUILDER_HPP_
#define ASKALIKE_LIB_QUERY_BUILDER_HPP_

#include <xapian.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "askalike/analyzer.hpp"
#include "askalike/search.hpp"
#include "index/ranking.hpp"

namespace askalike {

struct WeightedTerm {
  std::string term;                 // unprefixed
  double weight = 0.0;              // (1 + log tf) x idf
  Xapian::termcount frequency = 0;  // occurrences in the query
  Xapian::doccount records = 0;     // records holding it (its postings)
  double scale = 1.0;               // its score's factor: < 1 for a CJK n-gram (term_scale)
};

// What `token` counts for in a query: 1 for a word, the options'
// cjk_unigram_weight / cjk_bigram_weight for a CJK character n-gram.
double term_scale(const Token& token, const AnalyzerOptions& options);

// The document frequency of each of `terms` over all of db's shards, asked
// in one pass (one exchange per remote shard).
std::unordered_map<std::string, Xapian::doccount> term_frequencies(const Xapian::Database& db,
                                                                   const std::vector<std::string>& terms);

// The at most `max_terms` strongest terms of `tokens`: weighted by query
// frequency and inverse document frequency in `db`; terms that no record
// contains are dropped. Unlike MoreLikeThis there is no minimum term
// frequency, so a one-line question keeps all its words. A term that is a
// word somewhere in the question counts as a word; an n-gram's weight is
// scaled by term_scale (a scale of 0 drops it).
std::vector<WeightedTerm> select_terms(const std::vector<Token>& tokens, const Xapian::Database& db,
                                       std::size_t max_terms, const AnalyzerOptions& options = AnalyzerOptions());

// The OR of the terms' ranking terms (each with its query frequency), scaled
// so that BM25Weight `ranking` gives BM25F scores (ranking.hpp); `leaf` makes
// each term's query. Terms held by more than `common_share` of the
// `records` records are an OP_AND_MAYBE tail of the rarer ones when there
// are rarer ones (SearchOptions::common_word_share); 1: a plain OR.
Xapian::Query build_query(const std::vector<WeightedTerm>& terms, const RankingQuery& ranking,
                          const TermLeaf& leaf = plain_leaf, double common_share = 1.0,
                          Xapian::doccount records = 0);

// The options' filters as a boolean query; an empty Query when there are none.
Xapian::Query build_filter(const SearchOptions& options);

// [issue 28] `query` or, at weight 0, any record of the options' group (the
// caller's candidate list): with the semantic stage on, the records of the
// group that share no word with the query are ranked too, by meaning alone.
// The query unchanged without a group.
Xapian::Query with_group_records(Xapian::Query query, const SearchOptions& options);

// The query restricted by `filter` and `exclude_id`.
Xapian::Query apply_filters(Xapian::Query query, const SearchOptions& options);

// The inverse document frequency of a term in `db` (records with the word in
// any field weighted above 0).
double inverse_document_frequency(const std::string& term, const Xapian::Database& db);

}  // namespace askalike

#endif  // ASKALIKE_LIB_QUERY_BUILDER_HPP_
