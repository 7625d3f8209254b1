// askalike: one question-and-answer record, and reading them from JSON Lines.
#ifndef ASKALIKE_RECORD_HPP_
#define ASKALIKE_RECORD_HPP_

#include <cstddef>
#include <functional>
#include <istream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "askalike/export.hpp"

namespace askalike {

// Bounds on what one input may hold, so that a hostile or broken file gets
// a clear error instead of minutes of work and gigabytes of memory. Every
// limit must be at least 1; each error message names the limit it hit.
struct ASKALIKE_EXPORT InputLimits {
  // One line of JSON Lines, CSV or TSV, or one page file (bytes).
  std::size_t max_line_bytes = 8 << 20;
  // One record: a CSV/TSV row spanning lines, a page (bytes).
  std::size_t max_record_bytes = 8 << 20;
  // Fields of one record: a JSON object's members, CSV/TSV columns.
  std::size_t max_fields = 1000;
  // JSON arrays and objects nested in each other, in one record (fixed: a
  // deeper value could exhaust the stack when it is copied or written).
  static constexpr std::size_t kMaxJsonDepth = 100;
};

// One question with its answer, as on a Q&A page. Only `id` is required,
// and at least one of `title` and `question` should hold text.
// A plain value type: copy it freely; no thread-safety concerns.
struct ASKALIKE_EXPORT Record {
  std::string id;        // unique within a database; at most 200 bytes
  std::string title;     // headline or focus ("Facial twitching")
  std::string question;  // the asker's text
  std::string answer;    // the reply, may be empty
  std::string category;  // department, forum section, source
  std::vector<std::string> tags;
  std::string lang;      // "en", "zh", ... (ISO 639-1); empty: the index's default
  std::string url;
  std::string date;      // "YYYY-MM-DD" (a prefix such as "YYYY" also sorts right)
  std::string group;     // a re-ranking set: search can be limited to one group
  // [issue 28] The record's own embedding ("vector" in JSON Lines), for a
  // database that stores vectors (IndexOptions::embedding_model or
  // ::embedding_dimension): used instead of the model's, its length must be
  // the database's dimension. Empty: the model embeds the record, if any.
  std::vector<float> vector;
  // Every other field of the input object, verbatim: name -> the value's JSON
  // text (a string value keeps its quotes: "\"Dr. Ye\"").
  std::map<std::string, std::string> extra;

  // One JSON object on one line, fields in the order above, extras after.
  std::string to_json() const;

  // Parses one JSON object. Throws ParseError(source, line, reason) when the
  // text is not an object, `id` is missing or empty, a field has the wrong
  // type, or it passes `limits` (max_fields, kMaxJsonDepth). Numbers are
  // accepted for `id` and kept as their decimal text.
  static Record from_json(std::string_view json, const std::string& source = "<string>",
                          std::size_t line = 0, const InputLimits& limits = InputLimits());

  bool operator==(const Record& other) const;
  bool operator!=(const Record& other) const { return !(*this == other); }
};

// A line that could not be read, when bad lines are skipped.
struct ASKALIKE_EXPORT BadLine {
  std::string source;
  std::size_t line = 0;
  std::string reason;
};

// Where one column of a CSV/TSV file goes: a record field ("title"), or,
// when `extra` is true, the extra field named `field`.
struct ASKALIKE_EXPORT ColumnUse {
  std::string column;  // the name in the header row
  std::string field;
  bool extra = false;
};

// A stream of records from some input (JSON Lines here; CSV, TSV, Q&A
// pages and legacy encodings in readers.hpp). Not thread-safe.
class ASKALIKE_EXPORT RecordSource {
 public:
  virtual ~RecordSource();
  // Reads the next record into `out`; false at the end of the input. A
  // malformed record throws ParseError, or, when the source was opened to
  // skip bad input, is listed in bad_lines() and passed over.
  virtual bool next(Record& out) = 0;
  // The bad input passed over so far (skipping sources only).
  virtual const std::vector<BadLine>& bad_lines() const = 0;
  // Where the last record read came from, for messages: a file name and a
  // 1-based line ("" and 0 when the source cannot tell).
  virtual std::string source_name() const { return {}; }
  virtual std::size_t line() const { return 0; }
  // The encoding the input is being read in when it was guessed (not named,
  // no byte-order mark, not UTF-8), e.g. "GB18030"; "" otherwise. Worth
  // telling the user: a wrong guess gives garbled text.
  virtual std::string guessed_encoding() const { return {}; }
  // CSV/TSV: each column of the header row, in order, with the field it
  // fills; empty for other formats (and for a file without a header row).
  virtual std::vector<ColumnUse> columns() const { return {}; }
};

// Reads JSON Lines: one object per line, UTF-8; blank lines are ignored, and
// so is a UTF-8 byte-order mark at the start.
class ASKALIKE_EXPORT JsonlReader : public RecordSource {
 public:
  // `source` names the stream in error messages (a path, or "<stdin>"). A
  // line longer than limits.max_line_bytes is a bad line (it is not read
  // into memory whole).
  JsonlReader(std::istream& in, std::string source, bool skip_bad_lines = false,
              const InputLimits& limits = InputLimits());

  bool next(Record& out) override;
  const std::vector<BadLine>& bad_lines() const override { return bad_lines_; }
  std::string source_name() const override { return source_; }
  // The number of the last line read (1-based).
  std::size_t line() const override { return line_; }

 private:
  std::istream& in_;
  std::string source_;
  bool skip_bad_lines_;
  InputLimits limits_;
  std::size_t line_ = 0;
  bool seen_text_ = false;  // a non-blank line was read
  std::vector<BadLine> bad_lines_;
};

}  // namespace askalike

#endif  // ASKALIKE_RECORD_HPP_
