// askalike serve: the HTTP service. Routes, the write-token rule and the
// mapping of failures to HTTP answers live here; the JSON mapping is in
// api_json.hpp, the metrics in http_metrics.hpp, following commits in
// live_searcher.hpp.
#ifndef ASKALIKE_TOOLS_SERVE_SERVICE_HPP_
#define ASKALIKE_TOOLS_SERVE_SERVICE_HPP_

#include <chrono>
#include <memory>
#include <string>

#include "api_json.hpp"

namespace httplib {
class Server;
}

namespace askalike::serve {

struct ServiceOptions {
  std::string db;
  std::string write_token;  // empty: every write is refused with 403
  Limits limits;
  SearcherOptions searcher;  // how the database is opened (timeout_ms for remote shards)
  std::chrono::milliseconds reload_interval{500};
};

// Thread-safe: the HTTP server calls it from its pool of threads.
class Service {
 public:
  // Opens the database. Throws askalike::Error.
  explicit Service(ServiceOptions options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Registers every route, the error handler and the body limit on `server`.
  void install(httplib::Server& server);

  std::uint64_t documents() const;
  std::uint64_t revision() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Equal strings, compared in time that does not depend on where they differ
// (a token guessed byte by byte learns nothing from timing).
bool same_secret(const std::string& given, const std::string& expected);

// The write token from the first line of its file (`where` names the file in
// the message): spaces and a UTF-8 byte-order mark trimmed, then it must be
// what a client can send in a header, 16+ visible ASCII characters. Sets
// `problem` (and returns "") when the line is no usable token.
std::string write_token_from_line(std::string line, const std::string& where, std::string& problem);

}  // namespace askalike::serve

#endif  // ASKALIKE_TOOLS_SERVE_SERVICE_HPP_
