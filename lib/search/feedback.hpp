// Query expansion inside Xapian's stock weighting: added words are scaled
// terms (OP_SCALE_WEIGHT) ORed to the query, so a stock xapian-tcpsrv scores
// an expanded query as askalike does. Pseudo-relevance feedback picks them
// with Xapian's ESet over the top hits of a first search.
#ifndef ASKALIKE_LIB_FEEDBACK_HPP_
#define ASKALIKE_LIB_FEEDBACK_HPP_

#include <xapian.h>

#include <string>
#include <vector>

#include "askalike/search.hpp"
#include "search/query_builder.hpp"
#include "index/ranking.hpp"

namespace askalike {

// `query` (build_query's) OR each added word, weighted as a query word of
// BM25F times its weight; `leaf` makes each word's query.
Xapian::Query with_added_terms(const Xapian::Query& query, const std::vector<QueryTerm>& added,
                               const RankingQuery& ranking, const TermLeaf& leaf = plain_leaf);

// The options.feedback_terms best words of the top options.feedback_documents
// hits of `enquire` (its query already set), leaving out `exclude` and the
// filter terms, each weighted options.feedback_weight x its ESet weight over
// the best one. Empty when the first search has no hit.
std::vector<QueryTerm> feedback_terms(Xapian::Enquire& enquire, const Xapian::Database& db,
                                      const std::vector<std::string>& exclude, const SearchOptions& options);

}  // namespace askalike

#endif  // ASKALIKE_LIB_FEEDBACK_HPP_
