// askalike serve: the JSON side of the HTTP API. Request parameters become
// SearchOptions, results and records become JSON, and every refusal is an
// HttpError that names what was wrong.
#ifndef ASKALIKE_TOOLS_SERVE_API_JSON_HPP_
#define ASKALIKE_TOOLS_SERVE_API_JSON_HPP_

#include <askalike/search.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace askalike::serve {

using json = nlohmann::json;

// A request the service refuses: the HTTP status, a short stable code for
// programs and a message for people.
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  int status_;
  std::string code_;
};

// The limits on what one request may ask for (each has a serve option).
struct Limits {
  std::size_t max_k = 100;                    // hits per page
  std::size_t max_offset = 10000;             // paging depth
  std::size_t max_body_bytes = 4 << 20;       // request body (413 above)
  std::size_t max_json_depth = 32;            // nesting of a request's JSON
};

// The body of an error answer: {"error": {"status", "code", "message"}}.
std::string error_body(int status, const std::string& code, const std::string& message);

// The answer body for a JSON value: never throws on text that is not
// UTF-8 (bad bytes become U+FFFD).
std::string dump(const json& value);

// Parses a request body (or one line of it): HttpError 400 that says where
// it is malformed, or that it is nested deeper than `max_depth`.
json parse_json(std::string_view text, std::size_t max_depth, const std::string& what = "the request body");

// A query string's parameters as a JSON object, so that GET and POST share
// one reading: `repeatable` names become arrays, any other name given twice
// is refused.
json params_to_json(const std::multimap<std::string, std::string>& params, const std::set<std::string>& repeatable);

// The search parameters of the API (see openapi.json): k, offset, min_score,
// category, tag, lang, group, since, until, exclude_id, the ranking weights,
// max_query_terms, spelling, question_type_weight, snippet_length, facets,
// facet_depth, max_topics.
// Numbers may be JSON numbers or their text (a query string's values).
// Keys in `also_allowed` are left for the caller; any other key is refused
// with HttpError 400 naming it.
SearchOptions search_options_from(const json& request, const Limits& limits,
                                  const std::set<std::string>& also_allowed);

// The parameter names search_options_from() reads, for error messages.
std::vector<std::string> search_parameter_names();

// A required text parameter (`q`, `text`): HttpError 400 when absent, not a
// string or blank.
std::string required_text(const json& request, const std::string& name);

// The highlight markers the service asks the library for: control
// characters never shown as text, split into parts by snippet_parts().
inline constexpr const char* kHighlightOpen = "\x01";
inline constexpr const char* kHighlightClose = "\x02";

// A highlighted snippet as [{"text": ..., "highlight": bool}, ...]: clients
// show each part as text, so no record text is ever read as markup.
json snippet_parts(const std::string& snippet);

// The records of a write's body: one JSON object (possibly over several
// lines), or JSON Lines. HttpError 400 naming the line of the first bad
// record: a body is taken whole or not at all.
std::vector<Record> records_from_body(const std::string& body, const Limits& limits);

// A stored record as a JSON object (its extra fields included).
json record_json(const Record& record);

// Search results as the API answers them.
json results_json(const Results& results, const SearchOptions& options);

}  // namespace askalike::serve

#endif  // ASKALIKE_TOOLS_SERVE_API_JSON_HPP_
