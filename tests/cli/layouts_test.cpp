// Issue 23: `stats` and `export` take every layout `-d` takes (a database
// directory, a collection of shards, a stub of one or many lines, local or
// served by stock xapian-tcpsrv) and say the same of the same records.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "../servers.hpp"
#include "cli_util.hpp"

using clitest::askalike;
using clitest::Run;
using clitest::TempDir;
using clitest::write_file;

namespace {

// stats' report without its first line, which names the path given.
std::string stats_body(const std::string& db) {
  Run r = askalike({"stats", "-d", db});
  REQUIRE_MESSAGE(r.code == 0, db << ": " << r.err);
  REQUIRE(r.out.rfind("database        " + db + "\n", 0) == 0);
  return r.out.substr(r.out.find('\n') + 1);
}

std::string exported(const std::string& db) {
  Run r = askalike({"export", "-d", db});
  REQUIRE_MESSAGE(r.code == 0, db << ": " << r.err);
  return r.out;
}

}  // namespace

TEST_CASE("stats and export: the same on one database, a collection and stubs of local and remote shards") {
  TempDir dir;
  const std::string records = std::string(ASKALIKE_SOURCE_DIR) + "/corpus/medquad-sample.jsonl";
  const std::string one = dir / "one", collection = dir / "collection";
  REQUIRE(askalike({"index", "-d", one, records}).code == 0);
  REQUIRE(askalike({"index", "-d", collection, "--shards", "3", records}).code == 0);
  std::vector<std::unique_ptr<testutil::Server>> servers;
  std::string local_lines, remote_lines;
  for (int i = 0; i < 3; ++i) {
    const std::string shard = collection + "/shard-" + std::to_string(i);
    servers.push_back(testutil::tcp_server(shard));
    local_lines += "auto " + shard + "\n";
    remote_lines += "remote 127.0.0.1:" + std::to_string(servers.back()->port()) + "\n";
  }
  auto one_server = testutil::tcp_server(one);
  const std::string stubs = dir / "stubs";
  std::filesystem::create_directory(stubs);
  const std::vector<std::string> layouts = {
      collection,
      stubs + "/one-local-line",
      stubs + "/local-lines",
      stubs + "/one-remote-line",
      stubs + "/remote-lines",
  };
  write_file(layouts[1], "auto " + one + "\n");
  write_file(layouts[2], local_lines);
  write_file(layouts[3], "remote 127.0.0.1:" + std::to_string(one_server->port()) + "\n");
  write_file(layouts[4], remote_lines);

  const std::string stats = stats_body(one), records_out = exported(one);
  CHECK(stats.find("records         3009\n") != std::string::npos);
  CHECK(std::count(records_out.begin(), records_out.end(), '\n') == 3009);
  for (const std::string& layout : layouts) {
    CAPTURE(layout);
    CHECK(stats_body(layout) == stats);
    CHECK(exported(layout) == records_out);
  }
  SUBCASE("a shard that is down: an error naming it, not a partial answer") {
    const std::string name = "remote 127.0.0.1:" + std::to_string(servers[1]->port());
    servers[1]->process().stop();
    for (const char* command : {"stats", "export"}) {
      CAPTURE(command);
      Run r = askalike({command, "-d", layouts[4]});
      CHECK(r.code != 0);
      CHECK(r.out.empty());
      CHECK(r.err.find(name) != std::string::npos);
    }
  }
}
