// The JSON side of the HTTP API: parameters in, results and records out.
#include "api_json.hpp"

#include <askalike/error.hpp>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>

namespace askalike::serve {

namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] ": the
// rest ("parse error at line 1, column 9: ...") is what a client needs.
std::string without_exception_id(const std::string& message) {
  if (!message.empty() && message[0] == '[') {
    std::size_t end = message.find("] ");
    if (end != std::string::npos) return message.substr(end + 2);
  }
  return message;
}

HttpError bad_parameter(const std::string& name, const std::string& wanted) {
  return HttpError(400, "invalid_parameter", "parameter '" + name + "' must be " + wanted);
}

std::string text_of(const json& value, const std::string& name) {
  if (!value.is_string()) throw bad_parameter(name, "a string");
  return value.get<std::string>();
}

// A whole-number parameter: a JSON number or its decimal text.
std::size_t count_of(const json& value, const std::string& name) {
  if (value.is_number_unsigned()) return value.get<std::size_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0)  // built in code, not parsed
    return static_cast<std::size_t>(value.get<std::int64_t>());
  if (value.is_string()) {
    const std::string s = value.get<std::string>();
    if (!s.empty() && s.size() < 19 && s.find_first_not_of("0123456789") == std::string::npos)
      return static_cast<std::size_t>(std::strtoull(s.c_str(), nullptr, 10));
  }
  throw bad_parameter(name, "a whole number of 0 or more");
}

// A real-number parameter: a finite JSON number or its text.
double number_of(const json& value, const std::string& name) {
  double v = NAN;
  if (value.is_number()) {
    v = value.get<double>();
  } else if (value.is_string()) {
    const std::string s = value.get<std::string>();
    char* end = nullptr;
    errno = 0;
    if (!s.empty()) v = std::strtod(s.c_str(), &end);
    if (s.empty() || errno != 0 || end != s.c_str() + s.size()) v = NAN;
  }
  if (!std::isfinite(v)) throw bad_parameter(name, "a finite number");
  return v;
}

bool flag_of(const json& value, const std::string& name) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) {
    const std::string s = value.get<std::string>();
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
  }
  throw bad_parameter(name, "true or false");
}

// One string or an array of strings.
std::vector<std::string> texts_of(const json& value, const std::string& name) {
  if (value.is_string()) return {value.get<std::string>()};
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const json& v : value) {
      if (!v.is_string()) throw bad_parameter(name, "a string or an array of strings");
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  throw bad_parameter(name, "a string or an array of strings");
}

using Setter = std::function<void(const json&, const std::string&, SearchOptions&, const Limits&)>;

