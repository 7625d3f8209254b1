// askalike (private): the pieces of the file readers (readers.hpp) shared
// between readers.cpp, readers_encoding.cpp, readers_csv.cpp and
// readers_page.cpp. Nothing here is exported.
#ifndef ASKALIKE_LIB_READERS_INTERNAL_HPP_
#define ASKALIKE_LIB_READERS_INTERNAL_HPP_

#include <cstddef>
#include <istream>
#include <map>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

#include "askalike/readers.hpp"
#include "askalike/record.hpp"

namespace askalike::detail {

// --- Encodings (readers_encoding.cpp) ---------------------------------------

// Throws Error(kInvalidArgument) when ICU knows no converter named `name`
// ("auto" and the UTF-8 spellings are always accepted).
void check_encoding_name(const std::string& name);

// A read-only stream buffer that yields the bytes of `in` converted to UTF-8.
// `encoding` is "auto" or an ICU converter name. With "auto": a byte-order
// mark (UTF-8, UTF-16, UTF-32) decides; else text whose first 64 KiB are
// UTF-8 but for a few bytes is passed through (bad bytes included: the
// record readers report their lines), and stays UTF-8 once a multi-byte
// character was seen; else ICU's charset detector guesses (at least a few
// non-ASCII bytes needed). A byte-order
// mark never reaches the output. Throws Error(kInvalidArgument) for an
// unknown encoding; read errors of `in` become Error(kIO) naming `source`.
class Utf8Streambuf : public std::streambuf {
 public:
  Utf8Streambuf(std::istream& in, std::string encoding, std::string source);
  ~Utf8Streambuf() override;
  Utf8Streambuf(const Utf8Streambuf&) = delete;
  Utf8Streambuf& operator=(const Utf8Streambuf&) = delete;

  // The encoding chosen ("UTF-8", "GB18030", ...), known after construction
  // (a legacy guess may also be made later, after an ASCII start).
  const std::string& encoding() const { return encoding_; }
  // True when the encoding was guessed (not named, no byte-order mark, not
  // UTF-8).
  bool guessed() const { return guessed_; }
  // Throws Error(kInvalidArgument) when the start of the text, as converted,
  // looks like binary data (NUL bytes, many control characters): an
  // executable or an image given by mistake is refused before any record.
  void refuse_binary_text();

 protected:
  int_type underflow() override;

 private:
  bool fill();  // converts the next chunk into out_; false at the end
  void start_converting(const std::string& encoding);

  std::istream& in_;
  std::string encoding_;
  std::string source_;
  bool passthrough_ = true;  // UTF-8 input: bytes are copied
  bool checking_ = false;    // ... but only guessed so: check the rest too
  bool utf8_evidence_ = false;  // multi-byte UTF-8 seen: stays UTF-8 past a bad byte
  bool guessed_ = false;
  bool at_start_ = true;     // a BOM may still have to be dropped
  bool input_done_ = false;
  bool flushed_ = false;
  std::string pending_;      // raw bytes read ahead (detection sample)
  std::vector<char> out_;    // converted bytes handed to the reader
  struct Converter;
  std::unique_ptr<Converter> conv_;
};

// An istream over a Utf8Streambuf, owning it.
class Utf8Istream : public std::istream {
 public:
  Utf8Istream(std::istream& in, const std::string& encoding, const std::string& source)
      : std::istream(nullptr), buf_(in, encoding, source) {
    rdbuf(&buf_);
  }
  Utf8Streambuf& buffer() { return buf_; }

 private:
  Utf8Streambuf buf_;
};

// --- Text helpers (readers.cpp) --------------------------------------------

// The file name without directories and without its last extension.
std::string file_stem(const std::string& path);
// Lower-cased ASCII copy.
std::string ascii_lower(std::string s);
// `s` without leading and trailing ASCII whitespace.
std::string trim(const std::string& s);
// "2007/08/27", "2007.8.27", "2007-08-27" -> "2007-08-27"; other text is
// returned trimmed and unchanged.
std::string normalize_date(const std::string& s);
// A JSON string literal holding `s` (invalid UTF-8 replaced).
std::string json_string(const std::string& s);
// Throws ParseError(source, line, ...) when `text` is not well-formed UTF-8
// (after conversion, only a file read as UTF-8 can hold such bytes).
void check_utf8_line(const std::string& text, const std::string& source, std::size_t line);

// --- The sources -------------------------------------------------------------

// CSV (delimiter ',') or TSV (delimiter '\t') with a header row, read from an
// already UTF-8 stream (readers_csv.cpp).
std::unique_ptr<RecordSource> make_delimited_source(std::istream& in, const std::string& name,
                                                    char delimiter, const ReadOptions& options);

// One Q&A page of text, read whole from a UTF-8 stream (readers_page.cpp).
// Throws ParseError when the text has no title or no question.
Record parse_page(std::istream& in, const std::string& name, const std::string& id, const InputLimits& limits);

// True when `text` (the start of a .txt file) has a page's marks: an
// "Ask Date:" or "Reply Date:" line, a "Dr. ... reply DEPARTMENT" line, or a
// "More Info", "Similar Q&A" or "Related FAQ" heading (readers_page.cpp).
// Without them a .txt file is read as one question per line.
bool looks_like_page(const std::string& text);

// One question per line, blank lines skipped (readers_lines.cpp).
std::unique_ptr<RecordSource> make_lines_source(std::istream& in, const std::string& name,
                                                const ReadOptions& options);
// The id of a line's record: "q-" and 16 hex digits of a 64-bit FNV-1a hash
// of its text, whitespace runs counted as one space.
std::string line_record_id(const std::string& line);

}  // namespace askalike::detail

#endif  // ASKALIKE_LIB_READERS_INTERNAL_HPP_
