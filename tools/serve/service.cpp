// The routes of askalike serve and how failures become HTTP answers.
#include "service.hpp"

#include <askalike/askalike.hpp>
#include <httplib.h>
#include <malloc.h>
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include "assets.hpp"
#include "guarded_server.hpp"
#include "http_metrics.hpp"
#include "live_searcher.hpp"

namespace askalike::serve {

namespace {

constexpr const char* kJson = "application/json";

// The status and code that stand for a library error.
std::pair<int, std::string> status_of(const Error& e) {
  switch (e.code()) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kParse: return {400, error_code_name(e.code())};
    case ErrorCode::kNotFound: return {404, "not_found"};
    case ErrorCode::kDatabaseLocked: return {503, "database_locked"};
    case ErrorCode::kIO: return {503, "unavailable"};
    // [issue 23] A remote shard down or hung: the service is fine, retry later.
    case ErrorCode::kUnavailable: return {503, "shard_unavailable"};
    case ErrorCode::kTimeout: return {503, "shard_timeout"};
    default: return {500, error_code_name(e.code())};
  }
}

std::string content_type_of(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".json")) return kJson;
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

// The request body limit's message, the same however the body is framed.
std::string too_large(std::size_t max_body_bytes) {
  return "the request body is larger than " + std::to_string(max_body_bytes) + " bytes (the service's --max-body-bytes)";
}

// Answers and then ends the connection: what the client still sends (a body
// not read) must not be taken for its next request. httplib closes a
// connection whose answer's content provider fails, so this one writes the
// whole answer and then fails.
void answer_and_close(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.set_header("Connection", "close");
  auto text = std::make_shared<const std::string>(std::move(body));
  res.set_content_provider(text->size(), kJson,
                           [text](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             sink.write(text->data() + offset, length);
                             return false;
                           });
}

// The raw (still percent-encoded) path of the request: a record id may hold
// an encoded "/" that the decoded path cannot tell from a real one.
std::string raw_path(const httplib::Request& req) { return req.target.substr(0, req.target.find('?')); }

constexpr std::size_t kMaxHeaders = 100;  // a client's own; httplib adds 4 (the addresses)

}  // namespace

std::string write_token_from_line(std::string token, const std::string& where, std::string& problem) {
  problem.clear();
  if (token.rfind("\xEF\xBB\xBF", 0) == 0) token.erase(0, 3);
  const char* space = " \t\r\n";
  token.erase(0, token.find_first_not_of(space));
  token.erase(token.find_last_not_of(space) + 1);
  // [issue 24] A NUL or a BOM kept in the token made one no client could give.
  for (std::size_t i = 0; i < token.size(); ++i) {
    const auto c = static_cast<unsigned char>(token[i]);
    if (c < 0x21 || c > 0x7E) {
      problem = "the write token " + where + " holds " +
                (c == 0 ? std::string("a NUL byte") : c < 0x80 ? "a space or control character" : "a non-ASCII byte") +
                " at byte " + std::to_string(i + 1) + "; a token is letters, digits and punctuation (ASCII)";
      return "";
    }
  }
  if (token.size() < 16) {
    problem = "the write token " + where + " must be at least 16 characters (it has " +
              std::to_string(token.size()) + ")";
    return "";
  }
  return token;
}

bool same_secret(const std::string& given, const std::string& expected) {
  // Every byte of the longer one is looked at, whatever the answer.
  const std::size_t n = std::max(given.size(), expected.size());
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char a = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    unsigned char b = i < expected.size() ? static_cast<unsigned char>(expected[i]) : 0;
    diff |= static_cast<unsigned char>(a ^ b);
  }
  return diff == 0 && !expected.empty();
}

struct Service::Impl {
  ServiceOptions options;
  LiveSearcher live;
  HttpMetrics metrics;
  std::mutex write_mutex;  // one write at a time: one IndexWriter per database
  // Every route's path and method, to tell "no such path" (404) from "not
  // with this method" (405). Filled by install(), read-only afterwards.
  std::vector<std::pair<std::regex, std::string>> routes;

