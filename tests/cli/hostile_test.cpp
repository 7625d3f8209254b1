// Hostile input through the askalike program: database stubs that would run
// a program, deep JSON, bad encodings, binary files, huge input, bad options.
// Each case is something a user was able to do to askalike before.
#include <doctest/doctest.h>

#include <askalike/askalike.hpp>

#include <filesystem>

#include "cli_util.hpp"

using clitest::exported;
using clitest::Run;
using clitest::TempDir;
using clitest::write_file;

namespace {

// The askalike program (the name askalike is the library's namespace here).
Run run(const std::vector<std::string>& args) { return clitest::askalike(args); }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a database stub that would start a program runs nothing") {
  TempDir dir;
  const std::string marker = dir / "pwned";
  std::filesystem::create_directory(dir / "s.db");
  write_file(dir / "s.db/XAPIANDB", "remote :/usr/bin/touch " + marker + "\n");
  write_file(dir / "stubfile", "remote :/usr/bin/touch " + marker + "\n");
  write_file(dir / "in.jsonl", "{\"id\":\"a\",\"question\":\"knee pain\"}\n");
  for (const std::string db : {dir / "s.db", dir / "stubfile"}) {
    CAPTURE(db);
    for (const auto& args : std::vector<std::vector<std::string>>{{"stats", "-d", db}, {"similar", "-d", db, "knee pain"}}) {
      Run r = run(args);
      CAPTURE(r.err);
      CHECK(r.code == 1);
      CHECK(has(r.err, "would start a program"));
      CHECK_FALSE(has(r.err, "bug in askalike"));
    }
  }
  for (const auto& args : std::vector<std::vector<std::string>>{{"index", "-d", dir / "s.db", dir / "in.jsonl"},
                                                                {"export", "-d", dir / "s.db"}}) {
    Run r = run(args);
    CAPTURE(r.err);
    CHECK(r.code == 1);
    CHECK(has(r.err, "s.db/XAPIANDB:1: database stub line refused"));
  }
  CHECK_FALSE(std::filesystem::exists(marker));
}

namespace {

// "needle" occurrences in text.
std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

std::string index_db(const TempDir& dir, const std::string& name, const std::string& text) {
  write_file(dir / name, text);
  std::string db = dir / "db";
  Run r = run({"index", "-d", db, dir / name});
  if (r.code != 0) throw std::runtime_error("index failed: " + r.err);
  return db;
}

}  // namespace

TEST_CASE("deeply nested JSON is refused at its line, and the record before it is kept") {
  TempDir dir;
  std::string deep = "{\"id\":\"x\",\"v\":" + std::string(100000, '[') + std::string(100000, ']') + "}\n";
  write_file(dir / "deep.jsonl", "{\"id\":\"ok\",\"question\":\"knee pain\"}\n" + deep);
  Run r = run({"index", "-d", dir / "db", dir / "deep.jsonl"});
  CAPTURE(r.err);
  CHECK(r.code == 1);
  CHECK(has(r.err, "deep.jsonl:2: JSON nested deeper than the limit of 100"));
  CHECK(exported(dir / "db").count("ok") == 1);
}

