// Hostile input through the askalike program: database stubs that would run
// a program, deep JSON, bad encodings, binary files, huge input, bad options.
// Each case is something a user was able to do to askalike before.
#include <doctest/doctest.h>

#include <filesystem>

#include "cli_util.hpp"

using clitest::askalike;
using clitest::exported;
using clitest::Run;
using clitest::TempDir;
using clitest::write_file;

namespace {

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
      Run r = askalike(args);
      CAPTURE(r.err);
      CHECK(r.code == 1);
      CHECK(has(r.err, "would start a program"));
      CHECK_FALSE(has(r.err, "bug in askalike"));
    }
  }
  for (const auto& args : std::vector<std::vector<std::string>>{{"index", "-d", dir / "s.db", dir / "in.jsonl"},
                                                                {"export", "-d", dir / "s.db"}}) {
    Run r = askalike(args);
    CAPTURE(r.err);
    CHECK(r.code == 1);
    CHECK(has(r.err, "s.db/XAPIANDB:1: database stub line refused"));
  }
  CHECK_FALSE(std::filesystem::exists(marker));
}
