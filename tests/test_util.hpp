// Helpers shared by the C++ tests: temporary directories and small indexes.
#ifndef ASKALIKE_TESTS_TEST_UTIL_HPP_
#define ASKALIKE_TESTS_TEST_UTIL_HPP_

#include <askalike/askalike.hpp>
#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace testutil {

// [issue 27] A collection's local shards searched at once on every query,
// short ones included (by default a query with few postings stays on one
// thread, which would leave the parallel path untested on small corpora).
inline askalike::SearcherOptions every_query_at_once() {
  askalike::SearcherOptions o;
  o.parallel_min_postings = 0;
  return o;
}

inline askalike::Record make_record(const std::string& id, const std::string& title, const std::string& question,
                                    const std::string& answer = "", const std::string& category = "") {
  askalike::Record r;
  r.id = id;
  r.title = title;
  r.question = question;
  r.answer = answer;
  r.category = category;
  return r;
}

// The ids of the hits, in rank order.
inline std::vector<std::string> ids(const askalike::Results& results) {
  std::vector<std::string> out;
  for (const auto& h : results.hits) out.push_back(h.id);
  return out;
}

// Runs `body` and returns the askalike::Error it throws (a test failure
// when it throws nothing or something else).
template <typename Body>
askalike::Error error_of(Body&& body) {
  try {
    body();
  } catch (const askalike::Error& e) {
    return e;
  } catch (...) {
    FAIL("an exception other than askalike::Error escaped");
  }
  FAIL("no exception was thrown");
  return askalike::Error(askalike::ErrorCode::kInternal, "unreachable");
}

// Writes `text` to the file at `path` (a stub file, ...); returns the path.
inline std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return path;
}

// A new database at `db` holding the records of these JSON Lines files.
inline void index_files(const std::string& db, const askalike::IndexOptions& options,
                        const std::vector<std::string>& paths) {
  askalike::IndexWriter writer(db, options);
  for (const std::string& path : paths) {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in, "cannot read " << path);
    REQUIRE(writer.add_jsonl(in, path).skipped == 0);
  }
  writer.commit();
}

// A new database at `db` holding `records`, committed at once.
inline void index_records(const std::string& db, const std::vector<askalike::Record>& records) {
  askalike::IndexWriter writer(db);
  for (const askalike::Record& r : records) writer.upsert(r);
  writer.commit();
}

// A database of JSON Lines files in a temporary directory.
struct FilesDatabase {
  TempDir dir;
  std::string db = dir / "db";
  explicit FilesDatabase(const std::vector<std::string>& paths,
                         const askalike::IndexOptions& options = askalike::IndexOptions()) {
    index_files(db, options, paths);
  }
};

inline bool contains(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& x : v)
    if (x == s) return true;
  return false;
}

}  // namespace testutil

#endif  // ASKALIKE_TESTS_TEST_UTIL_HPP_
