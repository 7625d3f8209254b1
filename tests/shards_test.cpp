// Collections of shards (IndexOptions::shards): routing by id, searching as
// one database locally and through stock xapian-tcpsrv, remote shards that
// fail, and replicas kept by stock xapian-replicate-server/xapian-replicate.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "compare_results.hpp"
#include "servers.hpp"
#include "test_util.hpp"

using askalike::Error;
using askalike::ErrorCode;
using askalike::IndexOptions;
using askalike::IndexWriter;
using askalike::Record;
using askalike::Searcher;
using askalike::SearcherOptions;
using askalike::SearchOptions;
using testutil::TempDir;
using testutil::write_file;

namespace {

constexpr unsigned kShards = 3;

std::string shard_path(const std::string& collection, unsigned i) {
  return collection + "/shard-" + std::to_string(i);
}

// How many shards of the collection hold a record with this id.
int copies(const std::string& collection, const std::string& id) {
  int n = 0;
  for (unsigned i = 0; i < kShards; ++i) n += Xapian::Database(shard_path(collection, i)).term_exists("Q" + id);
  return n;
}

// The corpus records in one database and in a collection of 3 shards,
// written the same way, built once per test process.
struct Built {
  TempDir dir;
  std::string db = dir / "db", collection = dir / "sharded";
  std::vector<Record> records = testutil::corpus_records();
  std::vector<std::string> queries = testutil::corpus_queries(records);
  Built() {
    IndexOptions sharded;
    sharded.shards = kShards;
    IndexWriter one(db), many(collection, sharded);
    for (const Record& r : records) one.upsert(r), many.upsert(r);
    one.commit();
    many.commit();
  }
};

const Built& built() {
  static const Built instance;
  return instance;
}

// True when the hits that facets are counted over end inside a run of hits
// tied in score: which of the tied records are counted is then open (Xapian
// breaks ties by document number, which shards interleave, and the last bits
// of tied scores can differ on shards: compare_results.hpp). Ordering ties
// by record id (a sort by value) would settle exact ties only, and cost a
// value read per candidate.
bool facet_cut_in_a_tie(const Searcher& searcher, const std::string& q, const SearchOptions& o) {
  SearchOptions probe = o;
  probe.k = std::max(o.k, o.facet_depth) + 1;
  probe.facets = probe.records = probe.snippets = probe.match_details = false;
  auto r = searcher.similar(q, probe);
  return r.hits.size() == probe.k && testutil::same_score(r.hits[probe.k - 2].score, r.hits[probe.k - 1].score);
}

using TopicCounts = std::vector<std::pair<std::string, std::size_t>>;

// Related topics with their counts, in a fixed order: topics of equal count
// are ordered by their first hit, which ties may swap.
TopicCounts topic_counts(const askalike::Results& r) {
  TopicCounts out;
  for (const auto& t : r.related_topics) out.emplace_back(t.topic, t.count);
  std::sort(out.begin(), out.end());
  return out;
}

// Same categories with the same counts, same related topics, for every
// query whose facet depth does not cut a tie.
void check_same_facets(const Searcher& expected, const Searcher& actual, const std::vector<std::string>& queries) {
  SearchOptions o;
  o.k = 10;  // and the default options: the question-type bonus is on
  std::size_t compared = 0;
  for (const std::string& q : queries) {
    CAPTURE(q);
    if (facet_cut_in_a_tie(expected, q, o)) continue;
    auto a = expected.similar(q, o), b = actual.similar(q, o);
    ++compared;
    REQUIRE(a.categories.size() == b.categories.size());
    for (std::size_t i = 0; i < a.categories.size(); ++i) {
      CHECK(a.categories[i].value == b.categories[i].value);
      CHECK(a.categories[i].count == b.categories[i].count);
    }
    CHECK(topic_counts(a) == topic_counts(b));
  }
  CHECK(compared >= queries.size() * 3 / 4);  // 164 of the 200 corpus queries when written
}

// The queries that get the question-type bonus (the others meet Xapian's
// pruning only through ORs of words: see "pruning" below).
std::vector<std::string> typed_queries(const Searcher& searcher, const std::vector<std::string>& queries) {
  SearchOptions o;
  o.k = 1;
  o.spelling = false;
  std::vector<std::string> out;
  for (const std::string& q : queries)
    if (!searcher.similar(q, o).question_type.empty()) out.push_back(q);
  return out;
}

// The first 101 hits of each query are the 101 best of all its matches:
// asking for more hits brings no better record in ahead of them.
void check_best_first(const Searcher& searcher, const std::vector<std::string>& queries, std::size_t all) {
  SearchOptions o;
  o.spelling = false;  // the matcher alone is checked here
  o.facets = o.records = o.snippets = o.match_details = false;
  for (const std::string& q : queries) {
    CAPTURE(q);
    o.k = 101;
    auto top = searcher.similar(q, o);
    o.k = all;
    auto every = searcher.similar(q, o);
    REQUIRE(top.hits.size() <= every.hits.size());
    for (std::size_t i = 0; i < top.hits.size(); ++i) {
      CAPTURE(i);
      CHECK(testutil::same_score(top.hits[i].score, every.hits[i].score));
    }
  }
}

}  // namespace

