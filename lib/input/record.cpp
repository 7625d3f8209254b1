// Records to and from JSON, with nlohmann::json.
#include "askalike/record.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

#include "askalike/error.hpp"

namespace askalike {

using nlohmann::json;

namespace {

// The named fields, in output order.
enum class Field { kId, kTitle, kQuestion, kAnswer, kCategory, kTags, kLang, kUrl, kDate, kGroup, kVector, kOther };

Field field_of(const std::string& name) {
  static const std::pair<const char*, Field> kFields[] = {
      {"id", Field::kId},         {"title", Field::kTitle}, {"question", Field::kQuestion},
      {"answer", Field::kAnswer}, {"category", Field::kCategory}, {"tags", Field::kTags},
      {"lang", Field::kLang},     {"url", Field::kUrl},     {"date", Field::kDate},
      {"group", Field::kGroup},   {"vector", Field::kVector}};
  for (const auto& f : kFields)
    if (name == f.first) return f.second;
  return Field::kOther;
}

std::string* text_field(Record& r, Field f) {
  switch (f) {
    case Field::kId: return &r.id;
    case Field::kTitle: return &r.title;
    case Field::kQuestion: return &r.question;
    case Field::kAnswer: return &r.answer;
    case Field::kCategory: return &r.category;
    case Field::kLang: return &r.lang;
    case Field::kUrl: return &r.url;
    case Field::kDate: return &r.date;
    case Field::kGroup: return &r.group;
    default: return nullptr;
  }
}

}  // namespace

std::string Record::to_json() const {
  // Written member by member (not through an ordered_json object, whose
  // every insert searches the members before it: quadratic in the number
  // of extra fields). Invalid UTF-8 must not make export fail: replaced.
  std::string out = "{";
  auto member = [&out](const char* name, const auto& value) {
    if (out.size() > 1) out += ',';
    out += json(name).dump();
    out += ':';
    out += json(value).dump(-1, ' ', false, json::error_handler_t::replace);
  };
  member("id", id);
  auto put = [&member](const char* name, const std::string& value) {
    if (!value.empty()) member(name, value);
  };
  put("title", title);
  put("question", question);
  put("answer", answer);
  put("category", category);
  if (!tags.empty()) member("tags", tags);
  put("lang", lang);
  put("url", url);
  put("date", date);
  put("group", group);
  if (!vector.empty()) member("vector", vector);
  for (const auto& [name, text] : extra) {
    // An extra may not shadow a named field (from_json never makes one).
    if (field_of(name) != Field::kOther) continue;
    json value;
    try {
      value = json::parse(text);
    } catch (const json::exception&) {
      value = text;  // not JSON text: keep it as a string
    }
    if (out.size() > 1) out += ',';
    out += json(name).dump(-1, ' ', false, json::error_handler_t::replace);
    out += ':';
    out += value.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  out += '}';
  return out;
}

namespace {

// Checks, before parsing, how deeply arrays and objects nest and how many
// members the outer object has: nlohmann builds and copies values
// recursively, so a deep value could exhaust the stack.
void check_json_shape(std::string_view text, const std::string& source, std::size_t line,
                      const InputLimits& limits) {
  std::size_t depth = 0, members = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > InputLimits::kMaxJsonDepth)
          throw ParseError(source, line,
                           "JSON nested deeper than the limit of " + std::to_string(InputLimits::kMaxJsonDepth) +
                               " arrays and objects");
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      case ':':
        if (depth == 1 && ++members > limits.max_fields)
          throw ParseError(source, line,
                           "more fields than the limit of " + std::to_string(limits.max_fields) + " (max_fields)");
        break;
      default: break;
    }
  }
}

}  // namespace

Record Record::from_json(std::string_view text, const std::string& source, std::size_t line,
                         const InputLimits& limits) {
  check_json_shape(text, source, line, limits);
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {  // a syntax error, or a number or size out of range
    std::string what = e.what();
    // nlohmann's message starts with "[json.exception.parse_error.101] ": drop the tag.
    auto pos = what.find("] ");
    throw ParseError(source, line, "invalid JSON: " + (pos == std::string::npos ? what : what.substr(pos + 2)));
  }
  if (!j.is_object()) throw ParseError(source, line, "expected a JSON object, got " + std::string(j.type_name()));

  Record r;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    const json& value = it.value();
    Field f = field_of(name);
    if (f == Field::kOther) {
      r.extra[name] = value.dump(-1, ' ', false, json::error_handler_t::replace);
      continue;
    }
    if (f == Field::kVector) {
      if (value.is_null()) continue;
      // An embedding: at most 65,536 finite numbers (no model has more).
      if (!value.is_array() || value.size() > 65536)
        throw ParseError(source, line, "\"vector\" must be an array of at most 65536 numbers");
      r.vector.reserve(value.size());
      for (const auto& x : value) {
        if (!x.is_number()) throw ParseError(source, line, "\"vector\" must be an array of at most 65536 numbers");
        const double d = x.get<double>();
        const float f32 = static_cast<float>(d);
        if (!std::isfinite(f32)) throw ParseError(source, line, "\"vector\" holds a number out of float range");
        r.vector.push_back(f32);
      }
      continue;
    }
    if (f == Field::kTags) {
      if (value.is_null()) continue;
      if (value.is_string()) {
        r.tags.push_back(value.get<std::string>());
        continue;
      }
      if (!value.is_array()) throw ParseError(source, line, "\"tags\" must be an array of strings");
      for (const auto& t : value) {
        if (!t.is_string()) throw ParseError(source, line, "\"tags\" must be an array of strings");
        r.tags.push_back(t.get<std::string>());
      }
      continue;
    }
    std::string* target = text_field(r, f);
    if (value.is_string()) {
      *target = value.get<std::string>();
    } else if (value.is_null()) {
      target->clear();
    } else if (f == Field::kId && value.is_number_integer()) {
      *target = value.dump();
    } else {
      throw ParseError(source, line, "\"" + name + "\" must be a string, got " + std::string(value.type_name()));
    }
  }
  if (r.id.empty()) throw ParseError(source, line, "missing \"id\"");
  return r;
}

bool Record::operator==(const Record& o) const {
  return id == o.id && title == o.title && question == o.question && answer == o.answer &&
         category == o.category && tags == o.tags && lang == o.lang && url == o.url && date == o.date &&
         group == o.group && vector == o.vector && extra == o.extra;
}

RecordSource::~RecordSource() = default;

}  // namespace askalike