TEST_CASE("a UTF-8 file with a bad byte stays UTF-8, and only the bad line is reported") {
  TempDir dir;
  write_file(dir / "bad.jsonl",
             "{\"id\":\"a\",\"title\":\"café — naïve\"}\n{\"id\":\"b\",\"title\":\"x \xff\"}\n{\"id\":\"c\",\"title\":\"ok\"}\n");
  SUBCASE("fail: stops at line 2, line 1 kept as it was") {
    Run r = run({"index", "-d", dir / "db", dir / "bad.jsonl"});
    CHECK(r.code == 1);
    CHECK(has(r.err, "bad.jsonl:2: invalid UTF-8 (byte 0xFF"));
    auto recs = exported(dir / "db");
    REQUIRE(recs.count("a") == 1);
    CHECK(recs.at("a")["title"] == "café — naïve");
  }
  SUBCASE("skip: only line 2 is skipped") {
    Run r = run({"index", "-d", dir / "db", "--on-error", "skip", dir / "bad.jsonl"});
    CHECK(r.code == 0);
    CHECK(has(r.out, "2 added, 0 replaced, 1 skipped"));
    auto recs = exported(dir / "db");
    CHECK(recs.size() == 2);
    CHECK(recs.at("a")["title"] == "café — naïve");
  }
  SUBCASE("Chinese UTF-8 with a bad byte in the first 64 KB and after it") {
    const std::string bad = "{\"id\":\"bad\",\"title\":\"胃\xB4\xCD痛\"}\n";
    // 2200 good lines, the bad one after line `at`.
    auto with_bad_line_after = [&bad](int at) {
      std::string text;
      for (int i = 0; i < 2200; ++i) {
        text += "{\"id\":\"t" + std::to_string(i) + "\",\"title\":\"胃痛怎么办？最近经常胃痛，吃什么药好\"}\n";
        if (i + 1 == at) text += bad;
      }
      return text;
    };
    std::string text = with_bad_line_after(100);
    REQUIRE(text.find("\xB4\xCD") < 64 * 1024);
    write_file(dir / "early.jsonl", text);
    Run early = run({"index", "-d", dir / "db1", dir / "early.jsonl"});
    CHECK(early.code == 1);
    CHECK(has(early.err, "early.jsonl:101: invalid UTF-8"));

    std::string late = with_bad_line_after(1700);
    REQUIRE(late.find("\xB4\xCD") > 64 * 1024);
    write_file(dir / "late.jsonl", late);
    Run r = run({"index", "-d", dir / "db2", "--on-error", "skip", dir / "late.jsonl"});
    CAPTURE(r.err);
    CHECK(r.code == 0);
    CHECK(has(r.out, "2200 added, 0 replaced, 1 skipped"));
    CHECK(count_of(r.err, "skipped ") == 1);
    CHECK(has(r.err, "late.jsonl:1701: invalid UTF-8"));
    CHECK(exported(dir / "db2").at("t2199")["title"] == "胃痛怎么办？最近经常胃痛，吃什么药好");
  }
}

TEST_CASE("encoding guesses are reported, and a guess with little evidence asks for --encoding") {
  TempDir dir;
  write_file(dir / "short.jsonl", clitest::encode("{\"id\":\"a\",\"title\":\"胃痛\"}\n", "GB18030"));
  Run r = run({"index", "-d", dir / "db", dir / "short.jsonl"});
  CHECK(r.code == 1);
  CHECK(has(r.err, "cannot tell the encoding"));
  CHECK(has(r.err, "--encoding"));
  Run named = run({"index", "-d", dir / "db", "--encoding", "GB18030", dir / "short.jsonl"});
  CHECK(named.code == 0);
  CHECK(exported(dir / "db").at("a")["title"] == "胃痛");

  write_file(dir / "latin.jsonl", "{\"id\":\"l\",\"title\":\"x \xff\"}\n");  // one byte to go on
  Run latin = run({"index", "-d", dir / "db", dir / "latin.jsonl"});
  CHECK(latin.code == 1);
  CHECK(has(latin.err, "too few to guess from"));

  std::string zh;
  for (int i = 0; i < 20; ++i)
    zh += "{\"id\":\"g" + std::to_string(i) + "\",\"title\":\"高血压患者能吃党参吗？我有高血压这两天头痛\"}\n";
  write_file(dir / "gb.jsonl", clitest::encode(zh, "GB18030"));
  Run gb = run({"index", "-d", dir / "db", dir / "gb.jsonl"});
  CHECK(gb.code == 0);
  CHECK(has(gb.err, "gb.jsonl: read as GB18030 (guessed"));
  CHECK(exported(dir / "db").at("g0")["title"] == "高血压患者能吃党参吗？我有高血压这两天头痛");
}

