// Stock Xapian servers (xapian-tcpsrv, xapian-replicate-server) and
// xapian-replicate run by tests on 127.0.0.1: each in a process group of its
// own, on a free port, and always stopped (even when the test fails).
#ifndef ASKALIKE_TESTS_SERVERS_HPP_
#define ASKALIKE_TESTS_SERVERS_HPP_

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace testutil {

// A free TCP port on the loopback interface (the kernel's choice).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  REQUIRE(ok);
  return ntohs(addr.sin_port);
}

inline bool accepts_connections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// A program of the Debian package xapian-tools, stopped (and reaped) when
// the guard goes, whatever the test did.
class Process {
 public:
  explicit Process(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Its own process group: on SIGTERM a server signals its whole group
    // (the connection handlers it forked), which must not include this test.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawn_file_actions_t files;  // their chatter off stdout
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    int rc = ::posix_spawnp(&pid_, argv[0], &files, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) {
      pid_ = 0;
      FAIL("cannot start " << args[0] << " (Debian package xapian-tools, in .ci/install-deps)");
    }
  }
  ~Process() { stop(); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return true;
    pid_ = 0;
    return false;
  }
  // Freezes the process and its children (a hung server).
  void pause() {
    if (pid_ > 0) ::kill(-pid_, SIGSTOP);
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGCONT);  // a paused process handles SIGTERM only once running
    ::kill(-pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = 0;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

 private:
  pid_t pid_ = 0;
};

// A server listening on 127.0.0.1 at a free port: `args` followed by the
// interface and port options of the program.
class Server {
 public:
  Server(const std::string& program, const std::vector<std::string>& tail) : port_(free_port()) {
    std::vector<std::string> args = {program, "--interface", "127.0.0.1", "--port", std::to_string(port_)};
    args.insert(args.end(), tail.begin(), tail.end());
    process_ = std::make_unique<Process>(args);
    // Ready when it accepts a connection: at most 20 s on a loaded machine.
    for (int i = 0; i < 200 && !accepts_connections(port_); ++i) {
      if (!process_->running()) FAIL(program << " exited before accepting connections");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(accepts_connections(port_));
  }
  int port() const { return port_; }
  Process& process() { return *process_; }

 private:
  int port_;
  std::unique_ptr<Process> process_;
};

// Xapian's stock TCP server over one database.
inline std::unique_ptr<Server> tcp_server(const std::string& db) {
  return std::make_unique<Server>("xapian-tcpsrv", std::vector<std::string>{db});
}

}  // namespace testutil

#endif  // ASKALIKE_TESTS_SERVERS_HPP_
