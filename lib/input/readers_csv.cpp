// CSV and TSV with a header row. The dialect work (quotes, doubled quotes,
// delimiters and line breaks inside quoted fields, CR LF) is done by libcsv;
// this file maps the columns to record fields and keeps line numbers.
#include <csv.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "askalike/error.hpp"
#include "input/line_reader.hpp"
#include "input/readers_internal.hpp"

namespace askalike::detail {

namespace {

enum Field { kId, kTitle, kQuestion, kAnswer, kCategory, kTags, kLang, kUrl, kDate, kGroup, kFieldCount };

const char* const kFieldNames[kFieldCount] = {"id",   "title", "question", "answer", "category",
                                              "tags", "lang",  "url",      "date",   "group"};

// Column names that mean a field when no column has the field's own name
// (documented in readers.hpp).
const std::pair<const char*, Field> kAliases[] = {
    {"subject", kTitle},      {"headline", kTitle},  {"ask", kQuestion},    {"body", kQuestion},
    {"reply", kAnswer},       {"response", kAnswer}, {"department", kCategory},
    {"keywords", kTags},      {"language", kLang},   {"link", kUrl},
};

std::vector<std::string> split_tags(const std::string& cell) {
  std::vector<std::string> tags;
  std::string text = trim(cell);
  if (text.empty()) return tags;
  if (text.front() == '[') {  // a JSON array of strings, as JSON Lines writes it
    try {
      auto j = nlohmann::json::parse(text);
      if (j.is_array()) {
        bool all_strings = true;
        for (const auto& t : j) all_strings = all_strings && t.is_string();
        if (all_strings) {
          for (const auto& t : j) {
            std::string s = trim(t.get<std::string>());
            if (!s.empty()) tags.push_back(s);
          }
          return tags;
        }
      }
    } catch (const nlohmann::json::exception&) {
      // not JSON: split it like any other cell
    }
  }
  std::string cur;
  for (char c : text) {
    if (c == ';' || c == ',' || c == '|') {
      cur = trim(cur);
      if (!cur.empty()) tags.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  cur = trim(cur);
  if (!cur.empty()) tags.push_back(cur);
  return tags;
}

// libcsv's parser, freed however the owner's constructor ends (a header
// check that throws must not leak it).
class CsvParser {
 public:
  CsvParser() {
    if (csv_init(&parser_, 0) != 0) throw Error(ErrorCode::kInternal, "cannot initialise the CSV parser");
  }
  ~CsvParser() { csv_free(&parser_); }
  CsvParser(const CsvParser&) = delete;
  CsvParser& operator=(const CsvParser&) = delete;
  csv_parser* get() { return &parser_; }

 private:
  csv_parser parser_{};
};

class DelimitedSource : public RecordSource {
 public:
  DelimitedSource(std::istream& in, std::string name, char delimiter, const ReadOptions& options)
      : in_(in), name_(std::move(name)), stem_(file_stem(name_)), csv_(delimiter == ','),
        options_(options) {
    // Lenient, like spreadsheets and Python's csv module: a quote inside an
    // unquoted field is kept as a character (real exports have them, e.g.
    // the Toyhom corpus). Malformed rows still show up as rows with the
    // wrong number of fields.
    csv_set_delim(parser_.get(), static_cast<unsigned char>(delimiter));
    if (!csv_) {
      // TSV (IANA text/tab-separated-values) has no quoting: a field cannot
      // hold a tab or a line break. Quote processing is turned off (0xFF
      // never occurs in UTF-8), so that a field starting with a quote, such
      // as "Hello" he said, cannot swallow the lines after it. Fields that
      // are wholly quoted, as spreadsheets write them, are unquoted in
      // on_field().
      csv_set_quote(parser_.get(), 0xFF);
      csv_set_space_func(parser_.get(), [](unsigned char c) { return c == ' ' ? 1 : 0; });
    }
    read_header();
  }
  DelimitedSource(const DelimitedSource&) = delete;
  DelimitedSource& operator=(const DelimitedSource&) = delete;

  bool next(Record& out) override {
    for (;;) {
      Row row;
      try {
        if (!read_row(row)) return false;
        ++data_row_;
        last_line_ = row.line;
        out = to_record(row);
        return true;
      } catch (const ParseError& e) {
        if (!options_.skip_bad_lines) throw;
        bad_lines_.push_back(BadLine{e.source(), e.line(), e.reason()});
      }
    }
  }

  const std::vector<BadLine>& bad_lines() const override { return bad_lines_; }
  std::string source_name() const override { return name_; }
  std::size_t line() const override { return last_line_; }  // where the last row read starts
  std::vector<ColumnUse> columns() const override { return columns_used_; }

 private:
  struct Row {
    std::vector<std::string> fields;
    std::size_t line = 0;  // where the row starts
  };

  static void on_field(void* data, std::size_t len, void* self) {
    auto* s = static_cast<DelimitedSource*>(self);
    s->fields_.emplace_back(static_cast<const char*>(data), len);
    if (!s->csv_) unquote_tsv_field(s->fields_.back());
  }

  // "say ""hi""" -> say "hi": a TSV field that starts and ends with a quote,
  // with every quote inside doubled. Anything else is kept as it is.
  static void unquote_tsv_field(std::string& f) {
    if (f.size() < 2 || f.front() != '"' || f.back() != '"') return;
    std::string inner;
    for (std::size_t i = 1; i + 1 < f.size(); ++i) {
      if (f[i] == '"') {
        if (i + 2 < f.size() && f[i + 1] == '"') {
          inner += '"';
          ++i;
          continue;
        }
        return;  // a lone quote inside: not a quoted field
      }
      inner += f[i];
    }
    f = std::move(inner);
  }
  static void on_row_end(int, void* self) {
    auto* s = static_cast<DelimitedSource*>(self);
    s->rows_.push_back(Row{std::move(s->fields_), s->row_start_});
    s->fields_.clear();
    s->between_rows_ = true;
  }

  // The next complete row; false at the end of the input. Throws ParseError
  // for malformed quoting (the rest of that line is passed over).
  bool read_row(Row& row) {
    const InputLimits& limits = options_.limits;
    while (rows_.empty()) {
      if (eof_) return false;
      std::string line;
      BoundedLine info;
      if (!read_bounded_line(in_, line, limits.max_line_bytes, info, /*cr_ends_line=*/true)) {
        eof_ = true;
        if (in_.bad()) throw Error(ErrorCode::kIO, name_ + ": read error after line " + std::to_string(line_));
        // Every line goes to the parser with its line break, which ends
        // the row unless a quoted field is open: a row still open here has
        // a quote that is never closed.
        if (!between_rows_) {
          restart();
          throw ParseError(name_, row_start_,
                           "a quoted field is not closed (a \" is missing): " + swallowed() +
                               " were read as one record, up to the end of the input");
        }
        break;
      }
      ++line_;
      if (between_rows_) {
        if (trim(line).empty()) continue;  // blank lines between rows
        row_start_ = line_;
        row_bytes_ = 0;
        between_rows_ = false;
      }
      if (info.too_long) {
        restart();
        throw ParseError(name_, line_,
                         "the line is longer than the limit of " + std::to_string(limits.max_line_bytes) +
                             " bytes (max_line_bytes)");
      }
      row_bytes_ += info.length + 1;
      if (row_bytes_ > limits.max_record_bytes) {
        restart();
        throw ParseError(name_, row_start_,
                         "the record is longer than the limit of " + std::to_string(limits.max_record_bytes) +
                             " bytes (max_record_bytes): " + swallowed() +
                             " were read as one record (a quoted field not closed?)");
      }
      line += '\n';
      std::size_t done = csv_parse(parser_.get(), line.data(), line.size(), on_field, on_row_end, this);
      if (done != line.size()) {
        int err = csv_error(parser_.get());
        // Start afresh on the next line.
        restart();
        if (err == CSV_EPARSE)
          throw ParseError(name_, row_start_,
                           "malformed quoting (a field with a quote must be enclosed in quotes, with the "
                           "quote doubled: \"say \"\"hi\"\"\")");
        throw Error(ErrorCode::kIO, name_ + ":" + std::to_string(row_start_) + ": " + csv_strerror(err));
      }
    }
    if (rows_.empty()) return false;
    row = std::move(rows_.front());
    rows_.pop_front();
    return true;
  }

  // Drops the row being parsed; the parser starts afresh on the next line.
  void restart() {
    csv_fini(parser_.get(), nullptr, nullptr, nullptr);
    fields_.clear();
    between_rows_ = true;
  }

  // "lines 3 to 9 (7 lines)": the lines of the row being read.
  std::string swallowed() const {
    if (line_ <= row_start_) return "line " + std::to_string(row_start_);
    return "lines " + std::to_string(row_start_) + " to " + std::to_string(line_) + " (" +
           std::to_string(line_ - row_start_ + 1) + " lines)";
  }

  void read_header() {
    Row header;
    if (!read_row(header)) return;  // empty input: no records
    header_line_ = header.line;
    columns_ = header.fields.size();
    if (columns_ > options_.limits.max_fields)
      throw ParseError(name_, header.line,
                       "the header has " + std::to_string(columns_) + " columns, more than the limit of " +
                           std::to_string(options_.limits.max_fields) + " (max_fields)");
    // Column names become field names of every record, as the cells do.
    for (const auto& f : header.fields) check_utf8_line(f, name_, header.line);
    std::vector<std::string> names;
    for (auto& n : header.fields) names.push_back(trim(n));
    std::vector<bool> used(columns_, false);
    auto find = [&](const std::string& wanted) -> int {
      std::string w = ascii_lower(trim(wanted));
      for (std::size_t c = 0; c < columns_; ++c)
        if (!used[c] && ascii_lower(names[c]) == w) return static_cast<int>(c);
      return -1;
    };
    for (int f = 0; f < kFieldCount; ++f) field_column_[f] = -1;
    // 1. The caller's map.
    for (const auto& [field, column] : options_.field_map) {
      int f = 0;
      while (f < kFieldCount && field != kFieldNames[f]) ++f;
      if (f == kFieldCount) continue;  // checked by open_records
      int c = find(column);
      if (c < 0) {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        throw Error(ErrorCode::kInvalidArgument, name_ + ": no column \"" + column + "\" to read the field \"" +
                                                     field + "\" from (the columns are: " + list + ")");
      }
      field_column_[f] = c;
      used[static_cast<std::size_t>(c)] = true;
    }
    // 2. Columns named like a field.
    for (int f = 0; f < kFieldCount; ++f) {
      if (field_column_[f] >= 0) continue;
      int c = find(kFieldNames[f]);
      if (c >= 0) {
        field_column_[f] = c;
        used[static_cast<std::size_t>(c)] = true;
      }
    }
    // 3. Common other names.
    for (const auto& [alias, f] : kAliases) {
      if (field_column_[f] >= 0) continue;
      int c = find(alias);
      if (c >= 0) {
        field_column_[f] = c;
        used[static_cast<std::size_t>(c)] = true;
      }
    }
    // 4. The rest: extra fields, under their own names made unique. A name
    // that is a field's ("title" when --field title=subject took another
    // column) gets a suffix: as an extra it would shadow the field in JSON.
    auto taken = [&](const std::string& key) {
      for (const char* f : kFieldNames)
        if (key == f) return true;
      for (const auto& e : extra_columns_)
        if (e.second == key) return true;
      return false;
    };
    for (std::size_t c = 0; c < columns_; ++c) {
      if (used[c]) continue;
      std::string key = names[c].empty() ? "column" + std::to_string(c + 1) : names[c];
      std::string unique = key;
      for (int n = 2; taken(unique); ++n) unique = key + "_" + std::to_string(n);
      extra_columns_.emplace_back(c, unique);
    }
    columns_used_.resize(columns_);
    for (std::size_t c = 0; c < columns_; ++c) columns_used_[c].column = names[c];
    for (int f = 0; f < kFieldCount; ++f)
      if (field_column_[f] >= 0) columns_used_[static_cast<std::size_t>(field_column_[f])].field = kFieldNames[f];
    for (const auto& [c, key] : extra_columns_) {
      columns_used_[c].field = key;
      columns_used_[c].extra = true;
    }
  }

  Record to_record(const Row& row) {
    for (const auto& f : row.fields) check_utf8_line(f, name_, row.line);
    if (row.fields.size() != columns_)
      throw ParseError(name_, row.line,
                       "expected " + std::to_string(columns_) + " fields as in the header (line " +
                           std::to_string(header_line_) + "), found " + std::to_string(row.fields.size()));
    auto cell = [&](Field f) -> std::string {
      int c = field_column_[f];
      return c < 0 ? std::string() : trim(row.fields[static_cast<std::size_t>(c)]);
    };
    Record r;
    if (field_column_[kId] >= 0) {
      r.id = cell(kId);
      if (r.id.empty()) throw ParseError(name_, row.line, "empty id");
    } else {
      r.id = stem_ + "-" + std::to_string(data_row_);
    }
    r.title = cell(kTitle);
    r.question = cell(kQuestion);
    r.answer = cell(kAnswer);
    r.category = cell(kCategory);
    r.tags = split_tags(cell(kTags));
    r.lang = cell(kLang);
    r.url = cell(kUrl);
    r.date = normalize_date(cell(kDate));
    r.group = cell(kGroup);
    for (const auto& [c, key] : extra_columns_) {
      std::string v = trim(row.fields[c]);
      if (!v.empty()) r.extra[key] = json_string(v);
    }
    return r;
  }

  std::istream& in_;
  std::string name_;
  std::string stem_;
  bool csv_;
  ReadOptions options_;
  CsvParser parser_;

  std::size_t line_ = 0;       // physical lines read
  std::size_t row_start_ = 0;  // line where the current row began
  std::size_t row_bytes_ = 0;  // bytes of the current row so far
  bool between_rows_ = true;
  bool eof_ = false;
  std::vector<std::string> fields_;  // of the row being parsed
  std::deque<Row> rows_;             // complete rows not yet handed out

  std::size_t header_line_ = 0;
  std::size_t columns_ = 0;
  std::size_t data_row_ = 0;  // 1-based number of the current data row
  std::size_t last_line_ = 0;  // the line it starts on
  int field_column_[kFieldCount];
  std::vector<std::pair<std::size_t, std::string>> extra_columns_;
  std::vector<ColumnUse> columns_used_;  // for columns()
  std::vector<BadLine> bad_lines_;
};

}  // namespace

std::unique_ptr<RecordSource> make_delimited_source(std::istream& in, const std::string& name, char delimiter,
                                                    const ReadOptions& options) {
  return std::make_unique<DelimitedSource>(in, name, delimiter, options);
}

}  // namespace askalike::detail
