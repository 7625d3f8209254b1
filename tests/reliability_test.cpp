// Faults a user meets with a live or damaged database: readers while a
// writer commits, reading beside a writer that holds the lock, and damaged
// tables.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test_util.hpp"

using askalike::Error;
using askalike::ErrorCode;
using askalike::Record;
using askalike::Searcher;
using testutil::TempDir;

namespace {

// The bundled English sample: real, varied records.
std::vector<Record> sample_records() {
  std::ifstream in(std::string(ASKALIKE_CORPUS_DIR) + "/medquad-sample.jsonl");
  std::vector<Record> out;
  std::size_t line = 0;
  for (std::string text; std::getline(in, text);) {
    out.push_back(Record::from_json(text, "medquad-sample", ++line));
    // Short answers: the tests also run under ThreadSanitizer, where
    // analysing long texts is slow, and the answers add nothing here.
    std::string& answer = out.back().answer;
    if (answer.size() > 300) answer.resize(answer.rfind(' ', 300));
  }
  REQUIRE(out.size() > 1000);
  return out;
}

std::vector<std::string> questions_of(const std::vector<Record>& records, std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n && i < records.size(); ++i) out.push_back(records[i * 7 % records.size()].question);
  return out;
}

}  // namespace

TEST_CASE("readers never fail while a writer commits") {
  TempDir dir;
  const std::string db = dir / "db";
  std::vector<Record> records = sample_records();
  askalike::IndexWriter writer(db);
  for (std::size_t i = 0; i < 300; ++i) writer.upsert(records[i]);
  writer.commit();

  Searcher searcher(db);  // one searcher, shared by every reader thread
  const std::vector<std::string> questions = questions_of(records, 40);
  std::atomic<bool> writing{true};
  std::atomic<int> searches{0}, errors{0};
  std::string first_error;
  std::mutex error_mutex;
  auto read = [&](int t) {
    for (std::size_t i = static_cast<std::size_t>(t); writing || searches < 40; ++i) {
      try {
        if (i % 5 == 0) {
          searcher.similar_batch(questions, askalike::SearchOptions(), 2);
        } else if (i % 5 == 1) {
          searcher.stats();
        } else {
          searcher.similar(questions[i % questions.size()]);
        }
        ++searches;
      } catch (const Error& e) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (errors++ == 0) first_error = e.what();
      }
    }
  };
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) readers.emplace_back(read, t);
  // Many small commits, each rewriting records the readers are reading.
  for (std::size_t batch = 0; batch < 30; ++batch) {
    for (std::size_t i = 0; i < 40; ++i) {
      Record r = records[(300 + batch * 40 + i) % records.size()];
      writer.upsert(r);
      Record again = records[(batch * 40 + i) % 300];
      again.answer += " (revised " + std::to_string(batch) + ")";
      writer.upsert(again);
    }
    writer.commit();
  }
  writing = false;
  for (auto& r : readers) r.join();
  CHECK(searches >= 40);
  CHECK_MESSAGE(errors == 0, first_error);
}

TEST_CASE("a searcher sees new commits after reopen(), or by itself with a refresh interval") {
  TempDir dir;
  const std::string db = dir / "db";
  askalike::IndexWriter writer(db);
  writer.upsert(testutil::make_record("old", "Knee pain", "My knee hurts on stairs"));
  writer.commit();

  askalike::SearcherOptions snapshot;  // the default: the state when opened
  askalike::SearcherOptions live;
  live.refresh_interval_ms = 1;
  Searcher fixed(db, snapshot), following(db, live);
  CHECK(fixed.stats().documents == 1);
  CHECK(following.stats().documents == 1);

  writer.upsert(testutil::make_record("new", "Zebra allergy", "Allergic to zebras at the zoo"));
  writer.commit();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past the 1 ms interval

  CHECK(fixed.similar("zebra allergy").hits.empty());
  CHECK(fixed.stats().documents == 1);
  auto seen = testutil::ids(following.similar("zebra allergy"));
  CHECK(seen == std::vector<std::string>{"new"});
  CHECK(following.stats().documents == 2);

  fixed.reopen();
  CHECK(fixed.stats().documents == 2);
}

TEST_CASE("records are read from one committed state beside a writer holding the lock") {
  TempDir dir;
  const std::string db = dir / "db";
  askalike::IndexWriter writer(db);
  std::vector<Record> records = sample_records();
  for (std::size_t i = 0; i < 100; ++i) writer.upsert(records[i]);
  writer.commit();
  writer.upsert(testutil::make_record("uncommitted", "", "not yet committed"));

  Searcher reader(db);
  std::vector<std::string> ids;
  reader.for_each([&](const Record& r) { ids.push_back(r.id); });
  CHECK(ids.size() == 100);
  CHECK(!testutil::contains(ids, "uncommitted"));
  CHECK(std::is_sorted(ids.begin(), ids.end()));
}

