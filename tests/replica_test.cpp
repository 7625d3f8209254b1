// Replicas: a master written with IndexOptions::max_changesets, served by
// stock xapian-replicate-server and copied by stock xapian-replicate, while
// a searcher on the replica searches without pause, moving to new revisions
// by itself (SearcherOptions::refresh_interval_ms).
#include <doctest/doctest.h>
#include <xapian.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "compare_results.hpp"
#include "servers.hpp"
#include "test_util.hpp"

using askalike::Error;
using askalike::IndexOptions;
using askalike::IndexWriter;
using askalike::Record;
using askalike::Searcher;
using testutil::TempDir;

namespace {

constexpr std::size_t kCommits = 10;
constexpr std::size_t kPerCommit = 40;

// Waits (at most `seconds`) until `done` holds.
template <typename Done>
bool wait_for(Done&& done, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

std::size_t documents_at(const std::string& path) {
  try {
    return Searcher(path).stats().documents;
  } catch (const Error&) {
    return 0;  // not copied yet
  }
}

}  // namespace

TEST_CASE("the master keeps changesets only when asked") {
  TempDir dir;
  for (unsigned keep : {0u, 5u}) {
    CAPTURE(keep);
    const std::string db = dir / ("db" + std::to_string(keep));
    IndexOptions o;
    o.max_changesets = keep;
    IndexWriter w(db, o);
    for (int i = 0; i < 3; ++i) {
      w.upsert(testutil::make_record("r" + std::to_string(i), "", "question number " + std::to_string(i)));
      w.commit();
    }
    bool has_changesets = false;
    for (const auto& entry : std::filesystem::directory_iterator(db))
      has_changesets = has_changesets || entry.path().filename().string().rfind("changes", 0) == 0;
    CHECK(has_changesets == (keep > 0));
  }
}

TEST_CASE("writers with and without changesets committing at once each get their own setting at every commit") {
  // Glass reads XAPIAN_MAX_CHANGESETS at every commit: two writers of one
  // process committing in turn on two threads must not take each other's.
  TempDir dir;
  constexpr int kRounds = 12;
  auto load = [&](const std::string& name, unsigned keep) {
    IndexOptions o;
    o.max_changesets = keep;
    IndexWriter w(dir / name, o);
    for (int i = 0; i < kRounds; ++i) {
      w.upsert(testutil::make_record(name + std::to_string(i), "", "question number " + std::to_string(i)));
      w.commit();
    }
  };
  std::thread with([&] { load("with", 5); }), without([&] { load("without", 0); });
  with.join();
  without.join();
  auto changesets = [&](const std::string& name) {
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir / name))
      n += entry.path().filename().string().rfind("changes", 0) == 0;
    return n;
  };
  CHECK(changesets("without") == 0);
  CHECK(changesets("with") == 5);  // the last 5 of its 13 commits, none missed at the end
}

TEST_CASE("a replica follows its master through 10 commits; a searcher on it sees only committed states") {
  TempDir dir;
  const std::string parent = dir / "masters", master = parent + "/qa", replica = dir / "replica";
  std::filesystem::create_directories(parent);
  std::vector<Record> records = testutil::corpus_records();
  REQUIRE(records.size() >= kPerCommit * (kCommits + 1));
  IndexOptions options;
  options.max_changesets = 20;
  IndexWriter writer(master, options);
  std::set<std::size_t> committed;  // the document counts of the committed states
  std::size_t next = 0;
  auto commit_batch = [&] {
    for (std::size_t end = next + kPerCommit; next < end; ++next) writer.upsert(records[next]);
    writer.commit();
    committed.insert(next);
  };
  commit_batch();
  // Questions of the first commit's records that find something in it: they
  // find something in every later state too.
  std::vector<std::string> questions;
  {
    Searcher first(master);
    for (std::size_t i = 0; i < kPerCommit; ++i)
      if (!first.similar(records[i].question).hits.empty()) questions.push_back(records[i].question);
  }
  REQUIRE(questions.size() > kPerCommit / 2);

  testutil::Server server("xapian-replicate-server", {parent});
  // -i 0: ask the master again at once; -r 0: apply changesets without
  // waiting for readers (the searcher below must cope).
  testutil::Process replicate({"xapian-replicate", "-h", "127.0.0.1", "-p", std::to_string(server.port()), "-m", "qa",
                               "-i", "0", "-r", "0", "-q", replica});
  REQUIRE(wait_for([&] { return documents_at(replica) == kPerCommit; }, 60));

  std::atomic<bool> stop{false};
  std::mutex seen_mutex;
  std::set<std::size_t> seen;
  std::vector<std::string> errors;
  std::size_t searches = 0;
  std::thread reader([&] {
    // The library's own refresh: every call moves to the newest revision at
    // least 5 ms old, and retries when replication overwrites what it reads.
    askalike::SearcherOptions refreshing;
    refreshing.refresh_interval_ms = 5;
    Searcher searcher(replica, refreshing);
    while (!stop) {
      try {
        std::size_t documents = searcher.stats().documents;
        auto hits = searcher.similar(questions[searches % questions.size()]).hits;
        std::lock_guard<std::mutex> lock(seen_mutex);
        seen.insert(documents);
        if (hits.empty()) errors.push_back("no hits with " + std::to_string(documents) + " records");
        ++searches;
      } catch (const Error& e) {
        std::lock_guard<std::mutex> lock(seen_mutex);
        errors.push_back(e.what());
      }
    }
  });
  for (std::size_t c = 0; c < kCommits; ++c) {
    commit_batch();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const std::size_t final_count = next;
  bool caught_up = wait_for(
      [&] {
        std::lock_guard<std::mutex> lock(seen_mutex);
        return seen.count(final_count) > 0;
      },
      60);
  stop = true;
  reader.join();
  CHECK(caught_up);
  CHECK(replicate.running());
  for (const std::string& e : errors) CHECK_MESSAGE(false, e);
  for (std::size_t count : seen) CHECK_MESSAGE(committed.count(count) == 1, count << " records is no committed state");
  MESSAGE(searches << " searches on the replica saw " << seen.size() << " of " << committed.size() << " committed states");
  // The replica holds what the master holds.
  testutil::check_same_results(Searcher(master), Searcher(replica), testutil::corpus_queries(records), 1);
}