TEST_CASE("CSV: line numbers with CR-only line ends, and what an unclosed quote swallowed") {
  TempDir dir;
  write_file(dir / "cr.csv", "id,title\r1,a\r2,b\r3,c,extra\r4,d\r");
  Run r = run({"index", "-d", dir / "db", dir / "cr.csv"});
  CHECK(r.code == 1);
  CHECK(has(r.err, "cr.csv:4: expected 2 fields"));
  CHECK(exported(dir / "db").size() == 2);

  write_file(dir / "open.csv", "id,title\n1,a\n2,\"b\n3,c\n4,d\n");
  Run s = run({"index", "-d", dir / "db2", "--on-error", "skip", dir / "open.csv"});
  CHECK(s.code == 0);
  CHECK(has(s.err, "open.csv:3: a quoted field is not closed"));
  CHECK(has(s.err, "lines 3 to 5 (3 lines) were read as one record"));
}

TEST_CASE("binary input is refused before any record") {
  TempDir dir;
  write_file(dir / "in.jsonl", "{\"id\":\"a\",\"question\":\"knee pain\"}\n");
  REQUIRE(run({"index", "-d", dir / "db", dir / "in.jsonl"}).code == 0);
  for (const char* format : {"page", "csv", "jsonl", "tsv"}) {
    CAPTURE(format);
    Run r = run({"index", "-d", dir / "db", "--format", format, "/usr/bin/ls"});
    CHECK(r.code == 1);
    CHECK(has(r.err, "/usr/bin/ls: not text but binary data (a NUL byte"));
    CHECK(exported(dir / "db").size() == 1);
  }
  // Control characters without NUL bytes count too.
  std::string noisy;
  for (int i = 0; i < 500; ++i) noisy += "ab\x01\x02\x03\x04\x05";
  write_file(dir / "noisy.txt", noisy);
  Run r = run({"index", "-d", dir / "db", dir / "noisy.txt"});
  CHECK(r.code == 1);
  CHECK(has(r.err, "control characters"));
}

TEST_CASE("size limits: lines, fields and query texts, with options") {
  TempDir dir;
  std::string db = index_db(dir, "in.jsonl", "{\"id\":\"a\",\"question\":\"knee pain\"}\n");
  write_file(dir / "long.jsonl", "{\"id\":\"l\",\"question\":\"" + std::string(300, 'x') + "\"}\n{\"id\":\"m\"}\n");
  Run line = run({"index", "-d", db, "--max-line-bytes", "100", "--on-error", "skip", dir / "long.jsonl"});
  CHECK(line.code == 0);
  CHECK(has(line.err, "long.jsonl:1: the line is longer than the limit of 100 bytes (max_line_bytes)"));
  CHECK(exported(db).count("m") == 1);

  write_file(dir / "wide.csv", "id,a,b,c\n1,x,y,z\n");
  Run fields = run({"index", "-d", db, "--max-fields", "3", dir / "wide.csv"});
  CHECK(fields.code == 1);
  CHECK(has(fields.err, "the header has 4 columns, more than the limit of 3 (max_fields)"));
  write_file(dir / "wide.jsonl", "{\"id\":\"w\",\"a\":1,\"b\":2,\"c\":3}\n");
  Run members = run({"index", "-d", db, "--max-fields", "3", dir / "wide.jsonl"});
  CHECK(members.code == 1);
  CHECK(has(members.err, "wide.jsonl:1: more fields than the limit of 3 (max_fields)"));

  Run query = run({"similar", "-d", db, "--max-query-bytes", "10", "pain in the knee"});
  CHECK(query.code == 1);
  CHECK(has(query.err, "more than the limit of 10 (max_query_bytes)"));
  Run bad_limit = run({"index", "-d", db, "--max-line-bytes", "0", dir / "in.jsonl"});
  CHECK(bad_limit.code == 2);
}

