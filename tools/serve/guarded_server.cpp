#include "guarded_server.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace askalike::serve {

using Clock = std::chrono::steady_clock;

// A connection between requests, waiting for the whole head of its next.
struct Waiting {
  int fd = -1;
  std::string bytes;  // read so far: the head, perhaps more
  // The idle timeout; from its first byte, the request timeout or the read
  // timeout after the last byte, whichever comes first.
  Clock::time_point deadline;
  Clock::time_point request_deadline;
  bool started = false;  // a byte of the request has come
  std::size_t requests_left = 1;  // keep-alive: requests still allowed on the connection
};

namespace {

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
  // `read` holds what was read ahead of this stream (the request's head).
  GuardedStream(int fd, const ConnectionLimits& limits, std::string read) : fd_(fd), limits_(limits), ahead_(std::move(read)) {}

  // What was read and not taken by the request (the start of the next one).
  std::string take_buffered() {
    std::string rest = ahead_.substr(ahead_off_);
    rest.append(buffer_ + off_, len_ - off_);
    ahead_.clear();
    ahead_off_ = off_ = len_ = 0;
    return rest;
  }

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

  bool is_readable() const override {
    return ahead_off_ < ahead_.size() || off_ < len_ || wait(POLLIN, limits_.read_timeout, true);
  }
  bool is_writable() const override { return wait(POLLOUT, limits_.write_timeout, false); }

  ssize_t read(char* ptr, size_t size) override {
    if (ahead_off_ < ahead_.size()) {  // checked by the head reader already
      const std::size_t n = std::min(size, ahead_.size() - ahead_off_);
      std::memcpy(ptr, ahead_.data() + ahead_off_, n);
      ahead_off_ += n;
      return static_cast<ssize_t>(n);
    }
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
  // httplib only compares this with FD_SETSIZE (select()'s limit, answering
  // 500 above it); this stream polls, so connections past 1024 are served.
  socket_t socket() const override { return fd_ < FD_SETSIZE ? fd_ : INVALID_SOCKET; }

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
  std::string ahead_;
  std::size_t ahead_off_ = 0;
  char buffer_[4096];
  std::size_t off_ = 0, len_ = 0;
  std::optional<Clock::time_point> deadline_;
  bool in_head_ = false;
  std::size_t head_bytes_ = 0, head_lines_ = 0;
  std::size_t written_ = 0;  // bytes of the answer to the current request
  mutable int failure_ = 0;
};

thread_local GuardedStream* current = nullptr;  // the stream of the request this thread serves

void close_socket(int fd) {
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

// Best effort, never waiting: the answer to a client about to be dropped.
void send_and_forget(int fd, const std::string& answer) {
  (void)!::send(fd, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

const std::string& busy_answer() {
  static const std::string answer =
      raw_answer(503, "too_many_connections", "the service has its --max-connections open; retry later");
  return answer;
}

// 1 when `bytes` start with a whole request head within the limits, 0 when
// not yet, 414 or 431 when the head breaks them.
int head_status(const std::string& bytes, const ConnectionLimits& limits) {
  // The blank line that ends a head; httplib also takes bare line feeds.
  const std::size_t crlf = bytes.find("\r\n\r\n"), lf = bytes.find("\n\n");
  const std::size_t end = std::min(crlf == std::string::npos ? crlf : crlf + 4, lf == std::string::npos ? lf : lf + 2);
  const std::size_t head = end == std::string::npos ? bytes.size() : end;
  const auto lines = static_cast<std::size_t>(std::count(bytes.begin(), bytes.begin() + head, '\n'));
  if (head > limits.max_head_bytes || lines > limits.max_header_fields + 2) return lines == 0 ? 414 : 431;
  return end == std::string::npos ? 0 : 1;
}

// One thread that reads the request heads of every connection, however
// slowly they come, with epoll: a connection costs a worker only once its
// request head is whole (issue 24: slow clients held every worker).
class HeadReader {
 public:
  using Ready = std::function<void(Waiting&&)>;
  HeadReader(const ConnectionLimits& limits, Ready ready, std::function<void(int)> drop)
      : limits_(limits), ready_(std::move(ready)), drop_(std::move(drop)) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (epoll_ < 0 || wake_ < 0) throw std::runtime_error(std::string("epoll: ") + std::strerror(errno));
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.fd = wake_;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &e);
    thread_ = std::thread([this] { loop(); });
  }
  ~HeadReader() {
    stop();
    ::close(epoll_);
    ::close(wake_);
  }

  // False once stopped: the caller closes the connection.
  bool add(Waiting w) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return false;
      incoming_.push_back(std::move(w));
    }
    wake();
    return true;
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake();
    thread_.join();
  }

