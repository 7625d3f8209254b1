// askalike index: add or update records from files or stdin.
#include <askalike/askalike.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace askalike::cli {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// "title=subject" -> ("title", "subject").
std::pair<std::string, std::string> parse_field(const Command& cmd, const std::string& spec) {
  auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    cmd.usage_error("--field wants FIELD=COLUMN (e.g. title=subject), not '" + spec + "'");
  return {spec.substr(0, eq), spec.substr(eq + 1)};
}

// The progress line on stderr, redrawn at most a few times a second.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled), start_(Clock::now()), last_(start_) {}

  void update(const std::string& file, std::size_t records, bool force = false) {
    if (!enabled_) return;
    auto now = Clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    char line[256];
    std::snprintf(line, sizeof line, "\rindexing %.120s: %zu records, %.0f records/s", file.c_str(), records,
                  secs > 0 ? records / secs : 0.0);
    std::cerr << line << "\x1b[K" << std::flush;  // \x1b[K: clear the rest of the line
    shown_ = true;
  }
  void clear() {
    if (shown_) std::cerr << "\r\x1b[K" << std::flush;
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
  Clock::time_point start_, last_;
};

// Says on stderr (unless `quiet`) which column of a CSV/TSV file went to
// which field, and warns when none went to the text that is searched: such a
// load gives records no search finds. `strict` makes that an error instead.
void report_columns(const RecordSource& source, bool quiet, bool strict) {
  const std::vector<ColumnUse> columns = source.columns();
  if (columns.empty()) return;
  bool searched = false;
  std::string list, unmapped;
  for (const auto& c : columns) {
    if (!c.extra && (c.field == "title" || c.field == "question" || c.field == "answer")) searched = true;
    list += (list.empty() ? "" : ", ") + c.column + " -> " + (c.extra ? "extra \"" + c.field + "\"" : c.field);
    if (c.extra && unmapped.empty()) unmapped = c.column;
  }
  const std::string name = source.source_name();
  if (!quiet) print_error(name + ": columns: " + list);
  if (searched) return;
  std::string message = name + ": no column is read as title, question or answer, so no search would find these "
                               "records; name the columns with --field FIELD=COLUMN (e.g. --field question=" +
                        (unmapped.empty() ? std::string("COLUMN") : unmapped) + ")";
  if (strict) throw Error(ErrorCode::kInvalidArgument, message + " (--strict: nothing was indexed)");
  print_error("warning: " + message);
}

// The records of every file, one after the other: one load, so that a new
// database settles its field averages on the first batch of all the input
// rather than on the first file alone.
class FileChain : public RecordSource {
 public:
  FileChain(std::vector<std::string> files, const ReadOptions& read) : files_(std::move(files)), read_(read) {}

  // Opens the first file now (its header read and told) rather than at the
  // first next().
  void open_first() {
    if (!current_ && next_file_ == 0) open_next();
  }

  bool next(Record& out) override {
    for (;;) {
      if (!current_ && !open_next()) return false;
      if (current_->next(out)) {
        ++records_;
        return true;
      }
      passed_over_.insert(passed_over_.end(), current_->bad_lines().begin(), current_->bad_lines().end());
      last_name_ = current_->source_name();
      if (std::string guess = current_->guessed_encoding(); !guess.empty())
        guesses_.emplace_back(last_name_, std::move(guess));
      current_.reset();
    }
  }
  const std::vector<BadLine>& bad_lines() const override {
    all_bad_ = passed_over_;
    if (current_) all_bad_.insert(all_bad_.end(), current_->bad_lines().begin(), current_->bad_lines().end());
    return all_bad_;
  }
  std::string source_name() const override { return current_ ? current_->source_name() : last_name_; }
  std::size_t line() const override { return current_ ? current_->line() : 0; }
  std::vector<ColumnUse> columns() const override {
    return current_ ? current_->columns() : std::vector<ColumnUse>();
  }
  // Called with each file's name and source once it is opened.
  void on_open(std::function<void(const std::string&, const RecordSource&)> f) { on_open_ = std::move(f); }
  // Records handed out so far (to the writer, which may have refused some).
  std::size_t records() const { return records_; }
  // The files whose encoding was guessed, with the guess, in reading order.
  const std::vector<std::pair<std::string, std::string>>& guesses() const { return guesses_; }

 private:
  bool open_next() {
    if (next_file_ == files_.size()) return false;
    const std::string& file = files_[next_file_++];
    current_ = file == "-" ? open_records(std::cin, "<stdin>", read_) : open_records(file, read_);
    if (on_open_) on_open_(file, *current_);
    return true;
  }

