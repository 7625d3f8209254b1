#include "guarded_server.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>
#include <string>

namespace askalike::serve {

namespace {

using Clock = std::chrono::steady_clock;

// A whole error answer, for when httplib has not started one (messages
// hold no character that JSON would escape).
std::string raw_answer(int status, const std::string& code, const std::string& message) {
  const std::string body = "{\"error\":{\"status\":" + std::to_string(status) + ",\"code\":\"" + code +
                           "\",\"message\":\"" + message + "\"}}";
  const char* reason = status == 408   ? "Request Timeout"
                       : status == 414 ? "URI Too Long"
                       : status == 431 ? "Request Header Fields Too Large"
                                       : "Service Unavailable";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/json\r\n" + (status == 503 ? "Retry-After: 1\r\n" : "") +
         "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A connection's socket read through one buffer for all its requests, every
// read bounded by the read timeout and by the request's deadline, and the
// request head by size and line count.
class GuardedStream : public httplib::Stream {
 public:
  GuardedStream(int fd, const ConnectionLimits& limits) : fd_(fd), limits_(limits) {}

  // A new request starts: its head and body must arrive by the deadline.
  void begin_request() {
    deadline_ = Clock::now() + limits_.request_timeout;
    in_head_ = true;
    written_ = 0;
    head_bytes_ = head_lines_ = 0;
    failure_ = 0;
  }
  void head_read() { in_head_ = false; }
  int failure() const { return failure_; }

  // When the request line itself broke a limit, httplib answers nothing.
  void answer_unread_request() {
    if (!failure_ || written_ > 0) return;
    std::string answer =
        failure_ == 408 ? raw_answer(408, "request_timeout",
                                     "the request did not arrive within the service's --request-timeout")
        : head_lines_ == 0
            ? raw_answer(414, "uri_too_long", "the request line is too long; send long questions with POST /v1/similar")
            : raw_answer(431, "header_fields_too_large", "the request head is too large");
    write(answer.data(), answer.size());
  }

  // Waits up to the idle timeout for the next request (true when one comes),
  // looking every 100 ms whether the server is stopping.
  bool wait_for_request(const std::atomic<socket_t>& server_socket) {
    if (off_ < len_) return true;
    const auto until = Clock::now() + limits_.idle_timeout;
    while (server_socket != INVALID_SOCKET) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      int n = ::poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 100)));
      if (n > 0) return true;
      if (n < 0 && errno != EINTR) return false;
    }
    return false;
  }

  bool is_readable() const override { return off_ < len_ || wait(POLLIN, limits_.read_timeout, true); }
  bool is_writable() const override { return wait(POLLOUT, limits_.write_timeout, false); }

  ssize_t read(char* ptr, size_t size) override {
    if (off_ == len_) {
      if (!wait(POLLIN, limits_.read_timeout, true)) return -1;
      ssize_t n;
      do n = ::recv(fd_, buffer_, sizeof buffer_, 0);
      while (n < 0 && errno == EINTR);
      if (n <= 0) return n;
      off_ = 0;
      len_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, len_ - off_);
    if (in_head_) {
      head_bytes_ += n;
      head_lines_ += static_cast<std::size_t>(std::count(buffer_ + off_, buffer_ + off_ + n, '\n'));
      // The request line and the blank line end are not header fields.
      if (head_bytes_ > limits_.max_head_bytes || head_lines_ > limits_.max_header_fields + 2) {
        failure_ = 431;
        return -1;
      }
    }
    std::memcpy(ptr, buffer_ + off_, n);
    off_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!wait(POLLOUT, limits_.write_timeout, false)) return -1;
    ssize_t n;
    do n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n > 0) written_ += static_cast<std::size_t>(n);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    address(::getpeername, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    address(::getsockname, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  // Waits for `events` up to `timeout`, and for reading no later than the
  // request's deadline (a client sending a byte a second gets no longer).
  bool wait(short events, std::chrono::milliseconds timeout, bool reading) const {
    auto limit = timeout;
    if (reading && deadline_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - Clock::now());
      if (left < limit) limit = left;
      if (limit.count() <= 0) {
        failure_ = 408;
        return false;
      }
    }
    pollfd p{fd_, events, 0};
    int n;
    do n = ::poll(&p, 1, static_cast<int>(limit.count()));
    while (n < 0 && errno == EINTR);
    if (n == 0 && reading) failure_ = 408;  // silent past the read timeout or the deadline
    return n > 0;
  }

  template <typename Get>
  void address(Get get, std::string& ip, int& port) const {
    sockaddr_storage a{};
    socklen_t size = sizeof a;
    char host[NI_MAXHOST] = "", service[NI_MAXSERV] = "";
    if (get(fd_, reinterpret_cast<sockaddr*>(&a), &size) == 0 &&
        ::getnameinfo(reinterpret_cast<sockaddr*>(&a), size, host, sizeof host, service, sizeof service,
                      NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
      ip = host;
      port = std::atoi(service);
    }
  }

  int fd_;
  const ConnectionLimits& limits_;
  char buffer_[4096];
  std::size_t off_ = 0, len_ = 0;
  std::optional<Clock::time_point> deadline_;
  bool in_head_ = false;
  std::size_t head_bytes_ = 0, head_lines_ = 0;
  std::size_t written_ = 0;  // bytes of the answer to the current request
  mutable int failure_ = 0;
};

thread_local GuardedStream* current = nullptr;  // the stream of the request this thread serves
thread_local bool refusing = false;            // this connection is over max_connections

// httplib's thread pool, with a count of the connections it holds: beyond
// the cap, a connection is handed back at once to be refused.
class BoundedPool : public httplib::TaskQueue {
 public:
  BoundedPool(unsigned threads, std::size_t max) : pool_(threads), max_(max) {}
  void enqueue(std::function<void()> fn) override {
    if (open_ >= max_) {  // on the accepting thread: a few bytes written and closed, no wait
      refusing = true;
      fn();
      refusing = false;
      return;
    }
    ++open_;
    pool_.enqueue([this, fn = std::move(fn)] {
      fn();
      --open_;
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
  std::atomic<std::size_t> open_{0};
  std::size_t max_;
};

const std::string& busy_answer() {
  static const std::string answer =
      raw_answer(503, "too_many_connections", "the service has its --max-connections open; retry later");
  return answer;
}

}  // namespace

GuardedServer::GuardedServer(const ConnectionLimits& limits) : limits_(limits) {
  new_task_queue = [this] { return new BoundedPool(limits_.threads, limits_.max_connections); };
}

void GuardedServer::head_read() {
  if (current) current->head_read();
}

int GuardedServer::read_failure() { return current ? current->failure() : 0; }

bool GuardedServer::process_and_close_socket(socket_t sock) {
  if (refusing) {
    ++refused_;
    const std::string& answer = busy_answer();
    (void)!::send(sock, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  } else {
    GuardedStream stream(sock, limits_);
    current = &stream;
    // As httplib's own loop: requests on the connection while it is kept alive.
    for (std::size_t count = keep_alive_max_count_; count > 0 && stream.wait_for_request(svr_sock_); --count) {
      stream.begin_request();
      bool closed = false;
      // A request that broke a limit leaves the connection unusable.
      if (!process_request(stream, count == 1, closed, nullptr) || closed || stream.failure()) {
        stream.answer_unread_request();
        break;
      }
    }
    current = nullptr;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return true;
}

}  // namespace askalike::serve
