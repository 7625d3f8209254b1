// askalike: reading Q&A records from files in several formats and encodings.
//
//   askalike::ReadOptions options;              // format and encoding guessed
//   auto source = askalike::open_records("dump.csv", options);
//   askalike::IndexWriter writer("qa.db");
//   writer.ingest(*source);
#ifndef ASKALIKE_READERS_HPP_
#define ASKALIKE_READERS_HPP_

#include <istream>
#include <map>
#include <memory>
#include <string>

#include "askalike/export.hpp"
#include "askalike/record.hpp"

namespace askalike {

// What each format gives:
//
// - JSON Lines: the fields of Record::from_json (record.hpp).
// - CSV and TSV: the first row names the columns. A column whose name is a
//   record field (id, title, question, answer, category, tags, lang, url,
//   date, group; any case) fills that field; so do these other names, when no
//   column has the field's own name: subject, headline -> title; ask, body ->
//   question; reply, response -> answer; department -> category; keywords ->
//   tags; language -> lang; link -> url. ReadOptions::field_map overrides
//   both. Other columns go to Record::extra as JSON strings (empty cells are
//   left out). Tags are split on ';', ',' or '|' (or given as a JSON array).
//   Dates like 2007/08/27 become 2007-08-27. Without an id column a record's
//   id is "<file stem>-<n>", n the data row (1-based, header not counted).
//   CSV quoting is RFC 4180's, read leniently as spreadsheets do: a quote
//   inside an unquoted field is kept as a character. TSV has no quoting (a
//   field holds no tab or line break), except that a field wholly in quotes,
//   with inner quotes doubled, is unquoted. A row with another number of
//   fields than the header is a bad record.
// - Page: the text of one Q&A page, as in tests/data/seed-page.txt: title
//   (first line), question, asker line with "Ask Date:", "<doctor> reply
//   <department>", the reply, "Reply Date:", "More Info", "Similar Q&A" and
//   "Related FAQ". The id is the file stem ("stdin" for standard input),
//   category the department, date the ask date (YYYY-MM-DD), answer the reply
//   followed by the More Info text; extra fields: "asker", "doctor",
//   "reply_date", "similar_qa" (array of {title, question, doctor, category,
//   answer}) and "related_faq" (array of {topic, category}). Every part after
//   the question may be missing; a page without a question is a bad record.
//   A directory is read as one page per .txt file, in name order.
// - Lines: one question per line; blank lines are skipped. Each line is a
//   record with that question (no title), its id "q-" and 16 hex digits of a
//   64-bit FNV-1a hash of the line (whitespace runs counted as one space):
//   the same text always gets the same id, so importing a file again changes
//   nothing, and an edited line is a new record (the old one stays until
//   removed). A line longer than max_record_bytes is a bad record.
// With kAuto, a .txt file is a page when its start has a page's marks (an
// "Ask Date:" or "Reply Date:" line, a "Dr. ... reply DEPARTMENT" line, or a
// "More Info", "Similar Q&A" or "Related FAQ" heading), else lines.
enum class InputFormat {
  kAuto,   // from the file name: .jsonl/.json/.ndjson, .csv, .tsv/.tab, .txt (page or lines)
  kJsonl,  // JSON Lines, one record per line
  kCsv,    // comma-separated, header row, RFC 4180 quoting
  kTsv,    // tab-separated, header row
  kPage,   // the text of one Q&A page (see README); a directory: one page per file
  kLines,  // one question per line
};

// "jsonl", "csv", "tsv", "lines", "page", "auto" -> the format; throws Error(kInvalidArgument).
ASKALIKE_EXPORT InputFormat parse_input_format(const std::string& name);

struct ASKALIKE_EXPORT ReadOptions {
  InputFormat format = InputFormat::kAuto;
  // "auto": UTF-16/32 with a byte-order mark; else UTF-8 when the text is
  // UTF-8 but for a few bad bytes (each line holding one is a bad record);
  // else guessed with ICU's detector (RecordSource::guessed_encoding() says
  // which), or Error(kInvalidArgument) asking for a name when there is too
  // little text to tell. Any name ICU knows: "GB18030", "Big5", "Shift_JIS",
  // ... Binary data (NUL bytes, many control characters at the start) is
  // refused with Error(kInvalidArgument) in every format.
  std::string encoding = "auto";
  // CSV/TSV: record field -> column name ("question" -> "body"). Columns not
  // mapped and not named like a field are kept in Record::extra.
  std::map<std::string, std::string> field_map;
  // Pass over malformed records (listed in bad_lines()) instead of throwing.
  bool skip_bad_lines = false;
  // Bounds on lines, records and fields (record.hpp); input past them is a
  // bad record.
  InputLimits limits;
};

// Opens a file or directory (pages) for reading. Throws Error(kIO) when it
// cannot be read, Error(kInvalidArgument) for an unknown format or encoding.
ASKALIKE_EXPORT std::unique_ptr<RecordSource> open_records(const std::string& path,
                                                           const ReadOptions& options = ReadOptions());

// Reads from a stream; `name` is used in messages and, with kAuto, for the
// format (kAuto with no usable name means JSON Lines). The stream must
// outlive the source.
ASKALIKE_EXPORT std::unique_ptr<RecordSource> open_records(std::istream& in, const std::string& name,
                                                           const ReadOptions& options = ReadOptions());

}  // namespace askalike

#endif  // ASKALIKE_READERS_HPP_
