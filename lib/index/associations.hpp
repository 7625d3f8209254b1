// Word associations learned from a collection's own question-answer pairs:
// which words an answer uses for the words of its question. Stored in the
// database's metadata; a search adds a few of them to a query.
//
// The measure, per (question word q, answer word a), over the records:
//   strength = c(q, a) / (n(q) + m) - n_A(a) / N
// c: records whose question has q and answer has a; n(q): records whose
// question has q; n_A(a): records whose answer has a; N: records; m: the
// smallest count that is not chance (LearnOptions::min_records), shrinking
// the estimate of a rare word. It is how much more likely an answer is to
// use `a` when the question says `q` than any answer is. It needs one pass
// of counting, where IBM Model 1 (Xue, Jeon and Croft, SIGIR 2008) needs
// the table of every co-occurring pair held over several EM iterations.
#ifndef ASKALIKE_LIB_ASSOCIATIONS_HPP_
#define ASKALIKE_LIB_ASSOCIATIONS_HPP_

#include <xapian.h>

#include <string>
#include <vector>

#include "askalike/analyzer.hpp"
#include "askalike/index.hpp"
#include "askalike/search.hpp"
#include "search/query_builder.hpp"

namespace askalike::associations {

// Metadata keys: the table's summary, and one key per question word.
inline constexpr const char* kInfoKey = "askalike.associations";
inline constexpr const char* kWordKeyPrefix = "askalike.assoc.";
// Bounds on what is read back: more is damage, not a learned table.
inline constexpr std::size_t kMaxPerWord = 64;
inline constexpr std::size_t kMaxValueBytes = 32 * 1024;

// Learns the table from every record of `db` (at `path`) and writes it to
// each of `stores` (replacing the one before); the caller commits.
LearnReport learn(const Xapian::Database& db, const std::string& path, std::vector<Xapian::WritableDatabase>& stores,
                  Analyzer& analyzer, const LearnOptions& options);

// Copies the table learned for `from` (if any) into `to`, a rebuild of the
// same records by the same analyzer (reindex_database), for which it still
// holds; the caller commits.
void copy(const Xapian::Database& from, Xapian::WritableDatabase& to);

// The stored associations of one term; empty when it has none.
// Throws Error(kCorrupt) on a value it cannot read.
std::vector<Association> read(const Xapian::Database& db, const std::string& term);

// The summary: records learned from and words with associations (0, 0: none).
// Throws Error(kCorrupt) on a value it cannot read.
struct Summary {
  std::size_t records = 0, words = 0;
};
Summary read_summary(const Xapian::Database& db);

// The words to add to a query of `terms`: at most `max` associations of its
// words, not in it, strongest first, each with weight `weight` x strength.
std::vector<QueryTerm> expansion(const Xapian::Database& db, const std::vector<WeightedTerm>& terms,
                                 std::size_t max, double weight);

// Parses one stored value (exposed for the fuzz target). Throws Error(kCorrupt).
std::vector<Association> parse(const std::string& value);

}  // namespace askalike::associations

#endif  // ASKALIKE_LIB_ASSOCIATIONS_HPP_
