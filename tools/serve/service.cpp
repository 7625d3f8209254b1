// The routes of askalike serve and how failures become HTTP answers.
#include "service.hpp"

#include <askalike/askalike.hpp>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <mutex>
#include <regex>
#include <vector>

#include "assets.hpp"
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

}  // namespace

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

  // Registers `handler` for `method` and the path `pattern` (a regex);
  // `endpoint` names the route in metrics. Every failure becomes a JSON
  // error answer; nothing thrown leaves the handler.
  void route(httplib::Server& server, const std::string& method, const std::string& pattern,
             const std::string& endpoint, Handler handler) {
    auto wrapped = [this, method, endpoint, handler](const httplib::Request& req, httplib::Response& res) {
      const auto start = std::chrono::steady_clock::now();
      try {
        handler(req, res);
      } catch (const HttpError& e) {
        res.status = e.status();
        res.set_content(error_body(e.status(), e.code(), e.what()), kJson);
      } catch (const Error& e) {
        auto [status, code] = status_of(e);
        res.status = status;
        if (e.code() == ErrorCode::kDatabaseLocked) res.set_header("Retry-After", "1");
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
    };
    routes.emplace_back(std::regex(pattern), method);
    if (method == "GET") server.Get(pattern, wrapped);
    else if (method == "POST") server.Post(pattern, wrapped);
    else if (method == "DELETE") server.Delete(pattern, wrapped);
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
  template <typename Change>
  json write(Change&& change) {
    std::lock_guard<std::mutex> lock(write_mutex);
    IndexOptions io;
    io.create_if_missing = false;
    json result;
    {
      IndexWriter writer(options.db, io);
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
      answer(res, {{"status", "ok"}, {"documents", live.documents()}, {"revision", live.revision()}});
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
    route(server, "POST", "/v1/similar", "/v1/similar",
          [this, &limits](const httplib::Request& req, httplib::Response& res) {
            json body = parse_json(req.body, limits.max_json_depth);
            SearchOptions o = search_options_from(body, limits, {"text"});
            answer(res, similar(required_text(body, "text"), o));
          });

    // Records.
    route(server, "GET", R"(/v1/records/(.+)/similar)", "/v1/records/{id}/similar",
          [this, repeatable, &limits](const httplib::Request& req, httplib::Response& res) {
            const std::string id = req.matches[1];
            SearchOptions o = search_options_from(params_to_json(req.params, repeatable), limits, {});
            json body = live.run([&](const Searcher& s) { return results_json(s.more_like(id, o), o); });
            body["revision"] = live.revision();
            answer(res, body);
          });
    route(server, "GET", R"(/v1/records/(.+))", "/v1/records/{id}",
          [this](const httplib::Request& req, httplib::Response& res) {
            no_parameters(req);
            const std::string id = req.matches[1];
            Record r;
            if (!live.run([&](const Searcher& s) { return s.get(id, r); }))
              throw HttpError(404, "not_found", "no record with id '" + id + "'");
            answer(res, {{"record", record_json(r)}, {"revision", live.revision()}});
          });
    route(server, "POST", "/v1/records", "/v1/records",
          [this, &limits](const httplib::Request& req, httplib::Response& res) {
            check_write_token(req);
            std::vector<Record> records = records_from_body(req.body, limits);
            answer(res, write([&](IndexWriter& writer) {
                     std::size_t replaced = 0;
                     json ids = json::array();
                     for (const Record& r : records) {
                       if (writer.upsert(r)) ++replaced;
                       ids.push_back(r.id);
                     }
                     return json{{"added", records.size() - replaced}, {"replaced", replaced}, {"ids", ids}};
                   }));
          });
    route(server, "DELETE", R"(/v1/records/(.+))", "/v1/records/{id}",
          [this](const httplib::Request& req, httplib::Response& res) {
            check_write_token(req);
            no_parameters(req);
            const std::string id = req.matches[1];
            answer(res, write([&](IndexWriter& writer) {
                     if (!writer.remove(id)) throw HttpError(404, "not_found", "no record with id '" + id + "'");
                     return json{{"deleted", id}};
                   }));
          });

    // What the HTTP library refuses itself (no route, body too large, bad
    // request line) gets a JSON error too.
    httplib::Server::HandlerWithResponse on_error = [this](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // a route's own answer
      std::string message = "no route for " + req.method + " " + req.path;
      std::string code = "not_found";
      if (res.status == 413) {
        message = "the request body is larger than " + std::to_string(options.limits.max_body_bytes) +
                  " bytes (the service's --max-body-bytes)";
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
    server.set_payload_max_length(options.limits.max_body_bytes);
  }
};

Service::Service(ServiceOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Service::~Service() = default;
void Service::install(httplib::Server& server) { impl_->install(server); }
std::uint64_t Service::documents() const { return impl_->live.documents(); }
std::uint64_t Service::revision() const { return impl_->live.revision(); }

}  // namespace askalike::serve
