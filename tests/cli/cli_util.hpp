// Helpers for the CLI and reader tests: temporary directories, files, and
// running the built askalike program with captured output.
#ifndef ASKALIKE_TESTS_CLI_CLI_UTIL_HPP_
#define ASKALIKE_TESTS_CLI_CLI_UTIL_HPP_

#include <fcntl.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <unicode/ucnv.h>

#include <nlohmann/json.hpp>

#include "../temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace clitest {

// The temporary directory of the library tests.
using testutil::TempDir;

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// `utf8` converted to `encoding` with ICU (no byte-order mark added).
inline std::string encode(const std::string& utf8, const char* encoding) {
  UErrorCode err = U_ZERO_ERROR;
  std::string out(utf8.size() * 4 + 16, '\0');
  int32_t n = ucnv_convert(encoding, "UTF-8", &out[0], static_cast<int32_t>(out.size()), utf8.data(),
                           static_cast<int32_t>(utf8.size()), &err);
  if (U_FAILURE(err)) throw std::runtime_error(std::string("cannot encode to ") + encoding);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs the built askalike with `args`, standard input from `input`, and
// returns its exit code and output. Its stdout and stderr are files, so
// it never sees a terminal.
inline Run askalike(const std::vector<std::string>& args, const std::string& input = "") {
  TempDir io;
  const std::string in_path = io / "stdin", out_path = io / "stdout", err_path = io / "stderr";
  write_file(in_path, input);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argv_s;
  argv_s.push_back(ASKALIKE_CLI);
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, ASKALIKE_CLI, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot run " + std::string(ASKALIKE_CLI));
  int status = 0;
  waitpid(pid, &status, 0);
  Run r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

// Runs the built askalike with stdin, stdout and stderr on a new
// pseudo-terminal, as a user at a terminal runs it; `out` holds what it
// wrote on both, as the terminal got it.
inline Run askalike_on_terminal(const std::vector<std::string>& args) {
  std::vector<std::string> argv_s{ASKALIKE_CLI};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) throw std::runtime_error("cannot open a pseudo-terminal");
  if (pid == 0) {
    execv(ASKALIKE_CLI, argv.data());
    _exit(127);
  }
  Run r;
  char buf[4096];
  for (;;) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n > 0) r.out.append(buf, static_cast<std::size_t>(n));
    else if (n < 0 && errno == EINTR) continue;
    else break;  // EIO: the program ended and closed the terminal
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

// The JSON objects of JSON Lines text.
inline std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  for (const auto& l : lines(text)) out.push_back(nlohmann::json::parse(l));
  return out;
}

// The exported records of a database, by id.
inline std::map<std::string, nlohmann::json> exported(const std::string& db) {
  Run r = askalike({"export", "-d", db});
  if (r.code != 0) throw std::runtime_error("export failed: " + r.err);
  std::map<std::string, nlohmann::json> out;
  for (auto& j : json_lines(r.out)) out[j["id"].get<std::string>()] = j;
  return out;
}

// The test fixtures (tests/data).
inline std::string fixture(const std::string& name) { return std::string(ASKALIKE_TEST_DATA) + "/" + name; }

}  // namespace clitest

#endif  // ASKALIKE_TESTS_CLI_CLI_UTIL_HPP_
