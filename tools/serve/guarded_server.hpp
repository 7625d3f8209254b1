// askalike serve's HTTP server: httplib's routing, with its own reading of
// each connection, so that a slow or large client is bounded (issue 24).
#ifndef ASKALIKE_TOOLS_SERVE_GUARDED_SERVER_HPP_
#define ASKALIKE_TOOLS_SERVE_GUARDED_SERVER_HPP_

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>

namespace askalike::serve {

struct ConnectionLimits {
  unsigned threads = 16;  // connections served at once
  // Connections open at once (served or waiting for a thread); more are
  // answered 503 at once and closed.
  std::size_t max_connections = 256;
  // The whole request head and body must arrive within this, however
  // slowly its bytes come (httplib's own timeouts are per read).
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds read_timeout{5000};   // silence in the middle of a request
  std::chrono::milliseconds write_timeout{5000};  // a client reading nothing of its answer
  std::chrono::milliseconds idle_timeout{5000};   // a kept-alive connection starting no request
  std::size_t max_head_bytes = 16384;  // request line and header fields
  std::size_t max_header_fields = 100;
};

struct Waiting;

// One thread reads every connection's request heads (epoll), so a client
// sending its head slowly, or idle between requests, holds no worker; a
// worker serves a request once its head is whole (httplib's routing) and
// reads its body within the request's deadline. Connections beyond
// max_connections are refused instead of queued.
class GuardedServer : public httplib::Server {
 public:
  class Pool;  // httplib's task queue: the head reader and the workers

  explicit GuardedServer(const ConnectionLimits& limits);

  // For the routing code, on the thread serving the request: the request
  // head has been read (the body, if any, is read under the same deadline).
  static void head_read();
  // Why the request being answered could not be read: 0 when it could,
  // 431 (head too large), 408 (request timeout).
  static int read_failure();

  std::uint64_t refused() const { return refused_; }

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Serves one request whose head the head reader has read, then gives the
  // connection back to it (kept alive) or closes it.
  void serve(Pool& pool, Waiting&& waiting);

  ConnectionLimits limits_;
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace askalike::serve

#endif  // ASKALIKE_TOOLS_SERVE_GUARDED_SERVER_HPP_