TEST_CASE("a collection of shards holds each record in the shard of its id's FNV-1a hash, and nowhere else") {
  const Built& b = built();
  REQUIRE(std::filesystem::exists(b.collection + "/XAPIANDB"));
  std::size_t total = 0;
  for (unsigned i = 0; i < kShards; ++i) {
    Xapian::Database shard(shard_path(b.collection, i));
    CHECK(shard.get_doccount() > b.records.size() / 6);  // the hash spreads the records
    total += shard.get_doccount();
  }
  CHECK(total == b.records.size());
  for (std::size_t i = 0; i < b.records.size(); i += 97) CHECK(copies(b.collection, b.records[i].id) == 1);
  // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c, 1 modulo 3; of "q-42" 0x378aad069e916485, 2 modulo 3: the
  // routing is fixed on disk, whatever the build.
  TempDir dir;
  {
    IndexOptions o;
    o.shards = kShards;
    IndexWriter w(dir / "c", o);
    w.upsert(testutil::make_record("a", "", "first question"));
    w.upsert(testutil::make_record("q-42", "", "second question"));
    w.commit();
  }
  CHECK(Xapian::Database(shard_path(dir / "c", 1)).term_exists("Qa"));
  CHECK(Xapian::Database(shard_path(dir / "c", 2)).term_exists("Qq-42"));
}

TEST_CASE("3 local shards and 3 shards served by xapian-tcpsrv rank as one database: ids, scores, facets") {
  const Built& b = built();
  Searcher one(b.db), local(b.collection, testutil::every_query_at_once());
  CHECK(local.stats().documents == b.records.size());
  CHECK(local.stats().categories.size() == one.stats().categories.size());
  CHECK(local.stats().average_question_length == doctest::Approx(one.stats().average_question_length));
  testutil::check_same_results(one, local, b.queries);
  check_same_facets(one, local, b.queries);

  std::vector<std::unique_ptr<testutil::Server>> servers;
  std::string stub;
  for (unsigned i = 0; i < kShards; ++i) {
    servers.push_back(testutil::tcp_server(shard_path(b.collection, i)));
    stub += "remote 127.0.0.1:" + std::to_string(servers.back()->port()) + "\n";
  }
  Searcher remote(write_file(b.dir / "remote.stub", stub));
  CHECK(remote.stats().documents == b.records.size());
  testutil::check_same_results(one, remote, b.queries);
  check_same_facets(one, remote, b.queries);
  // Down to the 101st hit, for the queries with the question-type bonus: the
  // Chinese query that an OR of words loses a record for ("pruning" below)
  // loses another one when each server prunes its shard alone.
  SearchOptions deep;  // ids and scores only: over xapian-tcpsrv every record fetched is a round trip
  deep.k = 101;
  deep.records = deep.facets = deep.snippets = deep.match_details = false;
  const std::vector<std::string> typed = typed_queries(one, b.queries);
  testutil::check_same_results(one, remote, typed, deep, typed.size());
}

