// Comparing two searchers on the bundled corpora: the same records indexed
// two ways (one database, shards, a remote server) must give the same hits.
#ifndef ASKALIKE_TESTS_COMPARE_RESULTS_HPP_
#define ASKALIKE_TESTS_COMPARE_RESULTS_HPP_

#include <doctest/doctest.h>

#include <askalike/askalike.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace testutil {

inline constexpr std::size_t kRecordsPerFile = 1500;  // of each bundled corpus file
inline constexpr std::size_t kQueryEvery = 15;        // every 15th record's question is a query: 200 queries

// The first records of the bundled English and Chinese corpora.
inline std::vector<askalike::Record> corpus_records() {
  std::vector<askalike::Record> out;
  for (const char* name : {"medquad-sample.jsonl", "cmd-zh.jsonl"}) {
    std::string path = std::string(ASKALIKE_CORPUS_DIR) + "/" + name;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    askalike::JsonlReader reader(in, path);
    askalike::Record r;
    for (std::size_t n = 0; n < kRecordsPerFile && reader.next(r); ++n) out.push_back(r);
  }
  return out;
}

inline std::vector<std::string> corpus_queries(const std::vector<askalike::Record>& records) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < records.size(); i += kQueryEvery)
    out.push_back(records[i].question.empty() ? records[i].title : records[i].question);
  return out;
}

inline bool same_score(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b)); }

// Same hits (the first o.k), same order, same scores (relative 1e-9), and the same words
// added to the query (associations, feedback) weighed alike. Hits tied in
// score may come in either order: Xapian breaks ties by document number,
// which shards interleave, and the shards of a stub sum a record's word
// weights in their own order (Xapian orders an OR's branches by each
// shard's term frequencies), so the last bits of two tied scores can differ. `at_least` queries must have
// hits; when `o` asks for expansion, most queries must have been expanded.
inline void check_same_results(const askalike::Searcher& expected, const askalike::Searcher& actual,
                               const std::vector<std::string>& queries, askalike::SearchOptions o,
                               std::size_t at_least) {
  // Spelling stays on (issue 23: its words are terms, collection-wide on
  // every layout), and so does the question-type bonus, a scaled term.
  std::size_t compared = 0, expanded = 0;
  for (const std::string& q : queries) {
    CAPTURE(q);
    auto a = expected.similar(q, o), b = actual.similar(q, o);
    REQUIRE(a.added_terms.size() == b.added_terms.size());
    for (std::size_t i = 0; i < a.added_terms.size(); ++i) {
      CHECK(a.added_terms[i].term == b.added_terms[i].term);
      CHECK(same_score(a.added_terms[i].weight, b.added_terms[i].weight));
    }
    expanded += a.added_terms.empty() ? 0 : 1;
    REQUIRE(a.hits.size() == b.hits.size());
    const std::size_t n = a.hits.size();
    for (std::size_t i = 0; i < n; ++i) CHECK(same_score(a.hits[i].score, b.hits[i].score));
    for (std::size_t i = 0, end; i < n; i = end) {
      for (end = i + 1; end < n && same_score(a.hits[end].score, a.hits[i].score);) ++end;
      if (end == n && n == o.k) break;  // a tie cut by k: which of the tied records make it is open
      std::vector<std::string> run_a, run_b;
      for (std::size_t j = i; j < end; ++j) {
        run_a.push_back(a.hits[j].id + "\n" + a.hits[j].record.question);
        run_b.push_back(b.hits[j].id + "\n" + b.hits[j].record.question);
      }
      if (end - i > 1) std::sort(run_a.begin(), run_a.end()), std::sort(run_b.begin(), run_b.end());
      CHECK(run_a == run_b);
    }
    compared += n > 0 ? 1 : 0;
  }
  CHECK(compared >= at_least);
  if (o.max_associations > 0 || o.feedback_terms > 0) CHECK(expanded >= queries.size() * 3 / 4);
}

inline void check_same_results(const askalike::Searcher& expected, const askalike::Searcher& actual,
                               const std::vector<std::string>& queries, std::size_t at_least = 200) {
  check_same_results(expected, actual, queries, askalike::SearchOptions(), at_least);
}

// With expansion options: every query must find something.
inline void check_same_results(const askalike::Searcher& expected, const askalike::Searcher& actual,
                               const std::vector<std::string>& queries, const askalike::SearchOptions& o) {
  check_same_results(expected, actual, queries, o, queries.size());
}

}  // namespace testutil

#endif  // ASKALIKE_TESTS_COMPARE_RESULTS_HPP_