 private:
  void wake() {
    const std::uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof one);
  }

  void drop(int fd, int status, const std::string& code, const std::string& message) {
    if (status) send_and_forget(fd, raw_answer(status, code, message));
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
    waiting_.erase(fd);
    drop_(fd);
  }

  // Reads what has come; hands the connection on when its head is whole.
  void take(int fd) {
    Waiting& w = waiting_[fd];
    char buffer[4096];
    for (;;) {
      ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0) {
        w.bytes.append(buffer, static_cast<std::size_t>(n));
        if (w.bytes.size() > limits_.max_head_bytes) break;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      // Closed by the client, or half-closed after a whole request (which
      // is answered), or an error.
      if (n == 0 && head_status(w.bytes, limits_) != 0) break;
      return drop(fd, 0, "", "");
    }
    check(fd);
  }

  void check(int fd) {
    Waiting& w = waiting_[fd];
    const auto now = Clock::now();
    if (!w.bytes.empty() && !w.started) {
      w.started = true;
      w.request_deadline = now + limits_.request_timeout;
    }
    if (w.started) w.deadline = std::min(w.request_deadline, now + limits_.read_timeout);
    const int status = head_status(w.bytes, limits_);
    if (status == 414)
      return drop(fd, 414, "uri_too_long", "the request line is too long; send long questions with POST /v1/similar");
    if (status == 431)
      return drop(fd, 431, "header_fields_too_large",
                  "the request head is larger than " + std::to_string(limits_.max_head_bytes) + " bytes or has more than " +
                      std::to_string(limits_.max_header_fields) + " header fields");
    if (status == 0) return;
    Waiting ready = std::move(w);
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
    waiting_.erase(fd);
    ready_(std::move(ready));
  }

  void loop() {
    auto last_scan = Clock::now();
    for (;;) {
      std::vector<Waiting> incoming;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) break;
        incoming.swap(incoming_);
      }
      for (Waiting& w : incoming) {
        const int fd = w.fd;
        epoll_event e{};
        e.events = EPOLLIN | EPOLLRDHUP;
        e.data.fd = fd;
        waiting_[fd] = std::move(w);
        if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &e) != 0) {
          waiting_.erase(fd);
          drop_(fd);
          continue;
        }
        if (!waiting_[fd].bytes.empty()) check(fd);  // the next request came with the last
      }
      epoll_event events[64];
      const int n = ::epoll_wait(epoll_, events, 64, 100);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == wake_) {
          std::uint64_t count;
          (void)!::read(wake_, &count, sizeof count);
        } else if (waiting_.count(fd)) {
          take(fd);
        }
      }
      const auto now = Clock::now();
      if (now - last_scan < std::chrono::milliseconds(50)) continue;
      last_scan = now;
      std::vector<int> late;
      for (const auto& [fd, w] : waiting_)
        if (now >= w.deadline) late.push_back(fd);
      for (int fd : late) {
        if (waiting_[fd].started)
          drop(fd, 408, "request_timeout", "the request did not arrive within the service's --request-timeout");
        else
          drop(fd, 0, "", "");  // idle past --idle-timeout
      }
    }
    for (auto& [fd, w] : waiting_) drop_(fd);
    waiting_.clear();
    for (Waiting& w : incoming_) drop_(w.fd);
    incoming_.clear();
  }

  const ConnectionLimits& limits_;
  Ready ready_;
  std::function<void(int)> drop_;  // closes a connection
  int epoll_ = -1, wake_ = -1;
  std::mutex mutex_;
  std::vector<Waiting> incoming_;  // guarded by mutex_
  bool stopping_ = false;          // guarded by mutex_
  std::unordered_map<int, Waiting> waiting_;  // the reader thread's own
  std::thread thread_;
};

