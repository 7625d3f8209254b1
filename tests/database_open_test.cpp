// Opening databases safely: a stub (a directory's XAPIANDB, or a plain file
// given as the database) never makes askalike start a program, while stubs
// naming local shards and remote TCP servers keep working.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "servers.hpp"
#include "test_util.hpp"

using askalike::Error;
using askalike::ErrorCode;
using testutil::make_record;
using testutil::TempDir;

namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

bool exists(const std::string& path) { return std::filesystem::exists(path); }

// The message of the askalike::Error that `body` throws ("" when none).
template <typename Body>
std::string refusal(Body&& body) {
  try {
    body();
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    return e.what();
  }
  return "";
}

std::string make_db(const TempDir& dir, const std::string& name) {
  askalike::IndexWriter w(dir / name);
  w.upsert(make_record("twitch", "Facial twitching during sleep", "My cheek twitches at night."));
  w.commit();
  return dir / name;
}

}  // namespace

TEST_CASE("a stub that would start a program is refused, and the program does not run") {
  TempDir dir;
  const std::string marker = dir / "pwned";
  const std::string program_line = "remote :/usr/bin/touch " + marker + "\n";

  SUBCASE("in a directory's XAPIANDB, opened by Searcher, IndexWriter and compact") {
    std::filesystem::create_directory(dir / "s.db");
    write(dir / "s.db/XAPIANDB", program_line);
    std::string m = refusal([&] { askalike::Searcher s(dir / "s.db"); });
    CHECK(m.find(dir / "s.db/XAPIANDB:1") != std::string::npos);
    CHECK(m.find("would start a program") != std::string::npos);
    CHECK(refusal([&] { askalike::IndexWriter w(dir / "s.db"); }).find("would start a program") !=
          std::string::npos);
    CHECK(refusal([&] { askalike::compact_database(dir / "s.db", dir / "copy"); }).find("would start a program") !=
          std::string::npos);
  }
  SUBCASE("in a plain file given as the database") {
    write(dir / "stub", "# shards\n" + program_line);
    std::string m = refusal([&] { askalike::Searcher s(dir / "stub"); });
    CHECK(m.find(dir / "stub:2") != std::string::npos);
    CHECK(m.find("would start a program") != std::string::npos);
  }
  SUBCASE("behind a local shard, in a nested stub") {
    std::string real = make_db(dir, "real");
    std::filesystem::create_directory(dir / "outer");
    write(dir / "inner", program_line);
    // Every line is checked before anything is opened.
    write(dir / "outer/XAPIANDB", "auto ../real\nauto ../inner\n");
    std::string m = refusal([&] { askalike::Searcher s(dir / "outer"); });
    CHECK(m.find("/inner:1: database stub line refused") != std::string::npos);
    CHECK(m.find("would start a program") != std::string::npos);
  }
  SUBCASE("a program with no arguments") {
    write(dir / "stub", "remote :/bin/true\n");
    CHECK(refusal([&] { askalike::Searcher s(dir / "stub"); }).find("would start a program") != std::string::npos);
  }
  CHECK_FALSE(exists(marker));
}

TEST_CASE("stubs that loop or make no sense are refused clearly") {
  TempDir dir;
  std::filesystem::create_directory(dir / "loop");
  write(dir / "loop/XAPIANDB", "auto .\n");
  CHECK(refusal([&] { askalike::Searcher s(dir / "loop"); }).find("nested more than") != std::string::npos);
  write(dir / "junk", "hello world\n");
  CHECK(refusal([&] { askalike::Searcher s(dir / "junk"); }).find("junk:1: database stub line refused") !=
        std::string::npos);
  // A FIFO planted as the stub must not hang the open.
  std::filesystem::create_directory(dir / "fifo");
  REQUIRE(::mkfifo((dir / "fifo/XAPIANDB").c_str(), 0600) == 0);
  askalike::Error e = testutil::error_of([&] { askalike::Searcher s(dir / "fifo"); });
  CHECK(std::string(e.what()).find("as a file") != std::string::npos);
  write(dir / "noport", "remote example.invalid\n");
  CHECK(refusal([&] { askalike::Searcher s(dir / "noport"); }).find("HOST:PORT") != std::string::npos);
}

TEST_CASE("stubs naming local shards still open") {
  TempDir dir;
  make_db(dir, "real");
  SUBCASE("a directory stub, relative path") {
    std::filesystem::create_directory(dir / "shards");
    write(dir / "shards/XAPIANDB", "# one shard\nauto ../real\n");
    askalike::Searcher s(dir / "shards");
    CHECK(s.similar("twitching cheek at night").hits.at(0).id == "twitch");
  }
  SUBCASE("a stub file naming the glass backend, absolute path") {
    write(dir / "stub", "glass " + (dir / "real") + "\n");
    askalike::Searcher s(dir / "stub");
    CHECK(s.stats().documents == 1);
  }
}

TEST_CASE("a stub naming a remote TCP server still opens") {
  TempDir dir;
  std::string real = make_db(dir, "real");
  auto server = testutil::tcp_server(real);
  write(dir / "stub", "remote 127.0.0.1:" + std::to_string(server->port()) + "\n");
  askalike::Searcher s(dir / "stub");
  // (Ranking over remote shards is the scale-out work's; this is the opening.)
  CHECK(s.stats().documents == 1);
  askalike::Record r;
  CHECK(s.get("twitch", r));
}
