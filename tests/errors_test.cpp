// The error model: every failure is an askalike::Error with a clear message.
#include <doctest/doctest.h>
#include <xapian.h>

#include <fstream>

#include "test_util.hpp"

using askalike::Error;
using askalike::ErrorCode;
using testutil::make_record;
using testutil::TempDir;
using testutil::error_of;

namespace {


bool mentions(const Error& e, const std::string& text) {
  return std::string(e.what()).find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("a missing database") {
  TempDir dir;
  Error e = error_of([&] { askalike::Searcher s(dir / "nowhere"); });
  CHECK(e.code() == ErrorCode::kNotFound);
  CHECK(mentions(e, "no askalike database at " + (dir / "nowhere")));
  CHECK(mentions(e, "askalike index"));  // says what to do

  askalike::IndexOptions options;
  options.create_if_missing = false;
  CHECK(error_of([&] { askalike::IndexWriter w(dir / "nowhere", options); }).code() == ErrorCode::kNotFound);
  CHECK(error_of([&] { askalike::Searcher s(dir.path()); }).code() == ErrorCode::kNotFound);  // empty directory
}

TEST_CASE("a database locked by another writer") {
  TempDir dir;
  askalike::IndexWriter first(dir / "db");
  Error e = error_of([&] { askalike::IndexWriter second(dir / "db"); });
  CHECK(e.code() == ErrorCode::kDatabaseLocked);
  CHECK(mentions(e, "locked by another writer"));
  SUBCASE("readers are not blocked") {
    first.upsert(make_record("x", "", "question"));
    first.commit();
    askalike::Searcher reader(dir / "db");
    CHECK(reader.stats().documents == 1);
  }
}

TEST_CASE("a database written by an incompatible version") {
  TempDir dir;
  {
    askalike::IndexWriter writer(dir / "db");
    writer.upsert(make_record("x", "", "question"));
    writer.commit();
  }
  // The version that `askalike --version` reports is the one written.
  CHECK(Xapian::Database(dir / "db").get_metadata("askalike.schema") == std::to_string(askalike::schema_version()));
  {
    Xapian::WritableDatabase db(dir / "db", Xapian::DB_OPEN);
    db.set_metadata("askalike.schema", "99");
    db.commit();
  }
  Error e = error_of([&] { askalike::Searcher s(dir / "db"); });
  CHECK(e.code() == ErrorCode::kIncompatibleVersion);
  CHECK(mentions(e, "schema 99"));
  CHECK(error_of([&] { askalike::IndexWriter w(dir / "db"); }).code() == ErrorCode::kIncompatibleVersion);
}

TEST_CASE("a Xapian database that askalike did not write") {
  TempDir dir;
  {
    Xapian::WritableDatabase db(dir / "other", Xapian::DB_CREATE);
    Xapian::Document doc;
    doc.add_term("hello");
    db.add_document(doc);
    db.commit();
  }
  Error e = error_of([&] { askalike::Searcher s(dir / "other"); });
  CHECK(e.code() == ErrorCode::kIncompatibleVersion);
  CHECK(mentions(e, "not written by askalike"));
}

TEST_CASE("a damaged database") {
  TempDir dir;
  {
    askalike::IndexWriter writer(dir / "db");
    for (int i = 0; i < 20; ++i) writer.upsert(make_record(std::to_string(i), "", "some question text"));
    writer.commit();
  }
  {
    std::ofstream out(dir / "db/postlist.glass", std::ios::binary | std::ios::trunc);
    out << std::string(8192, '\x5a');
  }
  Error e = error_of([&] {
    askalike::Searcher s(dir / "db");
    s.similar("question text");
  });
  CHECK((e.code() == ErrorCode::kCorrupt || e.code() == ErrorCode::kIO));
}

TEST_CASE("bad arguments") {
  TempDir dir;
  askalike::IndexWriter writer(dir / "db");
  CHECK(error_of([&] { writer.upsert(make_record("", "t", "q")); }).code() == ErrorCode::kInvalidArgument);
  Error long_id = error_of([&] { writer.upsert(make_record(std::string(300, 'i'), "t", "q")); });
  CHECK(long_id.code() == ErrorCode::kInvalidArgument);
  CHECK(mentions(long_id, "longer than 200 bytes"));
  {
    std::ofstream(dir / "afile") << "not a database\n";
    Error file = error_of([&] { askalike::IndexWriter w(dir / "afile"); });
    CHECK(file.code() == ErrorCode::kInvalidArgument);
    CHECK(mentions(file, "is a file, not a database directory"));
  }
  writer.upsert(make_record("x", "", "question"));
  writer.commit();
  askalike::Searcher searcher(dir / "db");
  askalike::SearchOptions o;
  o.since = "yesterday";
  Error date = error_of([&] { searcher.similar("question", o); });
  CHECK(date.code() == ErrorCode::kInvalidArgument);
  CHECK(mentions(date, "not 'yesterday'"));
  o.since = "2020-02";
  CHECK_NOTHROW(searcher.similar("question", o));
  askalike::AnalyzerOptions bad;
  bad.max_term_bytes = 1000;
  CHECK(error_of([&] { askalike::Analyzer a(bad); }).code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("malformed records") {
  auto parse = [](const std::string& json) {
    return error_of([&] { askalike::Record::from_json(json, "in.jsonl", 7); });
  };
  Error e = parse("{\"id\": 1, \"question\": [\"not\", \"text\"]}");
  CHECK(e.code() == ErrorCode::kParse);
  CHECK(std::string(e.what()) == "in.jsonl:7: \"question\" must be a string, got array");
  CHECK(std::string(parse("{\"title\": \"x\"}").what()) == "in.jsonl:7: missing \"id\"");
  CHECK(std::string(parse("[]").what()) == "in.jsonl:7: expected a JSON object, got array");
  CHECK(mentions(parse("{\"id\": \"x\""), "in.jsonl:7: invalid JSON"));
  CHECK(askalike::Record::from_json("{\"id\": 42}").id == "42");  // numeric ids are kept as text
}

TEST_CASE("errors are std::runtime_errors with stable code names") {
  Error e(ErrorCode::kDatabaseLocked, "locked");
  const std::runtime_error& base = e;
  CHECK(std::string(base.what()) == "locked");
  CHECK(std::string(askalike::error_code_name(ErrorCode::kNotFound)) == "not_found");
  CHECK(std::string(askalike::error_code_name(ErrorCode::kIncompatibleVersion)) == "incompatible_version");
}