// Xapian 1.4's matcher, when it prunes (skips records that cannot reach
// the k-th score so far), lost a record of the top when the question-type
// bonus's AND_MAYBE decayed to AND while its right branch was ahead of its
// left (question_type.cpp). Shards meet records in another order, so one
// database and shards lost different ones: "What are the treatments for
// Acromegaly?" missed a record scoring 4.474 from its top 101 on 3 shards,
// "Is lamellar ichthyosis inherited?" one scoring 4.555 on one database.
// Only queries with the bonus are checked for the best first: an AND_MAYBE
// that an OR of words decays into can do the same, which askalike cannot
// change while the matcher prunes (one Chinese query of the 200 loses a
// record from its top 101: the same one on one database and on local
// shards searched in turn, another one on shards behind xapian-tcpsrv and
// on local shards searched at once, where each shard also prunes alone).
TEST_CASE("pruning: the first 101 hits are the 101 best matches, on one database and on shards alike") {
  const Built& b = built();
  SearcherOptions in_turn;
  in_turn.parallel_shards = false;
  Searcher one(b.db), local(b.collection, in_turn);
  const std::vector<std::string> typed = typed_queries(one, b.queries);
  CHECK(typed.size() >= 150);  // 171 of the 200 corpus queries when written
  check_best_first(one, typed, b.records.size());
  check_best_first(local, typed, b.records.size());
  SearchOptions o;
  o.k = 101;
  o.records = o.facets = o.snippets = o.match_details = false;
  testutil::check_same_results(one, local, b.queries, o, b.queries.size());
}

// The question texts of the development sets' query files beside the
// repository (../shared/data), at most `each` per set; none when absent.
std::vector<std::string> dev_questions(std::size_t each) {
  std::vector<std::string> out;
  for (const char* set : {"liveqa-medquad", "semeval2016", "mqp", "mediqa-rqe", "chip2019"}) {
    std::ifstream in(std::string(ASKALIKE_SHARED_DATA_DIR) + "/" + set + "/queries.jsonl");
    std::string line;
    for (std::size_t n = 0; n < each && std::getline(in, line); ++n)
      out.push_back(nlohmann::json::parse(line).at("text").get<std::string>());
  }
  return out;
}

// [issue 27] Searcher searches a collection's local shards on a thread each
// (SearcherOptions::parallel_shards), each shard with the collection's
// statistics: the test above compares it with one database already (it is
// the default); here with the same shards searched in turn, deeper, with
// feedback, and on the development sets' own questions.
TEST_CASE("local shards searched at once rank as one database and as the shards searched in turn") {
  const Built& b = built();
  SearcherOptions in_turn;
  in_turn.parallel_shards = false;
  Searcher one(b.db), serial(b.collection, in_turn), parallel(b.collection, testutil::every_query_at_once());
  SearchOptions deep;
  deep.k = 101;
  deep.records = deep.facets = deep.snippets = deep.match_details = false;
  // Down to the 101st hit for the queries with the question-type bonus: each
  // shard prunes alone, as each server of remote shards does ("pruning"
  // below: an OR of words can lose a record from deep down).
  const std::vector<std::string> typed = typed_queries(one, b.queries);
  testutil::check_same_results(serial, parallel, typed, deep, typed.size());
  // Feedback's first search is the same search of all shards: the same words
  // are added (against one database, ties in the first search can pick other
  // feedback records).
  SearchOptions feedback;
  feedback.feedback_terms = 5;
  testutil::check_same_results(serial, parallel, b.queries, feedback);
  // The estimated number of matches ("about N matching") is the stub's
  // estimate before matching (the shards' own estimates summed differed:
  // 28 of liveqa's 52 questions on medquad, as the command line rounds
  // them). Xapian rounds it by its bounds, which the stub's match narrows
  // to the records it saw: a few estimates differ within that rounding.
  std::size_t estimates = 0, counted = 0;
  double worst = 0.0;
  for (const SearchOptions& o : {SearchOptions(), deep})
    for (const std::string& q : b.queries) {
      CAPTURE(q);
      const auto s = serial.similar(q, o), p = parallel.similar(q, o);
      const double e = static_cast<double>(s.estimated_matches), f = static_cast<double>(p.estimated_matches);
      CHECK(std::abs(e - f) <= 0.2 * e);
      worst = std::max(worst, std::abs(e - f) / std::max(e, 1.0));
      estimates += s.estimated_matches == p.estimated_matches;
      if (s.hits.size() < o.k) {  // fewer matches than asked for: the count, exact
        ++counted;
        CHECK(s.estimated_matches == p.estimated_matches);
      }
    }
  MESSAGE(estimates << " of " << 2 * b.queries.size() << " estimates equal (" << counted
                    << " exact counts), the others within " << worst * 100 << "%");
  CHECK(estimates >= 2 * b.queries.size() * 95 / 100);  // 391 of 400 when written
  SUBCASE("real questions, misspelled ones included, spelling on") {
    const std::vector<std::string> questions = dev_questions(60);
    if (questions.empty()) {
      MESSAGE("skipped: no development sets at " ASKALIKE_SHARED_DATA_DIR);
      return;
    }
    testutil::check_same_results(one, parallel, questions, SearchOptions(), questions.size() / 2);
    std::size_t corrected = 0;
    for (const std::string& q : questions) {
      CAPTURE(q);
      auto a = serial.similar(q), c = parallel.similar(q);
      REQUIRE(a.corrections.size() == c.corrections.size());
      corrected += a.corrections.empty() ? 0 : 1;
      REQUIRE(a.hits.size() == c.hits.size());
      for (std::size_t i = 0; i < a.hits.size(); ++i) CHECK(testutil::same_score(a.hits[i].score, c.hits[i].score));
    }
    CHECK(corrected > 0);
  }
}

