#include <string>
#include <utility>

#include "askalike/error.hpp"
#include "askalike/record.hpp"

namespace askalike {

JsonlReader::JsonlReader(std::istream& in, std::string source, bool skip_bad_lines)
    : in_(in), source_(std::move(source)), skip_bad_lines_(skip_bad_lines) {}

static bool is_blank(const std::string& s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  return true;
}

bool JsonlReader::next(Record& out) {
  std::string text;
  while (std::getline(in_, text)) {
    ++line_;
    if (line_ == 1 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
    if (is_blank(text)) continue;
    try {
      out = Record::from_json(text, source_, line_);
      return true;
    } catch (const ParseError& e) {
      if (!skip_bad_lines_) throw;
      bad_lines_.push_back(BadLine{e.source(), e.line(), e.reason()});
    }
  }
  if (in_.bad()) throw Error(ErrorCode::kIO, source_ + ": read error after line " + std::to_string(line_));
  return false;
}

}  // namespace askalike
