// [issue 27] A copy compacted without Xapian's term lists (CompactOptions,
// `askalike compact --search-only`): smaller, ranked and explained exactly
// as the database it was compacted from, and refused for what it cannot do.
#include <doctest/doctest.h>

#include <askalike/askalike.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "compare_results.hpp"
#include "servers.hpp"
#include "temp_dir.hpp"
#include "test_util.hpp"

using askalike::CompactOptions;
using askalike::IndexOptions;
using askalike::IndexWriter;
using askalike::Searcher;
using askalike::SearchOptions;
using testutil::TempDir;

namespace {

std::uintmax_t directory_bytes(const std::string& dir) {
  std::uintmax_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) total += entry.file_size();
  return total;
}

// The bundled corpora's questions, and misspelt and reworded ones (spelling
// corrections must come out the same too).
std::vector<std::string> questions(const std::vector<askalike::Record>& records) {
  std::vector<std::string> out = testutil::corpus_queries(records);
  for (const char* q : {"what are the symptoms of hemophila", "is atorvastatine safe with grapefruit juce",
                        "my left cheek twitches when i sleep", "treatmnt for urinary tract infecton in children",
                        "高血压可以吃党参吗"})
    out.push_back(q);
  return out;
}

// The same hits in the same order (the two hold the same record numbers, so
// even ties come out alike), the same scores to the bit, the same matched
// words and confidence, the same corrections.
void check_identical(const Searcher& full, const Searcher& search_only, const std::vector<std::string>& queries,
                     const SearchOptions& o) {
  std::size_t with_hits = 0, with_corrections = 0;
  for (const std::string& q : queries) {
    CAPTURE(q);
    const askalike::Results a = full.similar(q, o), b = search_only.similar(q, o);
    REQUIRE(a.hits.size() == b.hits.size());
    for (std::size_t i = 0; i < a.hits.size(); ++i) {
      CHECK(a.hits[i].id == b.hits[i].id);
      CHECK(a.hits[i].score == b.hits[i].score);
      CHECK(a.hits[i].matched_terms == b.hits[i].matched_terms);
      CHECK(a.hits[i].confidence == b.hits[i].confidence);
    }
    REQUIRE(a.corrections.size() == b.corrections.size());
    for (std::size_t i = 0; i < a.corrections.size(); ++i)
      CHECK(a.corrections[i].correction == b.corrections[i].correction);
    with_hits += a.hits.empty() ? 0 : 1;
    with_corrections += a.corrections.empty() ? 0 : 1;
  }
  CHECK(with_hits >= queries.size() * 3 / 4);
  if (queries.size() > 10) CHECK(with_corrections >= 3);
}

struct Built {
  TempDir dir;
  std::vector<askalike::Record> records;
  std::string full, search_only;
};

// The bundled corpora's first records in one database (shards = 0) or a
// collection of shards, compacted both ways.
void build(Built& b, unsigned shards) {
  b.records = testutil::corpus_records();
  const std::string source = b.dir / "source";
  {
    IndexOptions options;
    if (shards > 0) options.shards = shards;
    IndexWriter writer(source, options);
    for (const auto& r : b.records) writer.upsert(r);
    writer.commit();
  }
  b.full = b.dir / "full";
  b.search_only = b.dir / "search-only";
  askalike::compact_database(source, b.full);
  CompactOptions slim;
  slim.term_lists = false;
  askalike::compact_database(source, b.search_only, slim);
}

}  // namespace

TEST_CASE("a search-only copy is smaller and ranks, explains and corrects exactly as the full one") {
  Built b;
  build(b, 0);
  CHECK_FALSE(std::filesystem::exists(b.search_only + "/termlist.glass"));
  CHECK(std::filesystem::exists(b.full + "/termlist.glass"));
  // Term lists are about a third of a compacted database.
  CHECK(directory_bytes(b.search_only) < directory_bytes(b.full) * 8 / 10);
  Searcher full(b.full), search_only(b.search_only);
  CHECK(search_only.stats().documents == b.records.size());
  const std::vector<std::string> queries = questions(b.records);
  check_identical(full, search_only, queries, SearchOptions());
  SearchOptions deep;
  deep.k = 100;
  deep.offset = 5;
  check_identical(full, search_only, queries, deep);
  // Records like a stored one.
  for (const std::string id : {b.records[3].id, b.records[2000].id}) {
    CAPTURE(id);
    const askalike::Results a = full.more_like(id), c = search_only.more_like(id);
    REQUIRE_FALSE(a.hits.empty());
    REQUIRE(a.hits.size() == c.hits.size());
    for (std::size_t i = 0; i < a.hits.size(); ++i) {
      CHECK(a.hits[i].id == c.hits[i].id);
      CHECK(a.hits[i].matched_terms == c.hits[i].matched_terms);
    }
  }
}

TEST_CASE("a search-only collection of shards, searched at once and in turn, ranks as its full copy") {
  Built b;
  build(b, 3);
  for (int i = 0; i < 3; ++i) {
    const std::string shard = b.search_only + "/shard-" + std::to_string(i);
    REQUIRE(std::filesystem::exists(shard + "/iamglass"));
    CHECK_FALSE(std::filesystem::exists(shard + "/termlist.glass"));
  }
  const std::vector<std::string> queries = questions(b.records);
  const askalike::SearcherOptions at_once = testutil::every_query_at_once();
  check_identical(Searcher(b.full, at_once), Searcher(b.search_only, at_once), queries, SearchOptions());
  askalike::SearcherOptions in_turn;
  in_turn.parallel_shards = false;
  check_identical(Searcher(b.full, in_turn), Searcher(b.search_only, in_turn), queries, SearchOptions());
}

TEST_CASE("a search-only copy refuses writes and feedback with a clear error, and keeps every record") {
  Built b;
  build(b, 0);
  auto refused = [&](auto&& call, const char* says) {
    try {
      call();
      FAIL("not refused");
    } catch (const askalike::Error& e) {
      CHECK(e.code() == askalike::ErrorCode::kInvalidArgument);
      CHECK(std::string(e.what()).find(says) != std::string::npos);
    }
  };
  refused([&] { IndexWriter writer(b.search_only); }, "compacted without term lists");
  // Stock xapian-tcpsrv cannot send a record's values without its term list.
  {
    auto server = testutil::tcp_server(b.search_only);
    const std::string stub = b.dir / "remote.stub";
    testutil::write_file(stub, "remote 127.0.0.1:" + std::to_string(server->port()) + "\n");
    refused([&] { Searcher(stub).similar("what causes high blood pressure"); }, "serve a full compacted copy");
  }
  SearchOptions feedback;
  feedback.feedback_terms = 5;
  refused([&] { Searcher(b.search_only).similar("what causes high blood pressure", feedback); },
          "compacted without them");
  // Nothing was lost: the same records, searched as before.
  Searcher full(b.full), search_only(b.search_only);
  CHECK(search_only.stats().documents == b.records.size());
  check_identical(full, search_only, {"what causes high blood pressure", "glaucoma treatment"}, SearchOptions());
  // The full copy still gives feedback.
  CHECK_FALSE(full.similar("what causes high blood pressure", feedback).hits.empty());
  // reindex makes a writable database of it again, with every record.
  askalike::reindex_database(b.search_only, b.dir / "writable");
  {
    IndexWriter writer(b.dir / "writable");
    writer.upsert(testutil::make_record("new-one", "Gout", "Why does my big toe hurt at night?", "Uric acid."));
    writer.commit();
  }
  CHECK(Searcher(b.dir / "writable").stats().documents == b.records.size() + 1);
}