TEST_CASE("bad options are usage errors (exit 2) in the library's words") {
  TempDir dir;
  std::string db = index_db(dir, "in.jsonl", "{\"id\":\"a\",\"question\":\"knee pain\"}\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"-k", "-1"}, "--top must be between 1 and 100000, not -1"},
      {{"--offset", "-5"}, "--offset must be between 0 and 10000000, not -5"},
      {{"--max-query-terms", "-1"}, "--max-query-terms must be between 1 and 1000, not -1"},
      {{"--threads", "-1"}, "--threads must be between 0 and 1024, not -1"},
      {{"--since", "2007-13-45"}, "since must be a date YYYY, YYYY-MM or YYYY-MM-DD, not '2007-13-45'"},
      {{"--until", "2007-02-30"}, "until must be a date"},
      {{"--bm25-k1", "nan"}, "bm25_k1 must be a finite number of at least 0, not nan"},
      {{"--bm25-k1", "inf"}, "bm25_k1 must be a finite number of at least 0, not inf"},
      {{"--min-score", "nan"}, "min_score must be a finite number, not nan"},
  };
  for (const auto& one_case : cases) {
    // Not a structured binding: Clang 14 cannot capture one (CAPTURE below).
    const std::vector<std::string>& options = one_case.first;
    const std::string& message = one_case.second;
    std::vector<std::string> args = {"similar", "-d", db};
    args.insert(args.end(), options.begin(), options.end());
    args.push_back("knee pain");
    Run r = run(args);
    CAPTURE(options.front());
    CAPTURE(r.err);
    CHECK(r.code == 2);
    CHECK(has(r.err, message));
  }
  Run index_threads = run({"index", "-d", db, "--threads", "-1", dir / "in.jsonl"});
  CHECK(index_threads.code == 2);
  CHECK(has(index_threads.err, "--threads must be between 0 and 1024, not -1"));
  Run batch = run({"index", "-d", db, "--batch-size", "-3", dir / "in.jsonl"});
  CHECK(batch.code == 2);
}

TEST_CASE("a locked database is reported once") {
  TempDir dir;
  std::string db = index_db(dir, "in.jsonl", "{\"id\":\"a\",\"question\":\"knee pain\"}\n");
  askalike::IndexWriter holder(db);  // holds the lock
  Run r = run({"index", "-d", db, dir / "in.jsonl"});
  CHECK(r.code == 1);
  CHECK(count_of(r.err, "locked") == 1);
  CHECK(count_of(r.err, "--wait-lock SECONDS") == 1);  // the way to wait for it (issue 24)
  CHECK(count_of(r.err, "askalike:") == 1);
}

// Built with AddressSanitizer (tools/check-sanitizers.sh): the tool under
// test then checks for leaks itself, and a preloaded LeakSanitizer clashes.
#if defined(__SANITIZE_ADDRESS__)
#define ASKALIKE_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASKALIKE_TEST_UNDER_ASAN 1
#endif
#endif

TEST_CASE("a CSV whose header check fails leaks nothing (LeakSanitizer preloaded)") {
#ifdef ASKALIKE_TEST_UNDER_ASAN
  const char* lsan = nullptr;  // the tool's own LeakSanitizer
#else
  const char* lsan = "/usr/lib/x86_64-linux-gnu/liblsan.so.0";  // Debian's liblsan0, with gcc
  if (!std::filesystem::exists(lsan)) {
    MESSAGE("skipped: no " << lsan);
    return;
  }
#endif
  TempDir dir;
  write_file(dir / "hdr.csv", "id,subject\n1,x\n");
  if (lsan) ::setenv("LD_PRELOAD", lsan, 1);
  Run r = run({"index", "-d", dir / "db", "--field", "title=nosuchcol", dir / "hdr.csv"});
  if (lsan) ::unsetenv("LD_PRELOAD");
  CAPTURE(r.err);
  CHECK(r.code == 1);  // LeakSanitizer exits with 23 on a leak
  CHECK(has(r.err, "no column \"nosuchcol\""));
  CHECK_FALSE(has(r.err, "LeakSanitizer"));
}