  explicit Impl(ServiceOptions o) : options(std::move(o)), live(options.db, options.searcher, options.reload_interval) {}

  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  // A POST route's handler, given the body read within --max-body-bytes.
  using BodyHandler = std::function<void(const httplib::Request&, httplib::Response&, const std::string& body)>;
  // A handler that may name its route in metrics itself (one regex, two routes).
  using LabelledHandler = std::function<void(const httplib::Request&, httplib::Response&, std::string& endpoint)>;

  // Registers `handler` for `method` and the path `pattern` (a regex);
  // `endpoint` names the route in metrics. Every failure becomes a JSON
  // error answer; nothing thrown leaves the handler.
  void route(httplib::Server& server, const std::string& method, const std::string& pattern,
             const std::string& endpoint, Handler handler) {
    route(server, method, pattern, endpoint,
          LabelledHandler([handler](const httplib::Request& req, httplib::Response& res, std::string&) {
            handler(req, res);
          }));
  }

  // A POST route: its body is read here, never more than --max-body-bytes
  // however it is framed (Content-Length or chunked), and never through
  // httplib's form-urlencoded limit (curl --data-binary sends that type).
  void route(httplib::Server& server, const std::string& pattern, const std::string& endpoint, BodyHandler handler) {
    routes.emplace_back(std::regex(pattern), "POST");
    server.Post(pattern, [this, endpoint, handler](const httplib::Request& req, httplib::Response& res,
                                                   const httplib::ContentReader& reader) {
      const std::size_t limit = options.limits.max_body_bytes;
      std::string body;
      bool over = false;
      const bool complete = reader([&](const char* data, std::size_t size) {
        over = body.size() + size > limit;
        if (!over) body.append(data, size);
        return !over;
      });
      if (!complete) {  // the rest of the body is not read: the connection ends
        const int status = over ? 413 : 400;
        answer_and_close(res, status,
                         over ? error_body(status, "payload_too_large", too_large(limit))
                              : error_body(status, "bad_request",
                                           "the request body could not be read (a malformed chunk, or the client "
                                           "stopped sending)"));
        metrics.observe(endpoint, "POST", status, 0.0);
        return;
      }
      run(res, "POST", endpoint, [&](std::string&) { handler(req, res, body); });
    });
  }

  void route(httplib::Server& server, const std::string& method, const std::string& pattern,
             const std::string& endpoint, LabelledHandler handler) {
    auto wrapped = [this, method, endpoint, handler](const httplib::Request& req, httplib::Response& res) {
      run(res, method, endpoint, [&](std::string& label) { handler(req, res, label); });
    };
    routes.emplace_back(std::regex(pattern), method);
    if (method == "GET") server.Get(pattern, wrapped);
    else if (method == "DELETE") server.Delete(pattern, wrapped);
  }

