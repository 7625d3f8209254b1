// One collection, one answer (issue 23): the spelling step decides from
// collection-wide data only, so one database, local shards and shards
// served by stock xapian-tcpsrv give the same corrections, ids and scores;
// and `check` and the committed state take every layout.
#include <doctest/doctest.h>

#include <xapian.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "compare_results.hpp"
#include "servers.hpp"
#include "test_util.hpp"

using askalike::IndexOptions;
using askalike::Searcher;
using testutil::TempDir;
using testutil::write_file;

namespace {

constexpr unsigned kShards = 3;

std::string corrections_of(const askalike::Results& r) {
  std::string out;
  for (const auto& c : r.corrections) out += (out.empty() ? "" : ", ") + c.word + " -> " + c.correction;
  return out;
}

// The same records as one database, a collection of 3 local shards, and
// those shards behind 3 stock xapian-tcpsrv servers (a stub of 3 lines).
struct Layouts {
  TempDir dir;
  std::string one = dir / "one", local = dir / "local", remote;
  std::vector<std::unique_ptr<testutil::Server>> servers;
  explicit Layouts(const std::vector<std::string>& files) {
    testutil::index_files(one, IndexOptions(), files);
    IndexOptions sharded;
    sharded.shards = kShards;
    testutil::index_files(local, sharded, files);
    std::string stub;
    for (unsigned i = 0; i < kShards; ++i) {
      servers.push_back(testutil::tcp_server(local + "/shard-" + std::to_string(i)));
      stub += "remote 127.0.0.1:" + std::to_string(servers.back()->port()) + "\n";
    }
    remote = write_file(dir / "remote.stub", stub);
  }
};

// Same corrections, same hits in the same order (ties aside), same scores
// (relative 1e-9), with the defaults (spelling on). Returns how many
// queries were corrected.
std::size_t check_same(const Searcher& expected, const Searcher& actual, const std::vector<std::string>& queries) {
  std::size_t corrected = 0;
  for (const std::string& q : queries) {
    CAPTURE(q);
    const auto a = expected.similar(q), b = actual.similar(q);
    CHECK(corrections_of(a) == corrections_of(b));
    corrected += a.corrections.empty() ? 0 : 1;
    REQUIRE(a.hits.size() == b.hits.size());
    for (std::size_t i = 0; i < a.hits.size(); ++i) {
      CAPTURE(i);
      CHECK(testutil::same_score(a.hits[i].score, b.hits[i].score));
      // Hits tied in score may come in either order (compare_results.hpp).
      const bool tied = (i > 0 && testutil::same_score(a.hits[i].score, a.hits[i - 1].score)) ||
                        (i + 1 < a.hits.size() && testutil::same_score(a.hits[i].score, a.hits[i + 1].score));
      if (!tied) CHECK(a.hits[i].id == b.hits[i].id);
    }
  }
  return corrected;
}

}  // namespace

TEST_CASE("misspelt questions: one database, 3 local shards and 3 xapian-tcpsrv shards correct and rank alike") {
  const Layouts l({std::string(ASKALIKE_CORPUS_DIR) + "/medquad-sample.jsonl",
                   std::string(ASKALIKE_TEST_DATA_DIR) + "/medquad-extra.jsonl"});
  Searcher one(l.one), local(l.local), remote(l.remote);
  const std::vector<std::string> misspelt = {
      "what is pnuemonia?",
      "Is Alzhimers disease inherited?",
      "symptoms of diabetis",
      "treatmant for asthma",
      "hearth attack",
      "What causes arthritus in the knees?",
      "How is astma diagnosed in children?",
      "Is migrane hereditary?",
      "What are the symptons of leukemia?",
      "How to prevent osteoporsis?",
      "what are the treatmants for glaucomma",
      "My father has pnuemonia and diabetis, my mother arthritus and astma, and my son hypertenshun.",
  };
  CHECK(check_same(one, local, misspelt) >= 8);
  CHECK(check_same(one, remote, misspelt) >= 8);
  CHECK(corrections_of(remote.similar("what is pnuemonia?")) == "pnuemonia -> pneumonia");
}