TEST_CASE("records read while a writer commits come from one committed state") {
  TempDir dir;
  const std::string db = dir / "db";
  std::vector<Record> records = sample_records();
  askalike::IndexWriter writer(db);
  // Each commit replaces every record with the same revision mark, so a
  // consistent read sees one mark on every record.
  auto commit_revision = [&](int revision) {
    for (std::size_t i = 0; i < 100; ++i) {
      Record r = records[i];
      r.category = "revision " + std::to_string(revision);
      writer.upsert(r);
    }
    writer.commit();
  };
  commit_revision(0);
  Searcher reader(db);
  std::atomic<bool> writing{true};
  std::thread commits([&] {
    for (int revision = 1; revision <= 30; ++revision) commit_revision(revision);
    writing = false;
  });
  int reads = 0, mixed = 0, incomplete = 0, errors = 0;
  std::string first_error;
  while (writing || reads == 0) {
    std::set<std::string> marks;
    std::size_t n = 0;
    try {
      reader.for_each([&](const Record& r) {
        marks.insert(r.category);
        ++n;
      });
    } catch (const Error& e) {
      if (errors++ == 0) first_error = e.what();
      continue;
    }
    if (marks.size() != 1) ++mixed;
    if (n != 100) ++incomplete;
    ++reads;
  }
  commits.join();
  CHECK(reads > 0);
  CHECK(mixed == 0);
  CHECK(incomplete == 0);
  CHECK_MESSAGE(errors == 0, first_error);
}

TEST_CASE("a damaged table gives an error that names the database and says what to do") {
  TempDir dir;
  const std::string good = dir / "good";
  {
    askalike::IndexWriter writer(good);
    std::vector<Record> records = sample_records();
    for (std::size_t i = 0; i < 1500; ++i) writer.upsert(records[i]);
    writer.commit();
  }
  REQUIRE(askalike::check_database(good).sound);

  for (const char* table : {"postlist", "termlist", "docdata"}) {
    CAPTURE(table);
    const std::string db = dir / (std::string("damaged-") + table);
    std::filesystem::copy(good, db);
    const std::string file = db + "/" + table + ".glass";
    REQUIRE(std::filesystem::exists(file));
    std::filesystem::resize_file(file, std::filesystem::file_size(file) / 2);

    askalike::CheckReport report = askalike::check_database(db);
    CHECK(!report.sound);
    CHECK(!report.details.empty());

    // Every read that meets the damage says so; some reads may not meet it.
    int damaged = 0;
    auto expect_damage = [&](auto&& body) {
      try {
        body();
      } catch (const Error& e) {
        ++damaged;
        std::string what = e.what();
        CHECK(e.code() == ErrorCode::kCorrupt);
        CHECK(what.find(db) != std::string::npos);
        CHECK(what.find("damaged") != std::string::npos);
        CHECK(what.find("rebuild") != std::string::npos);
        CHECK(what.find("restore") != std::string::npos);
      }
    };
    expect_damage([&] {
      Searcher s(db);
      s.stats();
      s.similar_batch(questions_of(sample_records(), 200));
      s.for_each([](const Record&) {});
    });
    CHECK(damaged == 1);
  }
}

// Found by fuzz_jsonl: a number too large for a double made nlohmann's
// out_of_range escape the library, and stopped an import that skips bad lines.
TEST_CASE("a JSON number out of range is a bad line like any other") {
  try {
    Record::from_json("6e750652", "huge.jsonl", 7);
    FAIL("no error");
  } catch (const askalike::ParseError& e) {
    CHECK(e.line() == 7);
    CHECK(std::string(e.what()).find("huge.jsonl:7: invalid JSON: number overflow") == 0);
  }
  std::istringstream in("{\"id\":\"a\",\"question\":\"one\"}\n6e750652\n{\"id\":\"b\",\"question\":\"two\"}\n");
  askalike::JsonlReader reader(in, "huge.jsonl", /*skip_bad_lines=*/true);
  std::vector<std::string> ids;
  for (Record r; reader.next(r);) ids.push_back(r.id);
  CHECK(ids == std::vector<std::string>{"a", "b"});
  REQUIRE(reader.bad_lines().size() == 1);
  CHECK(reader.bad_lines()[0].line == 2);
}
