#include <string>
#include <utility>

#include "askalike/error.hpp"
#include "askalike/record.hpp"
#include "input/line_reader.hpp"
#include "input/readers_internal.hpp"

namespace askalike {

JsonlReader::JsonlReader(std::istream& in, std::string source, bool skip_bad_lines, const InputLimits& limits)
    : in_(in), source_(std::move(source)), skip_bad_lines_(skip_bad_lines), limits_(limits) {}

static bool is_blank(const std::string& s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  return true;
}

bool JsonlReader::next(Record& out) {
  std::string text;
  detail::BoundedLine info;
  while (detail::read_bounded_line(in_, text, limits_.max_line_bytes, info)) {
    ++line_;
    if (line_ == 1 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
    try {
      if (info.too_long)
        throw ParseError(source_, line_,
                         "the line is longer than the limit of " + std::to_string(limits_.max_line_bytes) +
                             " bytes (max_line_bytes)");
      if (is_blank(text)) continue;
      detail::check_utf8_line(text, source_, line_);
      const bool first = !seen_text_;
      seen_text_ = true;
      try {
        out = Record::from_json(text, source_, line_, limits_);
      } catch (const ParseError& e) {
        // Text that is not JSON from its first line is another format,
        // most often a list of questions piped to stdin.
        std::size_t at = text.find_first_not_of(" \t\r");
        if (!first || at == std::string::npos || text[at] == '{' || text[at] == '[') throw;
        throw ParseError(e.source(), e.line(),
                         e.reason() + "; not JSON Lines? name the format with --format (Python: format=): "
                                      "lines (one question per line), csv, tsv or page");
      }
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
