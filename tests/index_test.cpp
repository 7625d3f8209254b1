// Building and updating a database: upsert, remove, commit, ingest, stats.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "test_util.hpp"

using askalike::IndexWriter;
using askalike::Searcher;
using testutil::make_record;
using testutil::TempDir;

TEST_CASE("upsert by id keeps one record, the newer") {
  TempDir dir;
  IndexWriter writer(dir / "db");
  CHECK_FALSE(writer.upsert(make_record("q1", "Old title", "old question about knees")));
  CHECK(writer.upsert(make_record("q1", "New title", "new question about elbows")));
  writer.commit();
  CHECK(writer.stats().documents == 1);
  askalike::Record r;
  REQUIRE(writer.get("q1", r));
  CHECK(r.title == "New title");

  Searcher searcher(dir / "db");
  CHECK(searcher.similar("knees").hits.empty());  // the old text is gone from the index
  CHECK(testutil::ids(searcher.similar("elbows")) == std::vector<std::string>{"q1"});
}

TEST_CASE("remove by id") {
  TempDir dir;
  IndexWriter writer(dir / "db");
  writer.upsert(make_record("a", "", "migraine with aura"));
  writer.upsert(make_record("b", "", "migraine without aura"));
  writer.commit();
  CHECK(writer.remove("a"));
  CHECK_FALSE(writer.remove("a"));
  CHECK_FALSE(writer.remove("never-there"));
  writer.commit();
  Searcher searcher(dir / "db");
  CHECK(testutil::ids(searcher.similar("migraine")) == std::vector<std::string>{"b"});
}

TEST_CASE("changes are visible only after commit, and dropped without it") {
  TempDir dir;
  {
    IndexWriter writer(dir / "db");
    writer.upsert(make_record("kept", "", "asthma inhaler"));
    writer.commit();
    writer.upsert(make_record("lost", "", "asthma attack at night"));
    Searcher before(dir / "db");
    CHECK(testutil::ids(before.similar("asthma")) == std::vector<std::string>{"kept"});
    // The writer goes out of scope without commit().
  }
  Searcher after(dir / "db");
  CHECK(testutil::ids(after.similar("asthma")) == std::vector<std::string>{"kept"});

  SUBCASE("rollback discards as well") {
    IndexWriter writer(dir / "db");
    writer.upsert(make_record("gone", "", "asthma"));
    writer.rollback();
    writer.commit();
    CHECK(writer.stats().documents == 1);
  }
  SUBCASE("a searcher sees new commits after reopen") {
    Searcher searcher(dir / "db");
    {
      IndexWriter writer(dir / "db");
      writer.upsert(make_record("new", "", "asthma in children"));
      writer.commit();
    }
    CHECK(searcher.similar("asthma").hits.size() == 1);
    searcher.reopen();
    CHECK(searcher.similar("asthma").hits.size() == 2);
  }
}

TEST_CASE("statistics") {
  TempDir dir;
  IndexWriter writer(dir / "db");
  auto r1 = make_record("1", "Gout", "What causes gout?", "Uric acid crystals.", "Rheumatology");
  auto r2 = make_record("2", "Gout diet", "Which foods make gout worse?", "", "Rheumatology");
  auto r3 = make_record("3", "心悸", "心悸是什么原因", "", "心血管科");
  r3.lang = "zh";
  writer.upsert(r1);
  writer.upsert(r2);
  writer.upsert(r3);
  writer.commit();
  askalike::IndexStats s = writer.stats();
  CHECK(s.documents == 3);
  CHECK(s.distinct_terms > 10);
  CHECK(s.average_length > 1.0);
  REQUIRE(s.categories.size() == 2);
  CHECK(s.categories[0].value == "Rheumatology");
  CHECK(s.categories[0].count == 2);
  CHECK(s.categories[1].value == "心血管科");
  REQUIRE(s.languages.size() == 2);
  CHECK(s.languages[0].value == "en");
  CHECK(s.languages[0].count == 2);
  CHECK(s.languages[1].value == "zh");
}

