// [issue 28] The semantic stage: the best matches by words ranked again by
// meaning, the cosine of the query's embedding and each record's stored one
// (embedding/vectors.hpp).
//
// Exact on every layout: the candidates are the lexical top records (the
// same on one database, shards, remote shards and replicas), the vectors
// are read from each record's value slot (which the remote protocol
// carries), and the query is embedded by the caller's own model; ties keep
// the lexical order.
#ifndef ASKALIKE_LIB_SEARCH_SEMANTIC_HPP_
#define ASKALIKE_LIB_SEARCH_SEMANTIC_HPP_

#include <cstddef>
#include <vector>

#include "search/shard_search.hpp"

namespace askalike {

// (default_semantic_depth(), the depth when the caller sets none, is
// declared in askalike/search.hpp.)

// Re-ranks the first `depth` of `top` (best first by words) by
//   cosine + lexical_weight x weight / best weight
// and scores the rest, which keep their order below them, as if their
// cosine were -1 (so that scores still fall with the rank). Sets each
// match's `lexical` (its weight before) and `cosine` (0 past depth); a
// record without a stored vector counts a cosine of 0. Throws
// Error(kCorrupt) for a stored vector of the wrong length.
void semantic_rerank(std::vector<Match>& top, const std::vector<float>& query, std::size_t depth,
                     double lexical_weight);

}  // namespace askalike

#endif  // ASKALIKE_LIB_SEARCH_SEMANTIC_HPP_