  std::vector<std::string> files_;
  const ReadOptions& read_;
  std::size_t next_file_ = 0;
  std::size_t records_ = 0;
  std::unique_ptr<RecordSource> current_;
  std::vector<BadLine> passed_over_;
  mutable std::vector<BadLine> all_bad_;
  std::string last_name_;
  std::vector<std::pair<std::string, std::string>> guesses_;
  std::function<void(const std::string&, const RecordSource&)> on_open_;
};

}  // namespace

int cmd_index(const std::vector<std::string>& args) {
  Command cmd("index", "askalike index -d DB [OPTIONS] [FILE... | -]",
              "Adds the records of each FILE (or of standard input: -) to the database DB,\n"
              "creating it when needed. A record whose id is already stored replaces it, so\n"
              "running the same import again leaves the same database. FILE may be JSON\n"
              "Lines, CSV or TSV with a header row, a Q&A page (.txt) or a directory of pages,\n"
              "or a list of questions, one per line (.txt without a page's marks, or --format\n"
              "lines): each line's id is a hash of its text, so an edited line is added as a\n"
              "new record and the old one stays (askalike remove -d DB ID, or index into a new\n"
              "database).");
  cmd.options().add_options()
      ("format,f", po::value<std::string>()->default_value("auto")->value_name("FMT"),
       "jsonl, csv, tsv, lines (one question per line) or page (default: from each file's name, a .txt "
       "file being a page when it has a page's marks such as an \"Ask Date:\" line, else lines; stdin: jsonl)")
      ("field", po::value<std::vector<std::string>>()->value_name("FIELD=COLUMN"),
       "read FIELD from the CSV/TSV column COLUMN (repeatable), e.g. --field title=subject")
      ("encoding,e", po::value<std::string>()->default_value("auto")->value_name("NAME"),
       "the input's encoding: auto (UTF-8, a byte-order mark, or guessed), or a name such as "
       "GB18030, Big5, Shift_JIS, EUC-KR, windows-1252, UTF-16")
      ("on-error", po::value<std::string>()->default_value("fail")->value_name("fail|skip"),
       "on a bad record, fail: stop (what was read before it is kept) or skip: go on and list it at the end")
      ("batch-size", po::value<long long>()->default_value(10000)->value_name("N"),
       "records per commit")
      ("max-line-bytes", po::value<long long>()->default_value(static_cast<long long>(InputLimits().max_line_bytes))
           ->value_name("N"), "a longer line is a bad record")
      ("max-record-bytes", po::value<long long>()->default_value(static_cast<long long>(InputLimits().max_record_bytes))
           ->value_name("N"), "a longer record (a CSV row over several lines, a page) is a bad record")
      ("max-fields", po::value<long long>()->default_value(static_cast<long long>(InputLimits().max_fields))
           ->value_name("N"), "a record with more fields (JSON members, CSV columns) is a bad record")
      ("threads,j", po::value<long long>()->default_value(0)->value_name("N"),
       "threads to use (0: one per core; 1: everything on one thread). One stores the "
       "records, in input order whatever N is, so the database is the same; the others analyse them. "
       "With N > 1 a collection's shards are also written on a thread each")
      ("shards", po::value<long long>()->value_name("N"),
       "a new collection of N shards: DB becomes a directory of N databases and a stub file "
       "naming them, each record in the shard its id hashes to (default: one database; an "
       "existing collection keeps its count)")
      ("parts", po::value<long long>()->default_value(1)->value_name("N"),
       "a new database built the bulk way: N shards written at once (a thread each), then merged into "
       "one database by Xapian's compaction (DB is then compacted already; the parts wait in DB.parts "
       "until the merge, and an interrupted load leaves them there, not DB). Same records and scores "
       "as N = 1, the default; records tied in score may come in another order")
      ("max-changesets", po::value<long long>()->default_value(0)->value_name("N"),
       "keep the changesets of the last N commits, for replicas (xapian-replicate-server; 0: none)")
      ("wait-lock", po::value<double>()->default_value(0)->value_name("SECONDS"),
       "when another writer (another index, a running `askalike serve` taking writes) holds the "
       "database, wait up to SECONDS for it (0: fail at once). Writes of a running service stand aside "
       "for a waiting load, which gets the lock between two of them")
      ("quiet,q", "no progress line, and no list of the field each CSV/TSV column went to (warnings are "
       "still shown)")
      ("strict", "refuse a CSV/TSV file none of whose columns is read as title, question or answer "
       "(exit 1, nothing indexed) instead of warning")
      ("no-spelling", "a new database keeps no spelling table of its words (searches then correct no "
       "misspelt word)")
      ("no-question-types", "a new database does not mark each record with the type of its question "
       "(searches then give no bonus for agreeing types)")
      ("model", po::value<std::string>()->value_name("DIR"),
       "a new database stores with every record the embedding of its title and question by the "
       "sentence-embedding model in folder DIR (a sentence-transformers BERT-family folder such as "
       "all-MiniLM-L6-v2; askalike ships none), so that searches re-rank by meaning. Slower: the "
       "model runs on every record. A database built with a model loads the folder it records; "
       "give DIR when the model moved")
      ("embedding-dimension", po::value<long long>()->value_name("N"),
       "a new database without a model stores the vectors its records carry (\"vector\": [...] in JSON "
       "Lines, N numbers each), made by a model of yours; searches re-rank when given the query's vector "
       "(HTTP \"vector\", Python query_vector=)")
      ("vector-precision", po::value<std::string>()->value_name("P")->default_value("int8"),
       "how a new database stores the vectors: int8 (one byte a dimension and a scale; a quarter of the "
       "size, rankings within 0.002 of float32's on the quality sets) or float32 (the model's output as it "
       "is: the exact ranking)");
  add_ranking_options(cmd.options());
  cmd.positional("file", -1, po::value<std::vector<std::string>>());
  if (!cmd.parse(args)) return kExitOk;

  ReadOptions read;
  try {
    read.format = parse_input_format(cmd.get<std::string>("format"));
  } catch (const Error& e) {
    cmd.usage_error(std::string(e.what()));
  }
  read.encoding = cmd.get<std::string>("encoding");
  for (const auto& spec : cmd.get<std::vector<std::string>>("field")) {
    auto [field, column] = parse_field(cmd, spec);
    read.field_map[field] = column;
  }
  std::string on_error = cmd.get<std::string>("on-error");
  if (on_error != "fail" && on_error != "skip") cmd.usage_error("--on-error is fail or skip, not '" + on_error + "'");
  read.skip_bad_lines = on_error == "skip";
  const std::size_t kHuge = std::size_t(1) << 40;
  std::size_t batch = cmd.count("batch-size", 1, std::size_t(1) << 32);
  unsigned threads = static_cast<unsigned>(cmd.count("threads", 0, kMaxThreads));
  read.limits.max_line_bytes = cmd.count("max-line-bytes", 1, kHuge);
  read.limits.max_record_bytes = cmd.count("max-record-bytes", 1, kHuge);
  read.limits.max_fields = cmd.count("max-fields", 1, kHuge);
  IndexOptions index_options;
  if (cmd.has("shards")) index_options.shards = static_cast<unsigned>(cmd.count("shards", 1, kMaxShards));
  index_options.max_changesets = static_cast<unsigned>(cmd.count("max-changesets", 0, kMaxChangesets));
  const double wait_lock = cmd.get<double>("wait-lock");
  if (!(wait_lock >= 0 && wait_lock <= kMaxTimeoutMs / 1000))
    cmd.usage_error("--wait-lock must be a number of seconds within 0.." + std::to_string(kMaxTimeoutMs / 1000));
  index_options.wait_lock_ms = static_cast<unsigned>(wait_lock * 1000);
  const unsigned parts = static_cast<unsigned>(cmd.count("parts", 1, kMaxShards));
  if (parts > 1 && index_options.shards)
    cmd.usage_error("--parts builds one database; a collection's shards are written at once already (--shards)");
  // Check the encoding and field names before touching the database.
  try {
    std::istringstream empty;
    ReadOptions probe = read;
    probe.format = InputFormat::kJsonl;
    open_records(empty, "<check>", probe);
  } catch (const Error& e) {
    cmd.usage_error(e.what());
  }

  std::vector<std::string> files = cmd.get<std::vector<std::string>>("file");
  if (files.empty()) {
    if (is_terminal(0)) cmd.usage_error("no input: name the files to index, or - to read standard input");
    files.push_back("-");
  }
  std::string db = cmd.db();
  // A misspelt file name should not leave a new empty database behind.
  for (const auto& file : files) {
    std::error_code ec;
    if (file != "-" && !std::filesystem::exists(file, ec))
      throw Error(ErrorCode::kIO, file + ": no such file or directory (nothing was indexed)");
  }

  const bool quiet = cmd.has("quiet");
  const bool strict = cmd.has("strict");
  // Each file's columns, told (and with --strict checked) before anything is
  // written. Standard input can be read once only: it is told when opened.
  for (const auto& file : files)
    if (file != "-") report_columns(*open_records(file, read), quiet, strict);
  Progress progress(!quiet && is_terminal(2));
  auto start = Clock::now();
  index_options.ranking = ranking_options_from(cmd, RankingOptions());
  index_options.spelling = !cmd.has("no-spelling");
  index_options.question_types = !cmd.has("no-question-types");
  if (cmd.has("model")) index_options.embedding_model = cmd.get<std::string>("model");
  {
    const std::string precision = cmd.get<std::string>("vector-precision");
    if (precision != "int8" && precision != "float32")
      cmd.usage_error("--vector-precision is int8 or float32, not '" + precision + "'");
    index_options.vector_precision = precision == "int8" ? VectorPrecision::kInt8 : VectorPrecision::kFloat32;
  }
  if (cmd.has("embedding-dimension"))
    index_options.embedding_dimension = cmd.count("embedding-dimension", 1, 65536);
  // [issue 27] The bulk path: the parts are a collection of their own, merged at the end.
  const std::string parts_dir = db + ".parts";
  if (parts > 1) {
    std::error_code ec;
    if (std::filesystem::exists(db, ec) && !std::filesystem::is_empty(db, ec))
      cmd.usage_error("--parts builds a new database, and " + db + " is not empty; add to a database without --parts");
    if (std::filesystem::exists(parts_dir))
      throw Error(ErrorCode::kInvalidArgument,
                  parts_dir + " exists (the parts of an interrupted --parts load?); remove it, then index again");
    index_options.shards = parts;
  }
  auto merge_parts = [&] {
    if (parts <= 1) return;
    if (!quiet && is_terminal(2)) std::cerr << "merging " << parts << " parts into " << db << "\r" << std::flush;
    merge_shards(parts_dir, db);
    std::filesystem::remove_all(parts_dir);
  };
  FileChain source(files, read);
  source.on_open([&](const std::string& file, const RecordSource& opened) {
    if (file != "-") return;
    progress.clear();
    report_columns(opened, quiet, strict);
  });
  // --strict and a CSV/TSV on standard input first: checked before the
  // database is touched. Not otherwise: opening waits for the start of the
  // input, and a writer fed by a pipe should hold the database meanwhile.
  if (strict && files.front() == "-" && (read.format == InputFormat::kCsv || read.format == InputFormat::kTsv))
    source.open_first();
  std::optional<IndexWriter> writer_holder;
  writer_holder.emplace(parts > 1 ? parts_dir : db, index_options);
  IndexWriter& writer = *writer_holder;
  // Any other error passes through to main(); clear the progress line first.
  struct ClearOnExit {
    Progress& p;
    ~ClearOnExit() { p.clear(); }
  } clear_on_exit{progress};
  IngestOptions ingest;
  ingest.skip_bad_lines = read.skip_bad_lines;  // also for records the index refuses (a bad id)
  ingest.batch_size = batch;
  ingest.threads = threads;
  ingest.progress_every = 100;
  // Only the calling thread reads the source (IngestOptions::progress).
  ingest.progress = [&](std::size_t n) { progress.update(source.source_name(), n); };
  IngestReport total;
  try {
    total = writer.ingest(source, ingest);
  } catch (const ParseError& e) {
    progress.clear();
    writer_holder.reset();
    merge_parts();
    print_error(e.what());
    // Before the first record nothing was stored: saying otherwise misled
    // a user whose first line was not JSON.
    print_error(std::string(source.records() == 0 ? "nothing was stored" : "the records before it are stored") +
                "; fix it and run the same command again, or pass --on-error skip");
    return kExitError;
  }
  progress.update(source.source_name(), total.read, true);
  // What the sources passed over, then what the index refused.
  const std::vector<BadLine>& skipped = total.bad_lines;
  writer.commit();
  writer_holder.reset();
  merge_parts();
  progress.clear();
  for (const auto& [name, encoding] : source.guesses())
    print_error(name + ": read as " + encoding +
                " (guessed; if the text came out wrong, name the encoding with --encoding)");

  for (const auto& b : skipped)
    print_error("skipped " + b.source + (b.line ? ":" + std::to_string(b.line) : std::string()) + ": " + b.reason);
  char summary[256];
  std::snprintf(summary, sizeof summary, "read %zu record%s: %zu added, %zu replaced, %zu skipped, %.2f s\n",
                total.read, total.read == 1 ? "" : "s", total.added, total.replaced, skipped.size(),
                seconds_since(start));
  std::cout << summary << std::flush;
  return kExitOk;
}

}  // namespace askalike::cli