TEST_CASE("JSON Lines ingest") {
  TempDir dir;
  const std::string good =
      "{\"id\": \"g1\", \"title\": \"Shingles\", \"question\": \"Is shingles contagious?\", \"tags\": [\"virus\"], "
      "\"doctor\": \"Dr. Lin\", \"score\": 3}\n"
      "\n"
      "{\"id\": \"g2\", \"question\": \"Can adults get chickenpox twice?\", \"date\": \"2020-01-02\"}\n";

  SUBCASE("records, extras and a report") {
    IndexWriter writer(dir / "db");
    std::istringstream in(good);
    auto report = writer.add_jsonl(in, "good.jsonl");
    CHECK(report.read == 2);
    CHECK(report.added == 2);
    CHECK(report.replaced == 0);
    askalike::Record r;
    REQUIRE(writer.get("g1", r));
    CHECK(r.tags == std::vector<std::string>{"virus"});
    CHECK(r.extra.at("doctor") == "\"Dr. Lin\"");
    CHECK(r.extra.at("score") == "3");
    SUBCASE("the same load twice leaves the same database") {
      std::istringstream again(good);
      auto second = writer.add_jsonl(again, "good.jsonl");
      CHECK(second.added == 0);
      CHECK(second.replaced == 2);
      CHECK(writer.stats().documents == 2);
    }
  }

  SUBCASE("a bad line stops the load, names file and line, keeps what came before") {
    {
      IndexWriter writer(dir / "db");
      writer.upsert(make_record("old", "", "earlier record about shingles vaccine"));
      writer.commit();
      std::istringstream in(good + "{\"id\": \"g3\", \"question\": \"fine\"}\n{\"id\": \"g4\", \"question\": oops}\n" +
                            "{\"id\": \"g5\", \"question\": \"after\"}\n");
      try {
        writer.add_jsonl(in, "dump.jsonl");
        FAIL("expected a ParseError");
      } catch (const askalike::ParseError& e) {
        CHECK(e.line() == 5);
        CHECK(e.source() == "dump.jsonl");
        CHECK(std::string(e.what()).rfind("dump.jsonl:5: invalid JSON", 0) == 0);
        CHECK(e.code() == askalike::ErrorCode::kParse);
      }
    }
    Searcher searcher(dir / "db");
    askalike::Record r;
    CHECK(searcher.get("old", r));
    CHECK(searcher.get("g1", r));
    CHECK(searcher.get("g3", r));
    CHECK_FALSE(searcher.get("g5", r));
    CHECK(testutil::contains(testutil::ids(searcher.similar("shingles vaccine")), "old"));
  }

  SUBCASE("bad lines can be skipped and listed") {
    IndexWriter writer(dir / "db");
    std::istringstream in("{\"question\": \"no id\"}\n" + good + "[1, 2]\n{\"id\": \"t\", \"tags\": 5}\n");
    askalike::IngestOptions options;
    options.skip_bad_lines = true;
    std::size_t progress_calls = 0;
    options.progress = [&](std::size_t) { ++progress_calls; };
    options.progress_every = 1;
    auto report = writer.add_jsonl(in, "mixed.jsonl", options);
    CHECK(report.read == 2);
    CHECK(report.skipped == 3);
    REQUIRE(report.bad_lines.size() == 3);
    CHECK(report.bad_lines[0].line == 1);
    CHECK(report.bad_lines[0].reason == "missing \"id\"");
    CHECK(report.bad_lines[1].line == 5);
    CHECK(report.bad_lines[2].line == 6);
    CHECK(report.bad_lines[2].reason == "\"tags\" must be an array of strings");
    CHECK(progress_calls == 2);
    CHECK(writer.stats().documents == 2);
  }
}

TEST_CASE("a record the index refuses is a bad line too") {
  TempDir dir;
  IndexWriter writer(dir / "db");
  const std::string lines = "{\"id\": \"ok\", \"question\": \"fine\"}\n{\"id\": \"" + std::string(300, 'x') +
                            "\", \"question\": \"too long an id\"}\n";
  SUBCASE("stops with file and line") {
    std::istringstream in(lines);
    try {
      writer.add_jsonl(in, "ids.jsonl");
      FAIL("expected a ParseError");
    } catch (const askalike::ParseError& e) {
      CHECK(e.line() == 2);
      CHECK(std::string(e.what()).rfind("ids.jsonl:2: record id longer than 200 bytes", 0) == 0);
    }
    askalike::Record r;
    CHECK(writer.get("ok", r));  // the record before it was kept
  }
  SUBCASE("or is skipped and listed") {
    std::istringstream in(lines);
    askalike::IngestOptions options;
    options.skip_bad_lines = true;
    auto report = writer.add_jsonl(in, "ids.jsonl", options);
    CHECK(report.read == 1);
    REQUIRE(report.bad_lines.size() == 1);
    CHECK(report.bad_lines[0].line == 2);
  }
}

TEST_CASE("records round-trip through JSON and the database") {
  TempDir dir;
  auto r = make_record("rt-1", "Título", "¿Qué es la gripe? 流感", "Una infección viral.", "General");
  r.tags = {"flu", "virus"};
  r.lang = "es";
  r.url = "https://example.org/q/1";
  r.date = "2024-02-29";
  r.group = "g7";
  r.extra["doctor"] = "\"Dr. Ye\"";
  r.extra["similar"] = "[\"a\",\"b\"]";
  CHECK(askalike::Record::from_json(r.to_json()) == r);
  SUBCASE("an extra named like a field does not shadow it") {
    askalike::Record shadow = r;
    shadow.extra["title"] = "\"not the title\"";
    CHECK(askalike::Record::from_json(shadow.to_json()).title == "Título");
  }
  IndexWriter writer(dir / "db");
  writer.upsert(r);
  writer.commit();
  std::vector<askalike::Record> all;
  writer.for_each([&](const askalike::Record& x) { all.push_back(x); });
  REQUIRE(all.size() == 1);
  CHECK(all[0] == r);
}