// Every search parameter and what it sets: one table, so that the GET and
// POST forms, the error messages and the checks cannot drift apart.
const std::vector<std::pair<std::string, Setter>>& parameters() {
  static const std::vector<std::pair<std::string, Setter>> table = {
      {"k", [](const json& v, const std::string& n, SearchOptions& o, const Limits& l) {
         o.k = count_of(v, n);
         if (o.k == 0) throw bad_parameter(n, "at least 1");
         if (o.k > l.max_k)
           throw bad_parameter(n, "at most " + std::to_string(l.max_k) + " (the service's --max-k)");
       }},
      {"offset", [](const json& v, const std::string& n, SearchOptions& o, const Limits& l) {
         o.offset = count_of(v, n);
         if (o.offset > l.max_offset)
           throw bad_parameter(n, "at most " + std::to_string(l.max_offset) + " (the service's --max-offset)");
       }},
      {"min_score", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) {
         o.min_score = number_of(v, n);
       }},
      {"category", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) {
         o.categories = texts_of(v, n);
       }},
      {"tag", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) { o.tags = texts_of(v, n); }},
      {"lang", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) { o.lang = text_of(v, n); }},
      {"group", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) { o.group = text_of(v, n); }},
      {"since", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) { o.since = text_of(v, n); }},
      {"until", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) { o.until = text_of(v, n); }},
      {"exclude_id", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) {
         o.exclude_id = text_of(v, n);
       }},
      {"bm25_k1", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) {
         o.bm25_k1 = number_of(v, n);
       }},
      {"max_query_terms", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) {
         o.max_query_terms = count_of(v, n);
         if (o.max_query_terms == 0 || o.max_query_terms > 1000) throw bad_parameter(n, "within 1..1000");
       }},
      {"spelling", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) {
         o.spelling = flag_of(v, n);
       }},
      {"question_type_weight", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) {
         o.question_type_weight = number_of(v, n);
       }},
      {"semantic", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) {
         o.semantic = flag_of(v, n);
       }},
      {"semantic_depth", [](const json& v, const std::string& n, SearchOptions& o, const Limits& l) {
         o.semantic_depth = count_of(v, n);
         if (*o.semantic_depth == 0 || *o.semantic_depth > l.max_k * 10)
           throw bad_parameter(n, "within 1.." + std::to_string(l.max_k * 10) + " (10 times --max-k)");
       }},
      {"semantic_lexical_weight", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) {
         o.semantic_lexical_weight = number_of(v, n);
       }},
      {"vector", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) {
         // The query's embedding, made by the caller (issue 28).
         if (!v.is_array() || v.empty() || v.size() > 65536)
           throw bad_parameter(n, "an array of 1 to 65536 numbers (the query's embedding)");
         for (const json& x : v) o.query_vector.push_back(static_cast<float>(number_of(x, n)));
       }},
      {"snippet_length", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) {
         o.snippet_length = count_of(v, n);
         if (o.snippet_length > 10000) throw bad_parameter(n, "at most 10000");
       }},
      {"facets", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) {
         o.facets = flag_of(v, n);
       }},
      {"facet_depth", [](const json& v, const std::string& n, SearchOptions& o, const Limits& l) {
         o.facet_depth = count_of(v, n);
         if (o.facet_depth > l.max_k * 10)
           throw bad_parameter(n, "at most " + std::to_string(l.max_k * 10) + " (10 times --max-k)");
       }},
      {"max_topics", [](const json& v, const std::string& n, SearchOptions& o, const Limits&) {
         o.max_topics = count_of(v, n);
         if (o.max_topics > 100) throw bad_parameter(n, "at most 100");
       }},
  };
  return table;
}

}  // namespace

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string error_body(int status, const std::string& code, const std::string& message) {
  return dump(json{{"error", {{"status", status}, {"code", code}, {"message", message}}}});
}

json parse_json(std::string_view text, std::size_t max_depth, const std::string& what) {
  struct TooDeep {};
  std::string key;  // the last object key read: names the field of a number out of range
  // The parser itself keeps its own stack, but the value it builds is
  // walked recursively later on (copies, dumps): refuse deep nesting here.
  json::parser_callback_t limit_depth = [max_depth, &key](int depth, json::parse_event_t event, json& parsed) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        static_cast<std::size_t>(depth) >= max_depth)
      throw TooDeep{};
    if (event == json::parse_event_t::key) key = parsed.get<std::string>();
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), limit_depth);
  } catch (const TooDeep&) {
    throw HttpError(400, "malformed_json",
                    what + " is nested deeper than " + std::to_string(max_depth) + " levels");
  } catch (const json::parse_error& e) {
    throw HttpError(400, "malformed_json", "malformed JSON in " + what + ": " + without_exception_id(e.what()));
  } catch (const json::exception& e) {  // a number beyond a double's range (1e999)
    throw HttpError(400, "invalid_number",
                    "in " + what + (key.empty() ? std::string() : ", field '" + key + "'") + ": " +
                        without_exception_id(e.what()) + " (beyond the range of a number)");
  }
}

json params_to_json(const std::multimap<std::string, std::string>& params, const std::set<std::string>& repeatable) {
  json out = json::object();
  for (const auto& [name, value] : params) {
    if (repeatable.count(name)) {
      if (!out.contains(name)) out[name] = json::array();
      out[name].push_back(value);
    } else if (out.contains(name)) {
      throw HttpError(400, "invalid_parameter", "parameter '" + name + "' is given more than once");
    } else {
      out[name] = value;
    }
  }
  return out;
}

std::vector<std::string> search_parameter_names() {
  std::vector<std::string> names;
  for (const auto& p : parameters()) names.push_back(p.first);
  return names;
}

