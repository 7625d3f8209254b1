// A list of questions, one per line (the "lines" format): each non-blank
// line is a record whose question is the line. The id is a hash of the
// line's text, so that the same question gets the same id whichever file or
// line it comes from, and re-importing a file leaves the database as it was.
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "askalike/error.hpp"
#include "input/line_reader.hpp"
#include "input/readers_internal.hpp"

namespace askalike::detail {

std::string line_record_id(const std::string& line) {
  // Whitespace runs count as one space, so re-wrapped or re-indented text
  // keeps its id; case and punctuation are the text's own.
  std::string norm;
  for (char c : trim(line)) {
    bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
    if (space) {
      if (!norm.empty() && norm.back() != ' ') norm += ' ';
    } else {
      norm += c;
    }
  }
  // FNV-1a, 64 bits: fixed by its definition, the same on every machine
  // and in every version (std::hash is neither).
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : norm) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "q-%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

class LinesSource : public RecordSource {
 public:
  LinesSource(std::istream& in, std::string name, const ReadOptions& options)
      : in_(in), name_(std::move(name)), skip_(options.skip_bad_lines), limits_(options.limits) {}

  bool next(Record& out) override {
    std::string text;
    BoundedLine info;
    while (read_bounded_line(in_, text, limits_.max_line_bytes, info, /*cr_ends_line=*/true)) {
      ++line_;
      try {
        if (info.too_long)
          throw ParseError(name_, line_,
                           "the line is longer than the limit of " + std::to_string(limits_.max_line_bytes) +
                               " bytes (max_line_bytes)");
        if (info.length > limits_.max_record_bytes)
          throw ParseError(name_, line_,
                           "the question is longer than the limit of " + std::to_string(limits_.max_record_bytes) +
                               " bytes (max_record_bytes)");
        std::string question = trim(text);
        if (question.empty()) continue;  // blank lines separate nothing
        check_utf8_line(question, name_, line_);
        out = Record();
        out.id = line_record_id(question);
        out.question = std::move(question);
        record_line_ = line_;
        return true;
      } catch (const ParseError& e) {
        if (!skip_) throw;
        bad_lines_.push_back(BadLine{e.source(), e.line(), e.reason()});
      }
    }
    if (in_.bad()) throw Error(ErrorCode::kIO, name_ + ": read error after line " + std::to_string(line_));
    return false;
  }
  const std::vector<BadLine>& bad_lines() const override { return bad_lines_; }
  std::string source_name() const override { return name_; }
  std::size_t line() const override { return record_line_; }

 private:
  std::istream& in_;
  std::string name_;
  bool skip_;
  InputLimits limits_;
  std::size_t line_ = 0;         // lines read
  std::size_t record_line_ = 0;  // the line of the last record
  std::vector<BadLine> bad_lines_;
};

}  // namespace

std::unique_ptr<RecordSource> make_lines_source(std::istream& in, const std::string& name,
                                                const ReadOptions& options) {
  return std::make_unique<LinesSource>(in, name, options);
}

}  // namespace askalike::detail
