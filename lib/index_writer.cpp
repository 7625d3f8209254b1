#include <sys/stat.h>

#include <algorithm>

#include "askalike/error.hpp"
#include "askalike/index.hpp"
#include "document.hpp"
#include "schema.hpp"
#include "stats.hpp"

namespace askalike {

struct IndexWriter::Impl {
  std::string path;
  Xapian::WritableDatabase db;
  Analyzer analyzer;
  bool in_transaction = false;

  Impl(std::string p, Xapian::WritableDatabase d, const AnalyzerOptions& options)
      : path(std::move(p)), db(std::move(d)), analyzer(options) {}

  void begin() {
    // Changes wait in a transaction so that a writer dropped without commit()
    // leaves the database exactly as it was.
    db.begin_transaction(true);
    in_transaction = true;
  }
};

static bool directory_has_database(const std::string& path) {
  struct stat st;
  return ::stat((path + "/iamglass").c_str(), &st) == 0 || ::stat((path + "/iamchert").c_str(), &st) == 0;
}

IndexWriter::IndexWriter(const std::string& path, const IndexOptions& options) {
  schema::guarded("opening the database for writing", path, [&] {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
      throw Error(ErrorCode::kInvalidArgument, path + " is a file, not a database directory; name a directory");
    if (!directory_has_database(path) && !options.create_if_missing)
      throw Error(ErrorCode::kNotFound, "no askalike database at " + path);
    // Validate the options before creating anything on disk.
    Analyzer probe(options.analyzer);
    Xapian::WritableDatabase db(path, Xapian::DB_CREATE_OR_OPEN);
    bool is_new = false;
    AnalyzerOptions stored = schema::read_settings(db, path, options.analyzer, &is_new);
    if (is_new) {
      schema::write_settings(db, stored);
      db.commit();
    }
    impl_ = std::make_unique<Impl>(path, std::move(db), stored);
    impl_->begin();
  });
}

IndexWriter::IndexWriter(IndexWriter&&) noexcept = default;
IndexWriter& IndexWriter::operator=(IndexWriter&&) noexcept = default;

IndexWriter::~IndexWriter() {
  if (!impl_) return;
  try {
    if (impl_->in_transaction) impl_->db.cancel_transaction();
    impl_->db.close();
  } catch (...) {
    // A destructor must not throw; closing releases the lock either way.
  }
}

bool IndexWriter::upsert(const Record& record) {
  return schema::guarded("adding record " + record.id, impl_->path, [&] {
    std::string term = id_term(record.id);
    Xapian::Document doc = make_document(record, impl_->analyzer);
    bool existed = impl_->db.term_exists(term);
    // A new id needs no look-up of a document to replace.
    if (existed)
      impl_->db.replace_document(term, doc);
    else
      impl_->db.add_document(doc);
    return existed;
  });
}

bool IndexWriter::remove(const std::string& id) {
  return schema::guarded("removing record " + id, impl_->path, [&] {
    std::string term = id_term(id);
    if (!impl_->db.term_exists(term)) return false;
    impl_->db.delete_document(term);
    return true;
  });
}

void IndexWriter::commit() {
  schema::guarded("committing", impl_->path, [&] {
    impl_->in_transaction = false;
    impl_->db.commit_transaction();
    impl_->begin();
  });
}

void IndexWriter::rollback() {
  schema::guarded("rolling back", impl_->path, [&] {
    impl_->in_transaction = false;
    impl_->db.cancel_transaction();
    impl_->begin();
  });
}

IngestReport IndexWriter::ingest(RecordSource& source, const IngestOptions& options) {
  IngestReport report;
  std::vector<BadLine> refused;  // records the index would not take
  std::size_t batch = std::max<std::size_t>(options.batch_size, 1);
  std::size_t every = std::max<std::size_t>(options.progress_every, 1);
  Record record;
  try {
    while (source.next(record)) {
      bool replaced = false;
      try {
        replaced = upsert(record);
      } catch (const Error& e) {
        if (e.code() != ErrorCode::kInvalidArgument) throw;
        std::string name = source.source_name().empty() ? "<input>" : source.source_name();
        if (!options.skip_bad_lines) throw ParseError(name, source.line(), e.what());
        refused.push_back(BadLine{name, source.line(), e.what()});
        continue;
      }
      ++report.read;
      ++(replaced ? report.replaced : report.added);
      if (report.read % batch == 0) commit();
      if (options.progress && report.read % every == 0) options.progress(report.read);
    }
  } catch (const ParseError&) {
    // Keep what was read before the bad record, then report the error.
    commit();
    throw;
  }
  commit();
  report.bad_lines = source.bad_lines();
  report.bad_lines.insert(report.bad_lines.end(), refused.begin(), refused.end());
  report.skipped = report.bad_lines.size();
  return report;
}

IngestReport IndexWriter::add_jsonl(std::istream& in, const std::string& source, const IngestOptions& options) {
  JsonlReader reader(in, source, options.skip_bad_lines);
  return ingest(reader, options);
}

bool IndexWriter::get(const std::string& id, Record& out) const {
  return schema::guarded("reading record " + id, impl_->path, [&] {
    std::string term = id_term(id);
    Xapian::PostingIterator p = impl_->db.postlist_begin(term);
    if (p == impl_->db.postlist_end(term)) return false;
    out = schema::record_of(impl_->db.get_document(*p));
    return true;
  });
}

void IndexWriter::for_each(const std::function<void(const Record&)>& visit) const {
  schema::guarded("reading records", impl_->path, [&] {
    for_each_record(impl_->db, visit);
  });
}

IndexStats IndexWriter::stats() const {
  return schema::guarded("reading statistics", impl_->path, [&] {
    return compute_stats(impl_->db, impl_->path, impl_->analyzer.options());
  });
}

const Analyzer& IndexWriter::analyzer() const { return impl_->analyzer; }

void compact_database(const std::string& source, const std::string& destination) {
  schema::guarded("compacting", source, [&] {
    struct stat st;
    if (::stat(destination.c_str(), &st) == 0)
      throw Error(ErrorCode::kInvalidArgument, destination + " already exists; name a new directory");
    Xapian::Database db(source);
    bool is_new = false;
    schema::read_settings(db, source, AnalyzerOptions(), &is_new);
    db.compact(destination);
  });
}

}  // namespace askalike