SearchOptions search_options_from(const json& request, const Limits& limits, const std::set<std::string>& also_allowed) {
  if (!request.is_object()) throw HttpError(400, "invalid_request", "the request must be a JSON object");
  SearchOptions o;
  o.highlight_open = kHighlightOpen;
  o.highlight_close = kHighlightClose;
  for (const auto& [name, value] : request.items()) {
    if (also_allowed.count(name)) continue;
    bool known = false;
    for (const auto& [param, set] : parameters())
      if (param == name) {
        set(value, name, o, limits);
        known = true;
        break;
      }
    if (!known) {
      std::string list;
      for (const auto& a : also_allowed) list += a + ", ";
      for (const auto& p : parameters()) list += p.first + (p.first == parameters().back().first ? "" : ", ");
      throw HttpError(400, "unknown_parameter", "unknown parameter '" + name + "' (known: " + list + ")");
    }
  }
  return o;
}

std::string required_text(const json& request, const std::string& name) {
  auto it = request.find(name);
  if (it == request.end()) throw HttpError(400, "missing_parameter", "parameter '" + name + "' is required");
  std::string text = text_of(*it, name);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw HttpError(400, "missing_parameter", "parameter '" + name + "' is empty");
  return text;
}

json snippet_parts(const std::string& snippet) {
  json parts = json::array();
  bool highlight = false;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) parts.push_back({{"text", current}, {"highlight", highlight}});
    current.clear();
  };
  for (char c : snippet) {
    if (c == kHighlightOpen[0] || c == kHighlightClose[0]) {
      flush();
      highlight = c == kHighlightOpen[0];
    } else {
      current += c;
    }
  }
  flush();
  return parts;
}

std::vector<Record> records_from_body(const std::string& body, const Limits& limits) {
  std::vector<Record> out;
  std::size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) throw HttpError(400, "invalid_request", "the request body is empty");
  // One (possibly pretty-printed) object...
  try {
    json whole = parse_json(body, limits.max_json_depth);
    if (!whole.is_object())
      throw HttpError(400, "invalid_request", "send one record as a JSON object, or JSON Lines (one object a line)");
    try {
      out.push_back(Record::from_json(body, "request body", 1));
    } catch (const ParseError& e) {
      throw HttpError(400, "invalid_record", "the record in the request body: " + e.reason());
    }
    return out;
  } catch (const HttpError& e) {
    if (e.code() != "malformed_json") throw;
  }
  // ... or one object a line.
  std::size_t line_number = 0;
  for (std::size_t start = 0; start < body.size();) {
    std::size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    std::string line = body.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = "line " + std::to_string(line_number) + " of the request body";
    parse_json(line, limits.max_json_depth, where);
    try {
      out.push_back(Record::from_json(line, "request body", line_number));
    } catch (const ParseError& e) {
      throw HttpError(400, "invalid_record", where + ": " + e.reason());
    }
  }
  return out;
}

json record_json(const Record& record) {
  json out = json::parse(record.to_json(), nullptr, false);
  return out.is_discarded() ? json{{"id", record.id}} : out;
}

json results_json(const Results& results, const SearchOptions& options) {
  json hits = json::array();
  for (const Hit& h : results.hits) {
    json hit = {{"rank", h.rank},
                {"id", h.id},
                {"score", h.score},
                {"confidence", h.confidence},
                {"matched_terms", h.matched_terms},
                {"question_snippet", snippet_parts(h.question_snippet)},
                {"answer_snippet", snippet_parts(h.answer_snippet)},
                {"record", record_json(h.record)}};
    if (results.semantic) {
      hit["lexical_score"] = h.lexical_score;
      hit["semantic_similarity"] = h.semantic_similarity;
    }
    hits.push_back(std::move(hit));
  }
  json categories = json::array();
  for (const FacetCount& c : results.categories) categories.push_back({{"category", c.value}, {"count", c.count}});
  json topics = json::array();
  for (const RelatedTopic& t : results.related_topics)
    topics.push_back({{"topic", t.topic}, {"category", t.category}, {"count", t.count}});
  json terms = json::array();
  for (const QueryTerm& t : results.query_terms) terms.push_back({{"term", t.term}, {"weight", t.weight}});
  json corrections = json::array();
  for (const SpellingCorrection& c : results.corrections)
    corrections.push_back({{"word", c.word}, {"correction", c.correction}});
  return {{"k", options.k},
          {"offset", options.offset},
          {"estimated_matches", results.estimated_matches},
          {"hits", hits},
          {"related_categories", categories},
          {"related_topics", topics},
          {"query_terms", terms},
          {"did_you_mean", corrections},
          {"question_type", results.question_type},
          {"semantic", results.semantic}};
}

}  // namespace askalike::serve
