// Faults, as a user meets them with the askalike program: a writer holding
// the database while others read it, damaged tables, an import killed with
// SIGKILL again and again, and a disk that fills up during an import.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "cli_util.hpp"

using clitest::askalike;
using clitest::exported;
using clitest::lines;
using clitest::read_file;
using clitest::Run;
using clitest::TempDir;
using clitest::write_file;

namespace {

const std::string kSample = std::string(ASKALIKE_SOURCE_DIR) + "/corpus/medquad-sample.jsonl";

// The first `n` lines of the bundled English sample.
std::string sample_lines(std::size_t n) {
  std::string out;
  std::size_t count = 0;
  for (const std::string& line : lines(read_file(kSample))) {
    if (count++ == n) break;
    out += line + "\n";
  }
  return out;
}

// The ids of JSON Lines text, in order.
std::vector<std::string> ids_of(const std::string& jsonl) {
  std::vector<std::string> out;
  for (const auto& j : clitest::json_lines(jsonl)) out.push_back(j["id"].get<std::string>());
  return out;
}

std::size_t records_in(const std::string& db) {
  Run r = askalike({"export", "-d", db});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  return lines(r.out).size();
}

// An askalike process running in the background, killed and reaped when the
// object goes (a failing test never leaves it behind). stdout and stderr go
// to files in `io`; stdin is a pipe (write_input(), close_input()) or a file.
class Background {
 public:
  Background(const std::vector<std::string>& args, const TempDir& io, bool piped_input,
             const std::string& input_file = "/dev/null", rlim_t file_size_limit = RLIM_INFINITY)
      : out_path_(io / "bg.stdout"), err_path_(io / "bg.stderr") {
    int fds[2] = {-1, -1};
    if (piped_input && ::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argv_s{ASKALIKE_CLI};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(&a[0]);
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {  // the child: only async-signal-safe calls until exec
      int in = piped_input ? fds[0] : ::open(input_file.c_str(), O_RDONLY);
      int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (in < 0 || out < 0 || err < 0) ::_exit(127);
      ::dup2(in, 0), ::dup2(out, 1), ::dup2(err, 2);
      if (piped_input) ::close(fds[1]);
      if (file_size_limit != RLIM_INFINITY) {
        // A full disk: writes past the limit fail with EFBIG instead of
        // killing the process with SIGXFSZ (an ignored signal stays
        // ignored across exec).
        struct rlimit limit = {file_size_limit, file_size_limit};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        ::signal(SIGXFSZ, SIG_IGN);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    if (piped_input) {
      ::close(fds[0]);
      input_ = fds[1];
    }
  }
  ~Background() {
    close_input();
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void write_input(const std::string& text) {
    if (::write(input_, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      throw std::runtime_error("cannot write to the background process");
  }
  void close_input() {
    if (input_ >= 0) ::close(input_);
    input_ = -1;
  }
  void kill9() { ::kill(pid_, SIGKILL); }
  // Waits for the process; its exit code (128 + signal when killed).
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string err() const { return read_file(err_path_); }

 private:
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  int input_ = -1;
};

// Waits (at most 30 s) until another process holds the writer lock of `db`.
// Whether another process holds the database's writer lock (Xapian's
// fcntl lock on `flintlock`). The kernel is asked (F_GETLK) without taking
// the lock: a probe that opened a writer itself could take the lock for a
// moment just as the writer under test starts, and make it fail.
bool writer_lock_held(const std::string& db) {
  int fd = ::open((db + "/flintlock").c_str(), O_RDWR);
  if (fd < 0) return false;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;  // the whole file
  bool held = ::fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

bool wait_for_writer_lock(const std::string& db) {
  for (int i = 0; i < 300; ++i) {
    if (writer_lock_held(db)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

TEST_CASE("read commands work beside a writer holding the lock, and see the last commit") {
  TempDir dir;
  const std::string db = dir / "db";
  write_file(dir / "first.jsonl", sample_lines(50));
  REQUIRE(askalike({"index", "-d", db, dir / "first.jsonl"}).code == 0);

  // A writer in another process: it has read records it has not committed
  // yet, and holds the lock while it waits for more input.
  Background writer({"index", "-d", db, "-"}, dir, /*piped_input=*/true);
  writer.write_input(
      "{\"id\":\"uncommitted\",\"title\":\"Zebra allergy\",\"question\":\"Allergic to zebras?\"}\n");
  REQUIRE(wait_for_writer_lock(db));

  Run exp = askalike({"export", "-d", db});
  CHECK_MESSAGE(exp.code == 0, exp.err);
  CHECK(ids_of(exp.out) == ids_of(askalike({"export", "-d", db}).out));
  CHECK(lines(exp.out).size() == 50);
  CHECK(exp.out.find("uncommitted") == std::string::npos);
  Run stats = askalike({"stats", "-d", db});
  CHECK_MESSAGE(stats.code == 0, stats.err);
  CHECK(stats.out.find("records         50") != std::string::npos);
  Run similar = askalike({"similar", "-d", db, "--format", "jsonl", "what are the symptoms?"});
  CHECK_MESSAGE(similar.code == 0, similar.err);
  CHECK(askalike({"check", "-d", db}).code == 0);

  writer.close_input();
  REQUIRE(writer.wait() == 0);
  CHECK(records_in(db) == 51);
}

TEST_CASE("a damaged database: clear errors, no partial export, and check says so") {
  TempDir dir;
  const std::string good = dir / "good";
  write_file(dir / "sample.jsonl", sample_lines(1500));
  REQUIRE(askalike({"index", "-d", good, dir / "sample.jsonl"}).code == 0);
  Run sound = askalike({"check", "-d", good});
  CHECK(sound.code == 0);
  CHECK(sound.out == good + ": sound\n");

  for (const char* table : {"postlist", "termlist", "docdata"}) {
    CAPTURE(table);
    const std::string db = dir / table;
    std::filesystem::copy(good, db);
    const std::string file = db + "/" + table + ".glass";
    std::filesystem::resize_file(file, std::filesystem::file_size(file) / 2);

    Run check = askalike({"check", "-d", db});
    CHECK(check.code == 1);
    CHECK(check.out.find(db + ": damaged") == 0);
    CHECK(check.err.find("rebuild") != std::string::npos);

    int failed = 0;
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"stats", "-d", db},
                                               {"export", "-d", db},
                                               {"similar", "-d", db, "--id", "GARD_0000208-1"},
                                               {"similar", "-d", db, "--queries", dir / "sample.jsonl"}}) {
      CAPTURE(args[0]);
      Run r = askalike(args);
      CHECK((r.code == 0 || r.code == 1));  // an error, never a crash
      if (r.code == 0) continue;
      ++failed;
      CHECK(r.err.find("askalike: ") == 0);
      CHECK(r.err.find(db) != std::string::npos);
      CHECK(r.err.find("damaged") != std::string::npos);
      CHECK(r.err.find("rebuild") != std::string::npos);
      CHECK(r.err.find("restore") != std::string::npos);
      if (args[0] == "export") CHECK(r.out.empty());  // no partial dump that looks whole
    }
    CHECK(failed > 0);
  }
}

TEST_CASE("kill -9 during imports: whole batches survive, and a re-run gives a clean import") {
  TempDir dir;
  const std::string db = dir / "db", clean = dir / "clean";
  const std::size_t batch = 200;
  const std::size_t total = lines(read_file(kSample)).size();
  std::mt19937 random(20261130);  // fixed: the same kill times on every run
  int killed_midway = 0;
  for (int round = 0; round < 6; ++round) {
    CAPTURE(round);
    Background import({"index", "-d", db, "--batch-size", std::to_string(batch), "-q", kSample}, dir, false);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 1500)(random)));
    import.kill9();
    import.wait();
    if (!std::filesystem::exists(db + "/iamglass")) continue;  // killed before the first commit
    Run stats = askalike({"stats", "-d", db});
    REQUIRE_MESSAGE(stats.code == 0, stats.err);
    std::size_t n = records_in(db);
    CHECK((n % batch == 0 || n == total));  // whole committed batches only
    if (n < total) ++killed_midway;
  }
  MESSAGE("imports killed before the end: " << killed_midway << " of 6");
  Run finish = askalike({"index", "-d", db, "--batch-size", std::to_string(batch), "-q", kSample});
  REQUIRE_MESSAGE(finish.code == 0, finish.err);
  REQUIRE(askalike({"index", "-d", clean, "-q", kSample}).code == 0);
  CHECK(askalike({"export", "-d", db}).out == askalike({"export", "-d", clean}).out);
  CHECK(askalike({"check", "-d", db}).code == 0);
}

TEST_CASE("a full disk during an import: a clear error, and the last commit still opens") {
  TempDir dir;
  const std::string db = dir / "db";
  const std::size_t batch = 100;
  // The limit applies to each file: the record table outgrows it first.
  Background import({"index", "-d", db, "--batch-size", std::to_string(batch), "-q", kSample}, dir, false,
                    "/dev/null", 1 << 20);
  int code = import.wait();
  std::string err = import.err();
  CHECK(code == 1);
  CHECK(err.find("askalike: ") == 0);
  CHECK(err.find(db) != std::string::npos);
  CHECK(err.find("File too large") != std::string::npos);
  CHECK(err.find("keeps its last commit") != std::string::npos);

  REQUIRE(askalike({"check", "-d", db}).code == 0);
  Run exp = askalike({"export", "-d", db});
  REQUIRE(exp.code == 0);
  std::vector<std::string> kept = ids_of(exp.out);
  CHECK(kept.size() % batch == 0);
  // The kept records are the first batches of the file.
  std::vector<std::string> first = ids_of(sample_lines(kept.size()));
  std::sort(first.begin(), first.end());
  CHECK(kept == first);

  // With room again, the same import completes.
  Run again = askalike({"index", "-d", db, "-q", kSample});
  CHECK_MESSAGE(again.code == 0, again.err);
  CHECK(records_in(db) == lines(read_file(kSample)).size());
}