// The records as exported, in id order.
std::vector<std::string> exported_records(const Searcher& searcher) {
  std::vector<std::string> out;
  searcher.for_each([&](const Record& r) { out.push_back(r.to_json()); });
  std::sort(out.begin(), out.end());
  return out;
}

// [issue 27] The bulk path of `askalike index --parts N`: shards written at
// once, then merged by Xapian's compaction into the one database wanted.
TEST_CASE("shards merged by compaction into one database hold the records and rank as one database built serially") {
  const Built& b = built();
  TempDir dir;
  const std::string merged = dir / "merged";
  askalike::merge_shards(b.collection, merged);
  CHECK_FALSE(std::filesystem::exists(merged + "/XAPIANDB"));  // one database, not a stub
  Searcher one(b.db), bulk(merged);
  CHECK(askalike::check_database(merged).sound);
  CHECK(exported_records(bulk) == exported_records(one));
  testutil::check_same_results(one, bulk, b.queries);
  SearchOptions deep;
  deep.k = 101;
  deep.records = deep.facets = deep.snippets = deep.match_details = false;
  const std::vector<std::string> typed = typed_queries(one, b.queries);
  testutil::check_same_results(one, bulk, typed, deep, typed.size());
  // The spelling tables are summed: the same corrections as one database.
  for (const char* q : {"symptoms of diabetis", "treatmant for asthma", "hearth attack"}) {
    CAPTURE(q);
    auto a = one.similar(q), c = bulk.similar(q);
    REQUIRE(a.corrections.size() == c.corrections.size());
    for (std::size_t i = 0; i < a.corrections.size(); ++i) CHECK(a.corrections[i].correction == c.corrections[i].correction);
  }
  CHECK_FALSE(one.similar("symptoms of diabetis").corrections.empty());
  // Later writes go to the merged database as to any other.
  {
    IndexWriter w(merged);
    w.upsert(testutil::make_record("new-1", "", "zebra stripes"));
    w.commit();
  }
  CHECK(Searcher(merged).similar("zebra").hits.at(0).id == "new-1");
  // Only a collection merges, and only into a new directory.
  try {
    askalike::merge_shards(b.db, dir / "other");
    FAIL("merged one database");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    CHECK(std::string(e.what()).find("not a collection of shards") != std::string::npos);
  }
  try {
    askalike::merge_shards(b.collection, merged);
    FAIL("merged into an existing database");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    CHECK(std::string(e.what()).find("already exists") != std::string::npos);
  }
}