thread_local GuardedServer::Pool* accepting = nullptr;  // set while httplib hands over a connection

}  // namespace

// httplib's task queue: it hands over each accepted connection, which is
// counted and given to the head reader on the accepting thread; the workers
// serve requests whose heads are whole, one at a time.
class GuardedServer::Pool : public httplib::TaskQueue {
 public:
  Pool(GuardedServer& server)
      : server_(server),
        workers_(server.limits_.threads),
        reader_(server.limits_, [this](Waiting&& w) { dispatch(std::move(w)); }, [this](int fd) { close(fd); }) {}

  void enqueue(std::function<void()> fn) override {
    accepting = this;
    fn();  // GuardedServer::process_and_close_socket: admit() or refuse, at once
    accepting = nullptr;
  }
  void shutdown() override {
    reader_.stop();
    workers_.shutdown();
  }

  void admit(int fd) {
    if (open_ >= server_.limits_.max_connections) {
      ++server_.refused_;
      send_and_forget(fd, busy_answer());
      close_socket(fd);
      return;
    }
    ++open_;
    Waiting w;
    w.fd = fd;
    w.deadline = Clock::now() + server_.limits_.idle_timeout;
    w.requests_left = server_.keep_alive_max_count_;
    wait(std::move(w));
  }

  void wait(Waiting w) {
    const int fd = w.fd;
    if (!reader_.add(std::move(w))) close(fd);
  }
  void close(int fd) {
    close_socket(fd);
    --open_;
  }

 private:
  void dispatch(Waiting&& w) {
    auto job = std::make_shared<Waiting>(std::move(w));
    workers_.enqueue([this, job] { server_.serve(*this, std::move(*job)); });
  }

  GuardedServer& server_;
  std::atomic<std::size_t> open_{0};
  httplib::ThreadPool workers_;
  HeadReader reader_;
};

GuardedServer::GuardedServer(const ConnectionLimits& limits) : limits_(limits) {
  new_task_queue = [this] { return new Pool(*this); };
}

void GuardedServer::head_read() {
  if (current) current->head_read();
}

int GuardedServer::read_failure() { return current ? current->failure() : 0; }

bool GuardedServer::process_and_close_socket(socket_t sock) {
  if (accepting) {
    accepting->admit(sock);
  } else {
    close_socket(sock);
  }
  return true;
}

// How long a worker waits for the next request on its connection before
// handing it back: a client asking again at once (a page's next search, a
// benchmark) is served without two hand-overs, while a slow or idle client
// holds the worker no longer than this.
constexpr std::chrono::milliseconds kLinger{20};

void GuardedServer::serve(Pool& pool, Waiting&& w) {
  for (;;) {
    GuardedStream stream(w.fd, limits_, std::move(w.bytes));
    current = &stream;
    stream.begin_request();
    bool closed = false;
    const bool ok = process_request(stream, w.requests_left == 1, closed, nullptr);
    current = nullptr;
    // A request that broke a limit leaves the connection unusable.
    if (!ok || closed || stream.failure() || w.requests_left == 1 || svr_sock_ == INVALID_SOCKET) {
      if (!ok) stream.answer_unread_request();
      pool.close(w.fd);
      return;
    }
    w.bytes = stream.take_buffered();
    --w.requests_left;
    // The next request, if its head comes whole within kLinger.
    const auto until = Clock::now() + kLinger;
    int status = head_status(w.bytes, limits_);
    while (status == 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      pollfd p{w.fd, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
      char buffer[4096];
      const ssize_t n = ::recv(w.fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n <= 0) break;  // closed, or nothing after all: the head reader sees which
      w.bytes.append(buffer, static_cast<std::size_t>(n));
      status = head_status(w.bytes, limits_);
    }
    if (status != 1) break;
  }
  // Back to the head reader until the next request is whole (or to refuse it).
  w.deadline = Clock::now() + limits_.idle_timeout;
  w.started = false;
  pool.wait(std::move(w));
}

}  // namespace askalike::serve
