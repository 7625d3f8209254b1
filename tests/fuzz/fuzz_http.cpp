// libFuzzer target: `askalike serve` reading the raw bytes of a connection
// (issue 24): the head reader, httplib's parsing, the body limits and the
// routes, through a real server on 127.0.0.1 (GuardedServer and Service on
// the shared fuzz database, writes disabled). Each input is sent on a new
// connection, which is then half-closed. Whatever the bytes, the server
// answers with HTTP/1.1 or closes, never crashes or hangs, and still
// answers the next client.
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "fuzz_db.hpp"
#include "fuzz_util.hpp"
#include "guarded_server.hpp"
#include "service.hpp"

namespace {

class Running {
 public:
  Running() : service_(options()), server_(limits()) {
    service_.install(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    fuzz::fuzz_check(port_ > 0, "cannot listen on 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Running() {
    server_.stop();
    thread_.join();
  }

  // Sends `bytes` on a new connection and returns all that comes back.
  std::string exchange(const std::string& bytes) const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    fuzz::fuzz_check(fd >= 0, "no socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval wait{5, 0};  // the server's read timeout is 0.2 s: it ends well before
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof wait);
    // Closed with a reset once read: thousands of inputs a minute leave no
    // ports waiting in TIME_WAIT.
    linger reset{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      static std::string why;
      why = std::string("cannot connect: ") + std::strerror(errno);
      fuzz::fuzz_check(false, why.c_str());
    }
    (void)!::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);  // the server may hang up first
    ::shutdown(fd, SHUT_WR);
    std::string answer;
    char buffer[65536];
    ssize_t n;
    while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, static_cast<size_t>(n));
    const bool ended = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    ::close(fd);
    fuzz::fuzz_check(ended || !answer.empty(), "the server neither answered nor closed within 5 s");
    return answer;
  }

 private:
  static askalike::serve::ServiceOptions options() {
    askalike::serve::ServiceOptions o;
    o.db = fuzz::shared_database().db();
    o.limits.max_k = 20;
    o.limits.max_body_bytes = 4096;
    o.limits.max_json_depth = 8;
    return o;
  }
  static askalike::serve::ConnectionLimits limits() {
    askalike::serve::ConnectionLimits l;
    l.threads = 2;
    l.max_connections = 64;
    l.request_timeout = std::chrono::milliseconds(1000);
    l.read_timeout = l.write_timeout = l.idle_timeout = std::chrono::milliseconds(200);
    return l;
  }

  askalike::serve::Service service_;
  askalike::serve::GuardedServer server_;
  int port_ = 0;
  std::thread thread_;
};

const Running& running() {
  static const Running server;
  return server;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string answer = running().exchange(std::string(reinterpret_cast<const char*>(data), size));
  fuzz::fuzz_check(answer.empty() || answer.rfind("HTTP/1.1 ", 0) == 0, "an answer that is not HTTP/1.1");
  const std::string health = running().exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  fuzz::fuzz_check(health.rfind("HTTP/1.1 200", 0) == 0, "the server stopped answering after an input");
  return 0;
}