// [issue 27] SearchOptions::common_word_share: the words of a query held by
// more than that share of the records count only beside a rarer one.
TEST_CASE("common words as an AND_MAYBE tail: hits keep their exact scores, ranked alike on one database and shards") {
  const Built& b = built();
  Searcher one(b.db), parallel(b.collection, testutil::every_query_at_once());
  SearchOptions exact, tail;
  exact.k = tail.k = 10;
  exact.spelling = tail.spelling = false;
  exact.common_word_share = 1;
  tail.common_word_share = 0.05;
  SearchOptions all = exact;
  all.k = b.records.size();
  all.records = all.facets = all.snippets = all.match_details = false;
  std::size_t changed = 0;
  for (const std::string& q : b.queries) {
    CAPTURE(q);
    auto every = one.similar(q, all), fast = one.similar(q, tail), top = one.similar(q, exact);
    std::map<std::string, double> score;
    for (const auto& h : every.hits) score[h.id] = h.score;
    for (const auto& h : fast.hits) {
      REQUIRE(score.count(h.id) == 1);
      CHECK(testutil::same_score(h.score, score[h.id]));  // a hit that ranks scores as in the exact ranking
    }
    for (std::size_t i = 1; i < fast.hits.size(); ++i) CHECK(fast.hits[i - 1].score >= fast.hits[i].score);
    bool same = fast.hits.size() == top.hits.size();
    for (std::size_t i = 0; same && i < fast.hits.size(); ++i) same = fast.hits[i].id == top.hits[i].id;
    changed += same ? 0 : 1;
  }
  CHECK(changed > 0);                          // records with only common words dropped out
  // Most rankings are the exact ones. Since Chinese n-grams count 0.3 of a
  // word (issue 29) more Chinese top tens differ (61 of 200; chip2019's MRR
  // is the same with and without the tail, ABLATIONS.md section 15).
  CHECK(changed < b.queries.size() / 3);
  testutil::check_same_results(one, parallel, b.queries, tail, b.queries.size() / 2);
  SearchOptions bad;
  bad.common_word_share = 1.5;
  try {
    one.similar("fever", bad);
    FAIL("a share above 1 was taken");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    CHECK(std::string(e.what()).find("common_word_share must be between 0 and 1") != std::string::npos);
  }
}

TEST_CASE("upsert and remove of an existing id on a collection leave exactly one copy, or none") {
  TempDir dir;
  const std::string c = dir / "c";
  std::vector<Record> records = testutil::corpus_records();
  records.resize(300);
  {
    IndexOptions o;
    o.shards = kShards;
    IndexWriter w(c, o);
    for (const Record& r : records) w.upsert(r);
    w.commit();
  }
  const std::string id = records[17].id;
  {
    IndexWriter w(c);  // a later writer finds the shard count in the directory
    Record changed = records[17];
    changed.question = "an entirely new question about zebras";
    CHECK(w.upsert(changed));
    CHECK_FALSE(w.upsert(testutil::make_record("new-1", "", "giraffes")));
    std::size_t listed = 0;  // uncommitted records are listed too, as on one database
    w.for_each([&](const Record&) { ++listed; });
    CHECK(listed == records.size() + 1);
    w.commit();
    Record out;
    REQUIRE(w.get(id, out));
    CHECK(out.question == changed.question);
    CHECK(w.stats().documents == records.size() + 1);
  }
  CHECK(copies(c, id) == 1);
  CHECK(Searcher(c).similar("zebras").hits.at(0).id == id);
  {
    IndexWriter w(c);
    CHECK(w.remove(id));
    CHECK_FALSE(w.remove(id));
    w.commit();
    std::set<std::string> exported;
    w.for_each([&](const Record& r) { CHECK(exported.insert(r.id).second); });
    CHECK(exported.size() == records.size());
    CHECK(exported.count(id) == 0);
    CHECK(exported.count("new-1") == 1);
  }
  CHECK(copies(c, id) == 0);
  SUBCASE("another shard count for an existing collection is refused") {
    IndexOptions o;
    o.shards = 2;
    try {
      IndexWriter w(c, o);
      FAIL("opened a 3-shard collection as 2 shards");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kInvalidArgument);
      CHECK(std::string(e.what()).find("holds 3 shards") != std::string::npos);
    }
  }
  SUBCASE("compact compacts each shard into a collection that ranks the same") {
    askalike::compact_database(c, dir / "compact");
    for (unsigned i = 0; i < kShards; ++i)
      CHECK(Xapian::Database(shard_path(dir / "compact", i)).get_doccount() ==
            Xapian::Database(shard_path(c, i)).get_doccount());
    testutil::check_same_results(Searcher(c), Searcher(dir / "compact"), testutil::corpus_queries(records), 20);
  }
}