  // Runs a route's handler; failures become JSON error answers.
  template <typename Call>
  void run(httplib::Response& res, const std::string& method, std::string endpoint, Call&& call) {
    const auto start = std::chrono::steady_clock::now();
    try {
      call(endpoint);
    } catch (const HttpError& e) {
      res.status = e.status();
      res.set_content(error_body(e.status(), e.code(), e.what()), kJson);
    } catch (const Error& e) {
      auto [status, code] = status_of(e);
      res.status = status;
      if (status == 503) res.set_header("Retry-After", "1");
      res.set_content(error_body(status, code, e.what()), kJson);
    } catch (const std::exception& e) {
      res.status = 500;
      res.set_content(error_body(500, "internal", e.what()), kJson);
    } catch (...) {  // nothing may end the service
      res.status = 500;
      res.set_content(error_body(500, "internal", "unexpected error"), kJson);
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    metrics.observe(endpoint, method, res.status == -1 ? 200 : res.status, took.count());
    return_memory(took.count(), res.body.size());
  }

  // [issue 24] glibc keeps what a thread freed in that thread's arena; after
  // a heavy request (long, or a large answer) it goes back to the system, so
  // that every worker does not keep the peak of the largest request it served.
  static void return_memory(double seconds, std::size_t answer_bytes) {
    if (seconds > 0.05 || answer_bytes > (std::size_t(1) << 20)) malloc_trim(0);
  }

  // Checks what the request's head says before any of its body is read:
  // a refusal here (HttpError) is answered at once and ends the connection.
  void admit(const httplib::Request& req) {
    if (req.headers.size() > kMaxHeaders + 4)
      throw HttpError(431, "header_fields_too_large",
                      "the request has more than " + std::to_string(kMaxHeaders) + " header fields");
    const bool has_encoding = req.has_header("Transfer-Encoding");
    const std::string encoding = req.get_header_value("Transfer-Encoding");
    const bool chunked = has_encoding && strcasecmp(encoding.c_str(), "chunked") == 0;
    if (has_encoding && (!chunked || req.get_header_value_count("Transfer-Encoding") > 1))
      throw HttpError(501, "not_implemented", "the only Transfer-Encoding the service reads is 'chunked'");
    const bool has_length = req.has_header("Content-Length");
    const std::string length_text = req.get_header_value("Content-Length");
    if (has_length && (chunked || req.get_header_value_count("Content-Length") > 1 || length_text.empty() ||
                       length_text.size() > 19 || length_text.find_first_not_of("0123456789") != std::string::npos))
      throw HttpError(400, "bad_request", "the request's Content-Length is not one whole number, or comes with chunked");
    const std::uint64_t length = has_length ? std::stoull(length_text) : 0;
    if (length > options.limits.max_body_bytes)
      throw HttpError(413, "payload_too_large", too_large(options.limits.max_body_bytes));
    const bool takes_body = req.method == "POST" && (req.path == "/v1/similar" || req.path == "/v1/records");
    if (takes_body) {
      if (req.is_multipart_form_data())
        throw HttpError(415, "unsupported_media_type", "send JSON (or JSON Lines), not multipart/form-data");
      if (req.path == "/v1/records") check_write_token(req);
    } else if (chunked) {
      throw HttpError(413, "payload_too_large", req.method + " " + req.path + " takes no request body");
    }
    // Without either, httplib would read a body until the client closes.
    const bool has_body_method =
        req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "PRI";
    if (has_body_method && !has_length && !chunked)
      throw HttpError(411, "length_required", "send the body with a Content-Length, or chunked");
  }

  void answer(httplib::Response& res, const json& body) { res.set_content(dump(body), kJson); }

  void check_write_token(const httplib::Request& req) {
    if (options.write_token.empty())
      throw HttpError(403, "forbidden", "writes are disabled: the service was started without --write-token-file");
    const std::string header = req.get_header_value("Authorization");
    // "Bearer TOKEN"; the scheme's name is case-insensitive (RFC 9110).
    const std::string scheme = "bearer ";
    std::string given;
    if (header.size() > scheme.size() &&
        std::equal(scheme.begin(), scheme.end(), header.begin(),
                   [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); }))
      given = header.substr(scheme.size());
    if (!same_secret(given, options.write_token))
      throw HttpError(403, "forbidden", "writes need the header 'Authorization: Bearer TOKEN' with the service's token");
  }

  // Refuses any query-string parameter on routes that take none.
  static void no_parameters(const httplib::Request& req) {
    if (!req.params.empty())
      throw HttpError(400, "unknown_parameter", "unknown parameter '" + req.params.begin()->first + "' (this route takes none)");
  }

  json similar(const std::string& text, const SearchOptions& o) {
    json body = live.run([&](const Searcher& s) { return results_json(s.similar(text, o), o); });
    body["revision"] = live.revision();
    return body;
  }

