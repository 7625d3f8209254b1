// askalike: checking options before they are used. The library calls these
// itself (a bad option is never silently used); the command-line tool and
// the Python module call them too, so every front end refuses the same
// values with the same words: "NAME must be between MIN and MAX, not VALUE",
// "NAME must be a finite number ..., not nan".
#ifndef ASKALIKE_VALIDATE_HPP_
#define ASKALIKE_VALIDATE_HPP_

#include <cstddef>
#include <string>

#include "askalike/export.hpp"
#include "askalike/index.hpp"
#include "askalike/record.hpp"
#include "askalike/search.hpp"

namespace askalike {

// The largest values the options accept.
inline constexpr std::size_t kMaxThreads = 1024;       // threads of any call
inline constexpr std::size_t kMaxK = 100000;           // SearchOptions::k
inline constexpr std::size_t kMaxOffset = 10000000;    // SearchOptions::offset
inline constexpr std::size_t kMaxQueryTerms = 1000;    // SearchOptions::max_query_terms
inline constexpr std::size_t kMaxShards = 1024;        // IndexOptions::shards
inline constexpr std::size_t kMaxChangesets = 1000000; // IndexOptions::max_changesets
inline constexpr std::size_t kMaxTimeoutMs = 86400000; // SearcherOptions::timeout_ms (a day)
inline constexpr std::size_t kMaxAddedTerms = 100;     // max_associations, feedback_terms
inline constexpr std::size_t kMaxFeedbackDocuments = 1000;
// [issue 28] Records the semantic stage re-ranks at most: each costs a
// stored vector read and a cosine.
inline constexpr std::size_t kMaxSemanticDepth = 10000;
inline constexpr std::size_t kMaxAssociationsPerWord = 64;  // LearnOptions::per_word

// Each throws Error(kInvalidArgument) naming the first bad option.
ASKALIKE_EXPORT void validate(const SearchOptions& options);
ASKALIKE_EXPORT void validate(const IngestOptions& options);
ASKALIKE_EXPORT void validate(const IndexOptions& options);
ASKALIKE_EXPORT void validate(const SearcherOptions& options);
ASKALIKE_EXPORT void validate(const RankingOptions& options);
ASKALIKE_EXPORT void validate(const InputLimits& limits);
ASKALIKE_EXPORT void validate(const LearnOptions& options);

// A whole number given by a person (a command line, a Python int), which
// may be negative: returns it when min <= value <= max, else throws
// Error(kInvalidArgument) in the words above.
ASKALIKE_EXPORT std::size_t checked_count(const std::string& name, long long value, std::size_t min,
                                          std::size_t max);

// The threads to use for `threads` (0: one per core), checked against kMaxThreads.
ASKALIKE_EXPORT std::size_t thread_count(std::size_t threads);

}  // namespace askalike

#endif  // ASKALIKE_VALIDATE_HPP_