// The SemEval-2016 development questions (real forum posts, misspellings
// included): issue 23 found 16 of 117 differing over xapian-tcpsrv, 2 on
// local shards.
TEST_CASE("SemEval-2016 dev questions: one database, 3 local shards and 3 xapian-tcpsrv shards rank alike") {
  const std::string set = std::string(ASKALIKE_SHARED_DATA_DIR) + "/semeval2016";
  if (!std::filesystem::exists(set + "/corpus.jsonl") || !std::filesystem::exists(set + "/queries.jsonl")) {
    MESSAGE("skipped: no SemEval-2016 development set at " << set);
    return;
  }
  std::vector<std::string> queries;
  std::ifstream in(set + "/queries.jsonl");
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) queries.push_back(nlohmann::json::parse(line).at("text").get<std::string>());
  REQUIRE(queries.size() == 117);
  const Layouts l({set + "/corpus.jsonl"});
  Searcher one(l.one), local(l.local), remote(l.remote);
  const std::size_t corrected = check_same(one, local, queries);
  CHECK(check_same(one, remote, queries) == corrected);
  MESSAGE(corrected << " of " << queries.size() << " questions corrected");
  CHECK(corrected > 0);
}

// Issue 25: on a 20-record FAQ the collection's words are too few to tell a
// typo from a word it does not hold; a word of the language's dictionary
// is never corrected, a real misspelling of a word the FAQ holds still is.
TEST_CASE("a 20-record FAQ: English words are not corrected, a misspelling still is") {
  const testutil::FilesDatabase faq({std::string(ASKALIKE_TEST_DATA_DIR) + "/faq-20.jsonl"});
  Searcher searcher(faq.db);
  SUBCASE("ordinary English") {
    for (const char* q : {"my credit card keeps getting rejected", "how do I edit my billing settings"}) {
      CAPTURE(q);
      CHECK(corrections_of(searcher.similar(q)) == "");
    }
    // "edit my profile", which a false "credit" -> "edit" brought in.
    for (const auto& hit : searcher.similar("my credit card keeps getting rejected").hits) CHECK(hit.id != "faq-01");
  }
  SUBCASE("a misspelling of the FAQ's own word") {
    const auto r = searcher.similar("glucose meter for diabtes");
    CHECK(corrections_of(r) == "diabtes -> diabetes");
    REQUIRE_FALSE(r.hits.empty());
    CHECK(r.hits[0].id == "faq-17");
  }
  SUBCASE("one edit away is corrected, two are too far on a small collection") {
    CHECK(corrections_of(searcher.similar("where is the notifcaton page")) == "");
    CHECK(corrections_of(searcher.similar("where are the notifcation setings")) ==
          "notifcation -> notification, setings -> settings");
  }
}

// Issue 23: `check` and the committed state (what `serve` watches) take
// every layout `-d` takes.
TEST_CASE("check and the committed state: a stub of one remote line, and a collection of 2 shards") {
  TempDir dir;
  const std::string faq = std::string(ASKALIKE_TEST_DATA_DIR) + "/faq-20.jsonl";
  const std::string one = dir / "one", sharded = dir / "sharded";
  testutil::index_files(one, IndexOptions(), {faq});
  IndexOptions two;
  two.shards = 2;
  testutil::index_files(sharded, two, {faq});
  SUBCASE("one remote line") {
    auto server = testutil::tcp_server(one);
    const std::string stub = write_file(dir / "remote.stub", "remote 127.0.0.1:" + std::to_string(server->port()) + "\n");
    const askalike::CommittedState state = askalike::committed_state(stub);
    CHECK(state.documents == 20);
    CHECK(state.revision == 0);  // a remote database tells no revision
    const askalike::CheckReport report = askalike::check_database(stub);
    CHECK(report.sound);
    CHECK(report.details == "");
  }
  SUBCASE("a stub that names itself is refused, not followed for ever") {
    const std::string stub = write_file(dir / "self.stub", "auto self.stub\n");
    const askalike::Error e = testutil::error_of([&] { askalike::check_database(stub); });
    CHECK(e.code() == askalike::ErrorCode::kInvalidArgument);
    CHECK(std::string(e.what()).find("nested") != std::string::npos);
  }
  SUBCASE("a collection of 2 shards: every shard checked, the damaged one named") {
    CHECK(askalike::check_database(sharded).sound);
    const std::string shard = sharded + "/shard-1";
    const std::string file = shard + "/postlist.glass";
    REQUIRE(std::filesystem::exists(file));
    std::filesystem::resize_file(file, std::filesystem::file_size(file) / 2);
    const askalike::CheckReport report = askalike::check_database(sharded);
    CHECK_FALSE(report.sound);
    CHECK(report.details.find("shard-1") != std::string::npos);
    CHECK(report.details.find("shard-0") == std::string::npos);
  }
}
