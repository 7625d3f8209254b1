// Stock Xapian servers (xapian-tcpsrv, xapian-replicate-server) and
// xapian-replicate run by tests on 127.0.0.1: each in a process group of its
// own, on a free port, always stopped (even when the test fails), and
// killed with the test process if it dies first.
#ifndef ASKALIKE_TESTS_SERVERS_HPP_
#define ASKALIKE_TESTS_SERVERS_HPP_

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

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
// the guard goes, whatever the test did; killed by the kernel when the test
// process dies first (even by kill -9), so no server outlives a test.
class Process {
 public:
  explicit Process(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    // Closed by a successful exec: a byte read from it means exec failed.
    int exec_failed[2];
    REQUIRE(::pipe2(exec_failed, O_CLOEXEC) == 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      // The child: only async-signal-safe calls until exec.
      // Dies with the thread that started it (the test's), even on kill -9.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the test died before prctl
      // Its own process group: on SIGTERM a server signals its whole group
      // (the connection handlers it forked), which must not include this test.
      ::setpgid(0, 0);
      int null = ::open("/dev/null", O_WRONLY);  // their chatter off stdout
      if (null >= 0) ::dup2(null, STDOUT_FILENO);
      ::execvp(argv[0], argv.data());
      char failed = 1;
      (void)!::write(exec_failed[1], &failed, 1);
      ::_exit(127);
    }
    ::close(exec_failed[1]);
    if (pid_ < 0) {
      ::close(exec_failed[0]);
      pid_ = 0;
      FAIL("cannot fork to start " << args[0]);
    }
    ::setpgid(pid_, pid_);  // also from here: signals sent right away reach the group
    char failed = 0;
    ssize_t n;
    while ((n = ::read(exec_failed[0], &failed, 1)) < 0 && errno == EINTR) {
    }
    ::close(exec_failed[0]);
    if (n == 1) {
      ::waitpid(pid_, nullptr, 0);
      pid_ = 0;
      FAIL("cannot start " << args[0] << " (Debian package xapian-tools, in .ci/install-deps)");
    }
  }

  ~Process() { stop(); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
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