TEST_CASE("analyzer settings are stored with the database and used by searchers") {
  TempDir dir;
  askalike::IndexOptions options;
  options.analyzer.stem = false;
  {
    IndexWriter writer(dir / "db", options);
    writer.upsert(make_record("r", "", "running shoes"));
    writer.commit();
  }
  // Reopened with other options: the stored settings win.
  IndexWriter writer(dir / "db");
  CHECK_FALSE(writer.analyzer().options().stem);
  writer.upsert(make_record("s", "", "runs daily"));
  writer.commit();
  Searcher searcher(dir / "db");
  CHECK_FALSE(searcher.stats().analyzer.stem);
  CHECK(testutil::ids(searcher.similar("running")) == std::vector<std::string>{"r"});  // no stemming: "runs" differs
}

TEST_CASE("compaction keeps every record") {
  TempDir dir;
  {
    IndexWriter writer(dir / "db");
    for (int i = 0; i < 50; ++i) writer.upsert(make_record("c" + std::to_string(i), "", "cough number " + std::to_string(i)));
    writer.commit();
  }
  askalike::compact_database(dir / "db", dir / "compact");
  Searcher searcher(dir / "compact");
  CHECK(searcher.stats().documents == 50);
  CHECK(searcher.similar("cough 17").hits.at(0).id == "c17");
  CHECK_THROWS_AS(askalike::compact_database(dir / "db", dir / "compact"), askalike::Error);
}

namespace {

// A load of ~1,000 records from the bundled corpus in which ids repeat (the
// later record must win), with a malformed line and an id the index refuses
// at the given lines (0: none).
std::string mixed_load(std::size_t bad_json_line, std::size_t bad_id_line) {
  std::ifstream in(std::string(ASKALIKE_CORPUS_DIR) + "/medquad-sample.jsonl");
  REQUIRE(in);
  std::vector<askalike::Record> records;
  std::string line;
  while (records.size() < 900 && std::getline(in, line)) records.push_back(askalike::Record::from_json(line));
  std::string out;
  std::size_t n = 0;
  auto emit = [&](const std::string& text) {
    ++n;
    if (n == bad_json_line) out += "{\"id\": \"broken\", \"question\": oops}\n", ++n;
    if (n == bad_id_line) out += "{\"id\": \"" + std::string(300, 'x') + "\", \"question\": \"long id\"}\n", ++n;
    out += text + "\n";
  };
  for (std::size_t i = 0; i < records.size(); ++i) {
    emit(records[i].to_json());
    if (i % 7 == 6) {  // a newer version of an earlier record
      askalike::Record again = records[i - 5];
      again.title = "Revised " + std::to_string(i) + ": " + again.title;
      again.question += " (asked again)";
      emit(again.to_json());
    }
  }
  return out;
}

struct LoadResult {
  askalike::IngestReport report;
  std::vector<std::size_t> progress;
  std::string error;  // what() of the exception ingest threw, if any
  std::size_t error_line = 0;
  std::vector<askalike::Record> stored;       // committed records, in id order
  std::vector<std::string> hits;              // ids and scores of some searches
};

// Loads `text` into a new database, or a new collection of `shards` shards.
LoadResult load(const std::string& db, const std::string& text, unsigned threads, bool skip, unsigned shards = 1) {
  LoadResult out;
  askalike::IndexOptions index_options;
  if (shards > 1) index_options.shards = shards;
  askalike::IndexWriter writer(db, index_options);
  askalike::IngestOptions options;
  options.threads = threads;
  options.skip_bad_lines = skip;
  options.batch_size = 97;  // many commits, not in step with anything else
  options.progress_every = 50;
  options.progress = [&](std::size_t n) { out.progress.push_back(n); };
  std::istringstream in(text);
  try {
    out.report = writer.add_jsonl(in, "load.jsonl", options);
  } catch (const askalike::ParseError& e) {
    out.error = e.what();
    out.error_line = e.line();
  }
  // What was committed, as a searcher sees it (the writer stays open).
  askalike::Searcher searcher(db);
  std::size_t in_writer = 0;
  writer.for_each([&](const askalike::Record& r) {
    ++in_writer;
    askalike::Record committed;
    if (searcher.get(r.id, committed)) out.stored.push_back(committed);
  });
  CHECK(out.stored.size() == in_writer);  // nothing left uncommitted
  CHECK(searcher.stats().documents == in_writer);
  for (const char* q : {"What causes high blood pressure?", "asked again", "Revised glaucoma treatment",
                        "symptoms of diabetes in children"}) {
    for (const auto& h : searcher.similar(q).hits) out.hits.push_back(h.id + " " + std::to_string(h.score));
  }
  return out;
}

void check_same(const LoadResult& serial, const LoadResult& parallel) {
  CHECK(parallel.error == serial.error);
  CHECK(parallel.error_line == serial.error_line);
  CHECK(parallel.report.read == serial.report.read);
  CHECK(parallel.report.added == serial.report.added);
  CHECK(parallel.report.replaced == serial.report.replaced);
  CHECK(parallel.report.skipped == serial.report.skipped);
  REQUIRE(parallel.report.bad_lines.size() == serial.report.bad_lines.size());
  for (std::size_t i = 0; i < serial.report.bad_lines.size(); ++i) {
    CHECK(parallel.report.bad_lines[i].source == serial.report.bad_lines[i].source);
    CHECK(parallel.report.bad_lines[i].line == serial.report.bad_lines[i].line);
    CHECK(parallel.report.bad_lines[i].reason == serial.report.bad_lines[i].reason);
  }
  CHECK(parallel.progress == serial.progress);
  CHECK(parallel.stored.size() == serial.stored.size());
  CHECK(parallel.stored == serial.stored);
  CHECK(parallel.hits == serial.hits);
}

}  // namespace

