// Opening record sources: the format from the name or the options, the
// encoding layer under every text format, and directories of pages.
#include "askalike/readers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>
#include <vector>

#include "askalike/error.hpp"
#include "askalike/validate.hpp"
#include "input/readers_internal.hpp"

namespace askalike {

namespace fs = std::filesystem;

namespace detail {

std::string ascii_lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string trim(const std::string& s) {
  const char* ws = " \t\r\n\f\v";
  auto b = s.find_first_not_of(ws);
  if (b == std::string::npos) return std::string();
  auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::string file_stem(const std::string& path) {
  if (path == "-" || path == "<stdin>") return "stdin";
  std::string stem = fs::path(path).stem().string();
  return stem.empty() ? std::string("input") : stem;
}

std::string normalize_date(const std::string& text) {
  std::string s = trim(text);
  // YYYY<sep>M[M]<sep>D[D] with the same separator twice, optionally followed
  // by a time that is dropped.
  auto digits = [&s](std::size_t pos, std::size_t min, std::size_t max, std::size_t& end) {
    std::size_t i = pos;
    while (i < s.size() && i - pos < max && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    end = i;
    return i - pos >= min;
  };
  std::size_t e1, e2, e3;
  if (!digits(0, 4, 4, e1) || e1 >= s.size()) return s;
  char sep = s[e1];
  if (sep != '/' && sep != '-' && sep != '.') return s;
  if (!digits(e1 + 1, 1, 2, e2) || e2 >= s.size() || s[e2] != sep) return s;
  if (!digits(e2 + 1, 1, 2, e3)) return s;
  if (e3 < s.size() && s[e3] != ' ' && s[e3] != 'T') return s;
  int month = std::stoi(s.substr(e1 + 1, e2 - e1 - 1));
  int day = std::stoi(s.substr(e2 + 1, e3 - e2 - 1));
  if (month < 1 || month > 12 || day < 1 || day > 31) return s;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s-%02d-%02d", s.substr(0, 4).c_str(), month, day);
  return buf;
}

std::string json_string(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace detail

using detail::ascii_lower;

InputFormat parse_input_format(const std::string& name) {
  std::string n = ascii_lower(name);
  if (n == "auto") return InputFormat::kAuto;
  if (n == "jsonl" || n == "ndjson" || n == "json") return InputFormat::kJsonl;
  if (n == "csv") return InputFormat::kCsv;
  if (n == "tsv" || n == "tab") return InputFormat::kTsv;
  if (n == "page" || n == "txt") return InputFormat::kPage;  // "txt": as before lines existed
  if (n == "lines") return InputFormat::kLines;
  throw Error(ErrorCode::kInvalidArgument,
              "unknown input format \"" + name + "\" (use jsonl, csv, tsv, lines, page or auto)");
}

namespace {

// The format a file name implies; kAuto when it implies none.
InputFormat format_from_name(const std::string& name) {
  std::string ext = ascii_lower(fs::path(name).extension().string());
  if (ext == ".jsonl" || ext == ".json" || ext == ".ndjson") return InputFormat::kJsonl;
  if (ext == ".csv") return InputFormat::kCsv;
  if (ext == ".tsv" || ext == ".tab") return InputFormat::kTsv;
  if (ext == ".txt") return InputFormat::kPage;  // or lines: see open_text
  return InputFormat::kAuto;
}

// The format to open a file with: the one named, else the name's, where a
// .txt file is kAuto still (open_text looks inside).
InputFormat format_to_open(const std::string& name, InputFormat named) {
  if (named != InputFormat::kAuto) return named;
  InputFormat f = format_from_name(name);
  return f == InputFormat::kPage ? InputFormat::kAuto : f;
}

void check_options(const ReadOptions& options) {
  detail::check_encoding_name(options.encoding);
  validate(options.limits);
  static const char* const kFields[] = {"id",   "title", "question", "answer", "category",
                                        "tags", "lang",  "url",      "date",   "group"};
  for (const auto& [field, column] : options.field_map) {
    if (std::find(std::begin(kFields), std::end(kFields), field) == std::end(kFields))
      throw Error(ErrorCode::kInvalidArgument,
                  "field map: \"" + field +
                      "\" is not a record field (use id, title, question, answer, category, tags, lang, url, "
                      "date or group)");
    if (column.empty())
      throw Error(ErrorCode::kInvalidArgument, "field map: no column named for \"" + field + "\"");
  }
}

// One page read from a stream: at most one record.
class PageStreamSource : public RecordSource {
 public:
  PageStreamSource(std::istream& in, std::string name, bool skip, const InputLimits& limits)
      : in_(in), name_(std::move(name)), skip_(skip), limits_(limits) {}

  bool next(Record& out) override {
    if (done_) return false;
    done_ = true;
    try {
      out = detail::parse_page(in_, name_, detail::file_stem(name_), limits_);
      return true;
    } catch (const ParseError& e) {
      if (!skip_) throw;
      bad_lines_.push_back(BadLine{e.source(), e.line(), e.reason()});
      return false;
    }
  }
  const std::vector<BadLine>& bad_lines() const override { return bad_lines_; }
  std::string source_name() const override { return name_; }
  std::size_t line() const override { return 1; }  // a page is one record: point at its start

 private:
  std::istream& in_;
  std::string name_;
  bool skip_;
  InputLimits limits_;
  bool done_ = false;
  std::vector<BadLine> bad_lines_;
};

// Every *.txt file of a directory, in name order, one page each.
class PageDirectorySource : public RecordSource {
 public:
  PageDirectorySource(const std::string& dir, const ReadOptions& options) : options_(options) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (ascii_lower(it->path().extension().string()) != ".txt") continue;
      std::error_code ec2;
      if (it->is_regular_file(ec2)) files_.push_back(it->path().string());
    }
    if (ec) throw Error(ErrorCode::kIO, dir + ": cannot list the directory: " + ec.message());
    std::sort(files_.begin(), files_.end());
  }

  bool next(Record& out) override {
    while (pos_ < files_.size()) {
      const std::string& path = files_[pos_++];
      current_ = path;
      std::ifstream file(path, std::ios::binary);
      if (!file) throw Error(ErrorCode::kIO, path + ": cannot open: " + std::strerror(errno));
      try {
        detail::Utf8Istream text(file, options_.encoding, path);
        text.buffer().refuse_binary_text();
        out = detail::parse_page(text, path, detail::file_stem(path), options_.limits);
        return true;
      } catch (const ParseError& e) {
        if (!options_.skip_bad_lines) throw;
        bad_lines_.push_back(BadLine{e.source(), e.line(), e.reason()});
      }
    }
    return false;
  }
  const std::vector<BadLine>& bad_lines() const override { return bad_lines_; }
  std::string source_name() const override { return current_; }
  std::size_t line() const override { return current_.empty() ? 0 : 1; }

 private:
  ReadOptions options_;
  std::string current_;  // the file of the last page read
  std::vector<std::string> files_;
  std::size_t pos_ = 0;
  std::vector<BadLine> bad_lines_;
};

// The text already read to tell a page from a list of lines, then the rest
// of the stream: the reader sees the whole text.
class PrefixedStreambuf : public std::streambuf {
 public:
  PrefixedStreambuf(std::string prefix, std::streambuf* rest) : prefix_(std::move(prefix)), rest_(rest) {
    char* p = prefix_.data();
    setg(p, p, p + prefix_.size());
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    std::streamsize n = rest_->sgetn(chunk_, sizeof chunk_);
    if (n <= 0) return traits_type::eof();
    setg(chunk_, chunk_, chunk_ + n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::string prefix_;
  std::streambuf* rest_;
  char chunk_[4096];
};

class PrefixedIstream : public std::istream {
 public:
  PrefixedIstream(std::string prefix, std::streambuf* rest)
      : std::istream(nullptr), buf_(std::move(prefix), rest) {
    rdbuf(&buf_);
  }

 private:
  PrefixedStreambuf buf_;
};

// A source together with the streams it reads (declared first, so they
// outlive it).
class OwningSource : public RecordSource {
 public:
  OwningSource(std::unique_ptr<std::istream> file, std::unique_ptr<detail::Utf8Istream> text)
      : file_(std::move(file)), text_(std::move(text)) {}
  void set_inner(std::unique_ptr<RecordSource> inner) { inner_ = std::move(inner); }
  std::istream& text() {
    if (prefixed_) return *prefixed_;
    return *text_;
  }
  // Reads the start of the text (up to `bytes`) and returns it; text() then
  // still yields the text from its first byte.
  std::string peek(std::size_t bytes) {
    std::string start(bytes, '\0');
    start.resize(static_cast<std::size_t>(text_->rdbuf()->sgetn(start.data(), static_cast<std::streamsize>(bytes))));
    prefixed_ = std::make_unique<PrefixedIstream>(start, text_->rdbuf());
    prefixed_->exceptions(std::ios::badbit);
    return start;
  }

  bool next(Record& out) override { return inner_->next(out); }
  const std::vector<BadLine>& bad_lines() const override { return inner_->bad_lines(); }
  std::string source_name() const override { return inner_->source_name(); }
  std::size_t line() const override { return inner_->line(); }
  std::string guessed_encoding() const override {
    return text_->buffer().guessed() ? text_->buffer().encoding() : std::string();
  }
  std::vector<ColumnUse> columns() const override { return inner_->columns(); }

 private:
  std::unique_ptr<std::istream> file_;
  std::unique_ptr<detail::Utf8Istream> text_;
  std::unique_ptr<PrefixedIstream> prefixed_;
  std::unique_ptr<RecordSource> inner_;
};

std::unique_ptr<RecordSource> open_text(std::unique_ptr<std::istream> file, std::istream& raw,
                                        const std::string& name, InputFormat format,
                                        const ReadOptions& options) {
  auto text = std::make_unique<detail::Utf8Istream>(raw, options.encoding, name);
  // Errors of the underlying conversion reach the reader as exceptions, not
  // as a silently failed stream.
  text->exceptions(std::ios::badbit);
  text->buffer().refuse_binary_text();
  auto owner = std::make_unique<OwningSource>(std::move(file), std::move(text));
  if (format == InputFormat::kAuto) {  // a .txt file: a page, or one question per line
    // A page's marks come after its question, within the first few KiB.
    format = detail::looks_like_page(owner->peek(64 * 1024)) ? InputFormat::kPage : InputFormat::kLines;
  }
  std::istream& in = owner->text();
  switch (format) {
    case InputFormat::kCsv:
      owner->set_inner(detail::make_delimited_source(in, name, ',', options));
      break;
    case InputFormat::kTsv:
      owner->set_inner(detail::make_delimited_source(in, name, '\t', options));
      break;
    case InputFormat::kPage:
      owner->set_inner(std::make_unique<PageStreamSource>(in, name, options.skip_bad_lines, options.limits));
      break;
    case InputFormat::kLines:
      owner->set_inner(detail::make_lines_source(in, name, options));
      break;
    default:
      owner->set_inner(std::make_unique<JsonlReader>(in, name, options.skip_bad_lines, options.limits));
      break;
  }
  return owner;
}

}  // namespace

std::unique_ptr<RecordSource> open_records(const std::string& path, const ReadOptions& options) {
  check_options(options);
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status))
    throw Error(ErrorCode::kIO, path + ": no such file or directory");
  InputFormat format = options.format;
  if (fs::is_directory(status)) {
    if (format != InputFormat::kAuto && format != InputFormat::kPage)
      throw Error(ErrorCode::kInvalidArgument,
                  path + ": is a directory; only the page format reads a directory (of .txt pages)");
    return std::make_unique<PageDirectorySource>(path, options);
  }
  if (format == InputFormat::kAuto && format_from_name(path) == InputFormat::kAuto)
    throw Error(ErrorCode::kInvalidArgument,
                path + ": cannot tell the format from the name (expected .jsonl, .json, .ndjson, .csv, .tsv, "
                       ".tab or .txt); name the format with --format (Python: format=): jsonl, csv, tsv, lines "
                       "or page");
  format = format_to_open(path, format);
  auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*file) throw Error(ErrorCode::kIO, path + ": cannot open: " + std::strerror(errno));
  std::istream& raw = *file;
  return open_text(std::move(file), raw, path, format, options);
}

std::unique_ptr<RecordSource> open_records(std::istream& in, const std::string& name,
                                           const ReadOptions& options) {
  check_options(options);
  InputFormat format = options.format;
  if (format == InputFormat::kAuto && format_from_name(name) == InputFormat::kAuto) format = InputFormat::kJsonl;
  return open_text(nullptr, in, name, format_to_open(name, format), options);
}

}  // namespace askalike