  // Writes with one IndexWriter opened for the request: another process may
  // write between requests (a batch import), and then this one waits its
  // turn with a 503 instead of locking it out for the service's lifetime.
  // [issue 24] A short wait first, retried with backoff, each try without a
  // wait of its own (IndexOptions::wait_lock_ms 0), so that it stands aside
  // for an `askalike index --wait-lock` waiting for the lock.
  static IndexWriter open_writer(const std::string& db) {
    IndexOptions io;
    io.create_if_missing = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1000);
    std::chrono::milliseconds pause(5);
    for (;;) {
      try {
        return IndexWriter(db, io);
      } catch (const Error& e) {
        if (e.code() != ErrorCode::kDatabaseLocked || std::chrono::steady_clock::now() + pause > deadline) throw;
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(200));
    }
  }

  template <typename Change>
  json write(Change&& change) {
    std::lock_guard<std::mutex> lock(write_mutex);
    json result;
    {
      IndexWriter writer = open_writer(options.db);
      result = change(writer);
      writer.commit();  // durable before the answer
    }
    live.refresh();  // the next request sees this commit
    result["revision"] = live.revision();
    return result;
  }

  void install(httplib::Server& server) {
    const std::set<std::string> repeatable = {"category", "tag"};
    const Limits& limits = options.limits;

    // The page and its files.
    auto serve_asset = [](httplib::Response& res, std::string_view name) {
      const Asset* a = find_asset(name);
      if (!a) throw HttpError(404, "not_found", "no such file: " + std::string(name));
      res.set_content(std::string(a->data), content_type_of(name).c_str());
      // The page's own files only: no inline script, no other origin.
      res.set_header("Content-Security-Policy",
                     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                     "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
      res.set_header("X-Content-Type-Options", "nosniff");
    };
    route(server, "GET", "/", "/", [serve_asset](const httplib::Request&, httplib::Response& res) {
      serve_asset(res, "index.html");
    });
    route(server, "GET", R"(/static/([A-Za-z0-9_.-]+))", "/static/{file}",
          [serve_asset](const httplib::Request& req, httplib::Response& res) {
            const std::string name = req.matches[1];
            if (name == "index.html" || name == "openapi.json")
              throw HttpError(404, "not_found", "no such file: " + name);
            serve_asset(res, name);
          });
    route(server, "GET", "/v1/openapi.json", "/v1/openapi.json",
          [](const httplib::Request&, httplib::Response& res) {
            res.set_content(std::string(find_asset("openapi.json")->data), kJson);
          });

    // Health, metrics, statistics.
    route(server, "GET", "/healthz", "/healthz", [this](const httplib::Request&, httplib::Response& res) {
      // [issue 23] Each database as of the last check (every --reload-interval):
      // one that is down fails the check, so a balancer stops sending here.
      json shards = json::array();
      bool ok = true;
      for (const ShardState& s : live.shards()) {
        json shard = {{"shard", s.shard}, {"status", s.ok ? "ok" : status_of(Error(s.error, "")).second}};
        if (s.ok) shard["documents"] = s.documents;
        else shard["error"] = s.message;
        shards.push_back(std::move(shard));
        ok = ok && s.ok;
      }
      if (!ok) {
        res.status = 503;
        res.set_header("Retry-After", "1");
      }
      answer(res, {{"status", ok ? "ok" : "unavailable"},
                   {"documents", live.documents()},
                   {"revision", live.revision()},
                   {"shards", shards}});
    });
    route(server, "GET", "/metrics", "/metrics", [this](const httplib::Request&, httplib::Response& res) {
      std::vector<HttpMetrics::Gauge> gauges = {
          {"askalike_documents", "Records in the database, as of the last check.", double(live.documents())},
          {"askalike_database_revision", "The database revision being served (0: a stub of several).",
           double(live.revision())},
          {"askalike_reloads_total", "Times the service reopened the database on a new commit.",
           double(live.reloads()), true},
          {"askalike_search_retries_total", "Searches retried because a commit changed the data under them.",
           double(live.retries()), true},
      };
      res.set_content(metrics.render(gauges), "text/plain; version=0.0.4; charset=utf-8");
    });
    route(server, "GET", "/v1/stats", "/v1/stats", [this](const httplib::Request& req, httplib::Response& res) {
      no_parameters(req);
      IndexStats s = live.run([](const Searcher& searcher) { return searcher.stats(); });
      json categories = json::array(), languages = json::array();
      for (const FacetCount& c : s.categories) categories.push_back({{"category", c.value}, {"count", c.count}});
      for (const FacetCount& l : s.languages) languages.push_back({{"lang", l.value}, {"count", l.count}});
      answer(res, {{"documents", s.documents},
                   {"distinct_terms", s.distinct_terms},
                   {"average_length", s.average_length},
                   {"categories", categories},
                   {"languages", languages},
                   {"analyzer", json::parse(s.analyzer.serialize())},  // an object, not JSON in a string
                   // [issue 28] The model whose vectors re-rank searches (null: words alone).
                   {"embedding_model", s.embedding_dimension == 0
                                           ? json(nullptr)
                                           : json{{"name", s.embedding_model}, {"dimension", s.embedding_dimension}}},
                   {"revision", live.revision()},
                   {"writes", !options.write_token.empty()}});
    });

    // Searches.
    route(server, "GET", "/v1/similar", "/v1/similar",
          [this, repeatable, &limits](const httplib::Request& req, httplib::Response& res) {
            json params = params_to_json(req.params, repeatable);
            SearchOptions o = search_options_from(params, limits, {"q"});
            answer(res, similar(required_text(params, "q"), o));
          });
    route(server, "/v1/similar", "/v1/similar",
          BodyHandler([this, &limits](const httplib::Request&, httplib::Response& res, const std::string& text) {
            json body = parse_json(text, limits.max_json_depth);
            SearchOptions o = search_options_from(body, limits, {"text"});
            answer(res, similar(required_text(body, "text"), o));
          }));

    // Records. The id is taken from the raw path, so that an id ending in
    // "/similar" (sent as "%2Fsimilar") is a record, not its similar list;
    // [\s\S] as ids may hold a newline (sent as "%0A").
    const std::string prefix = "/v1/records/";
    auto id_of = [prefix](const std::string& raw) {
      return httplib::detail::decode_url(raw.substr(prefix.size()), false);
    };
    route(server, "GET", R"(/v1/records/([\s\S]+))", "/v1/records/{id}",
          LabelledHandler([this, repeatable, &limits, id_of](const httplib::Request& req, httplib::Response& res,
                                                             std::string& endpoint) {
            std::string raw = raw_path(req);
            const std::string suffix = "/similar";
            if (raw.size() > 12 + suffix.size() && raw.compare(raw.size() - suffix.size(), suffix.size(), suffix) == 0) {
              endpoint = "/v1/records/{id}/similar";
              const std::string id = id_of(raw.substr(0, raw.size() - suffix.size()));
              SearchOptions o = search_options_from(params_to_json(req.params, repeatable), limits, {});
              json body = live.run([&](const Searcher& s) { return results_json(s.more_like(id, o), o); });
              body["revision"] = live.revision();
              return answer(res, body);
            }
            no_parameters(req);
            const std::string id = id_of(raw);
            Record r;
            if (!live.run([&](const Searcher& s) { return s.get(id, r); }))
              throw HttpError(404, "not_found", "no record with id '" + id + "'");
            answer(res, {{"record", record_json(r)}, {"revision", live.revision()}});
          }));
    route(server, "/v1/records", "/v1/records",
          BodyHandler([this, &limits](const httplib::Request& req, httplib::Response& res, const std::string& body) {
            check_write_token(req);
            std::vector<Record> records = records_from_body(body, limits);
            answer(res, write([&](IndexWriter& writer) {
                     std::size_t replaced = 0;
                     json ids = json::array();
                     for (const Record& r : records) {
                       if (writer.upsert(r)) ++replaced;
                       ids.push_back(r.id);
                     }
                     return json{{"added", records.size() - replaced}, {"replaced", replaced}, {"ids", ids}};
                   }));
          }));
    route(server, "DELETE", R"(/v1/records/([\s\S]+))", "/v1/records/{id}",
          [this, id_of](const httplib::Request& req, httplib::Response& res) {
            check_write_token(req);
            no_parameters(req);
            const std::string id = id_of(raw_path(req));
            answer(res, write([&](IndexWriter& writer) {
                     if (!writer.remove(id)) throw HttpError(404, "not_found", "no record with id '" + id + "'");
                     return json{{"deleted", id}};
                   }));
          });

    // What the HTTP library refuses itself (no route, body too large, bad
    // request line) gets a JSON error too.
    httplib::Server::HandlerWithResponse on_error = [this](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty() || res.content_provider_)  // a route's own answer
        return httplib::Server::HandlerResponse::Unhandled;
      std::string message = "no route for " + req.method + " " + req.path;
      std::string code = "not_found";
      if (res.status == 413) {
        message = too_large(options.limits.max_body_bytes);
        code = "payload_too_large";
      } else if (res.status == 414) {
        message = "the request line is too long; send long questions with POST /v1/similar";
        code = "uri_too_long";
      } else if (res.status == 404) {
        std::string allowed;
        for (const auto& [path, method] : routes)
          if (std::regex_match(req.path, path) && allowed.find(method) == std::string::npos)
            allowed += (allowed.empty() ? "" : ", ") + method;
        if (!allowed.empty()) {
          res.status = 405;
          res.set_header("Allow", allowed);
          message = req.path + " takes " + allowed + ", not " + req.method;
          code = "method_not_allowed";
        }
      } else if (GuardedServer::read_failure() == 431) {
        res.status = 431;
        message = "the request head is larger than 16384 bytes or has more than 100 header fields";
        code = "header_fields_too_large";
      } else if (GuardedServer::read_failure() == 408) {
        res.status = 408;
        message = "the request did not arrive within the service's --request-timeout";
        code = "request_timeout";
      } else {
        message = "the HTTP request could not be read (a malformed request line or header, or a body "
                  "without Content-Length)";
        code = "bad_request";
      }
      res.set_content(error_body(res.status, code, message), kJson);
      metrics.observe("other", req.method, res.status, 0.0);
      return httplib::Server::HandlerResponse::Handled;
    };
    server.set_error_handler(on_error);
    // A client that waits for "100 Continue" before its body is refused
    // instead when its head is, and sends no body at all.
    server.set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response& res) {
      try {
        admit(req);
        return 100;
      } catch (const HttpError& e) {
        answer_and_close(res, e.status(), error_body(e.status(), e.code(), e.what()));
        metrics.observe("other", req.method, e.status(), 0.0);
        return e.status();
      }
    });
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      // No answer is sent in parts: httplib would serve any number of
      // ranges of any answer (13 MB of app.js for a 6 KB request).
      const_cast<httplib::Request&>(req).ranges.clear();  // the server's own object, not const
      GuardedServer::head_read();
      try {
        admit(req);
      } catch (const HttpError& e) {
        answer_and_close(res, e.status(), error_body(e.status(), e.code(), e.what()));
        metrics.observe("other", req.method, e.status(), 0.0);
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server.set_payload_max_length(options.limits.max_body_bytes);
  }
};

Service::Service(ServiceOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Service::~Service() = default;
void Service::install(httplib::Server& server) { impl_->install(server); }
std::uint64_t Service::documents() const { return impl_->live.documents(); }
std::uint64_t Service::revision() const { return impl_->live.revision(); }

}  // namespace askalike::serve