TEST_CASE("ingest with several threads gives what one thread gives, in one database and in shards") {
  TempDir dir;
  // Loads `text` with one thread, then with several, each into a new
  // database; a collection's parallel load writes its shards on a thread each.
  auto compare = [&](const std::string& name, const std::string& text, bool skip) {
    LoadResult first;
    for (unsigned shards : {1u, 3u}) {
      CAPTURE(shards);
      const std::string base = name + "-" + std::to_string(shards) + "shards-";
      LoadResult serial = load(dir / (base + "1"), text, 1, skip, shards);
      for (unsigned threads : {2u, 3u, 8u}) {
        CAPTURE(threads);
        check_same(serial, load(dir / (base + std::to_string(threads)), text, threads, skip, shards));
      }
      if (shards == 1) {
        first = serial;
      } else {  // the same records and reports; only the order of tied hits may differ
        CHECK(serial.stored == first.stored);
        CHECK(serial.error_line == first.error_line);
        CHECK(serial.report.replaced == first.report.replaced);
      }
    }
    return first;
  };
  SUBCASE("a clean load with repeated ids: the last record of an id wins") {
    LoadResult serial = compare("clean", mixed_load(0, 0), false);
    CHECK(serial.error.empty());
    CHECK(serial.report.replaced > 100);
    CHECK(serial.report.added == serial.stored.size());
    CHECK(serial.hits.size() > 20);
    CHECK(serial.progress.size() == serial.report.read / 50);
  }
  SUBCASE("a malformed line stops both at the same line, after the same commits") {
    LoadResult serial = compare("json", mixed_load(700, 0), false);
    CHECK(serial.error_line == 700);
    CHECK(serial.report.read == 0);  // no report: the load threw
    CHECK(serial.stored.size() > 450);
  }
  SUBCASE("an id the index refuses stops both at the same line") {
    LoadResult serial = compare("id", mixed_load(0, 400), false);
    CHECK(serial.error_line == 400);
    CHECK(serial.error.find("record id longer than 200 bytes") != std::string::npos);
  }
  SUBCASE("skipping bad lines lists the same lines") {
    LoadResult serial = compare("skip", mixed_load(800, 150), true);
    REQUIRE(serial.report.bad_lines.size() == 2);
    CHECK(serial.report.bad_lines[0].line == 800);  // the source's own first, then the refused
    CHECK(serial.report.bad_lines[1].line == 150);
  }
}

TEST_CASE("an exception from the progress callback stops a parallel load") {
  TempDir dir;
  for (unsigned threads : {1u, 4u}) {
    CAPTURE(threads);
    askalike::IndexWriter writer(dir / ("db" + std::to_string(threads)));
    askalike::IngestOptions options;
    options.threads = threads;
    options.progress_every = 100;
    options.progress = [](std::size_t n) {
      if (n == 300) throw std::runtime_error("stop at 300");
    };
    std::istringstream in(mixed_load(0, 0));
    CHECK_THROWS_WITH_AS(writer.add_jsonl(in, "load.jsonl", options), "stop at 300", std::runtime_error);
    // The writer is usable afterwards.
    writer.upsert(make_record("after", "", "a record after the failed load"));
    writer.commit();
    askalike::Record r;
    CHECK(writer.get("after", r));
  }
}