TEST_CASE("a remote shard that hangs or stops gives a timeout or unavailable error, never a hang") {
  const Built& b = built();
  std::vector<std::unique_ptr<testutil::Server>> servers;
  std::string stub;
  for (unsigned i = 0; i < kShards; ++i) {
    servers.push_back(testutil::tcp_server(shard_path(b.collection, i)));
    stub += "remote 127.0.0.1:" + std::to_string(servers.back()->port()) + "\n";
  }
  SearcherOptions options;
  options.timeout_ms = 1000;
  Searcher searcher(write_file(b.dir / "failing.stub", stub), options);
  REQUIRE_FALSE(searcher.similar(b.queries[0]).hits.empty());

  servers[1]->process().pause();  // hung: accepts nothing, answers nothing
  auto start = std::chrono::steady_clock::now();
  try {
    searcher.similar(b.queries[1]);
    FAIL("a search with a hung shard succeeded");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kTimeout);
    CHECK(std::string(e.what()).find("did not answer in time") != std::string::npos);
    // Issue 23: the shard named as its stub line says.
    CHECK(std::string(e.what()).find("remote 127.0.0.1:" + std::to_string(servers[1]->port())) != std::string::npos);
  }
  // Within the timeout, with room for a loaded machine: not a hang.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));

  servers[1]->process().stop();  // down: the port refuses connections
  start = std::chrono::steady_clock::now();
  try {
    searcher.similar(b.queries[2]);
    FAIL("a search with a stopped shard succeeded");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUnavailable);
    CHECK(std::string(e.what()).find("unavailable") != std::string::npos);
    CHECK(std::string(e.what()).find("remote 127.0.0.1:" + std::to_string(servers[1]->port())) != std::string::npos);
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  try {
    Searcher reopened(b.dir / "failing.stub", options);
    FAIL("opened a stub with a stopped shard");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUnavailable);
  }
}

TEST_CASE("a test server dies with its test process, even on kill -9") {
  TempDir dir;
  IndexWriter(dir / "db").commit();
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const int port = testutil::free_port();
  pid_t test = ::fork();
  REQUIRE(test >= 0);
  if (test == 0) {
    // Stands for a test process: starts a server the tests' way, reports
    // its pid, then waits to be killed.
    ::close(pipe_fds[0]);
    try {
      testutil::Process server(
          {"xapian-tcpsrv", "--interface", "127.0.0.1", "--port", std::to_string(port), dir / "db"});
      pid_t pid = server.pid();
      (void)!::write(pipe_fds[1], &pid, sizeof pid);
      for (;;) ::pause();
    } catch (...) {
      ::_exit(1);  // never back into the test runner
    }
  }
  ::close(pipe_fds[1]);
  pid_t server = 0;
  REQUIRE(::read(pipe_fds[0], &server, sizeof server) == sizeof server);
  ::close(pipe_fds[0]);
  REQUIRE(server > 0);
  CHECK(::kill(server, 0) == 0);
  ::kill(test, SIGKILL);
  ::waitpid(test, nullptr, 0);
  // Gone, or a zombie nobody reaps yet (its parent was the killed process).
  auto dead = [&] {
    std::ifstream stat("/proc/" + std::to_string(server) + "/stat");
    std::string pid, name, state;
    return !(stat >> pid >> name >> state) || state == "Z";
  };
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = dead();
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(gone);
  if (!gone) ::kill(server, SIGKILL);
}

TEST_CASE("a query word's weight uses its record count over all shards, local and over xapian-tcpsrv") {
  // The counts of all query words are asked in one pass (one exchange per
  // remote shard, not one per word and shard): each weight must still be
  // the idf of the word's count in the whole collection.
  const Built& b = built();
  Xapian::Database whole(b.db);
  const double n = whole.get_doccount();
  std::vector<std::unique_ptr<testutil::Server>> servers;
  std::string stub;
  for (unsigned i = 0; i < kShards; ++i) {
    servers.push_back(testutil::tcp_server(shard_path(b.collection, i)));
    stub += "remote 127.0.0.1:" + std::to_string(servers.back()->port()) + "\n";
  }
  Searcher one(b.db), local(b.collection, testutil::every_query_at_once()),
      remote(write_file(b.dir / "weights.stub", stub));
  SearchOptions o;
  o.spelling = false;  // a correction would add words the text does not hold
  // Each word once, so that a weight is its idf alone; "zzyzxq" is in no record.
  const std::string text = "glaucoma symptoms treatment children zzyzxq";
  for (const Searcher* s : {&one, &local, &remote}) {
    auto r = s->similar(text, o);
    REQUIRE(r.query_terms.size() >= 3);
    for (const auto& t : r.query_terms) {
      CAPTURE(t.term);
      const double df = whole.get_termfreq(t.term);
      REQUIRE(df > 0);  // a word no record holds is not searched
      CHECK(t.weight == doctest::Approx(std::log((n + 1.0) / df)));
    }
  }
}
