#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "askalike/error.hpp"
#include "askalike/index.hpp"
#include "askalike/validate.hpp"
#include "storage/changesets.hpp"
#include "index/associations.hpp"
#include "embedding/vectors.hpp"
#include "storage/database_open.hpp"
#include "index/document.hpp"
#include "storage/record_codec.hpp"
#include "storage/schema.hpp"
#include "index/shard_writers.hpp"
#include "storage/shards.hpp"
#include "search/spelling.hpp"
#include "storage/stats.hpp"
#include "storage/write_lock.hpp"

namespace askalike {

// The document of an analysed record, its words counted in the spelling table
// first (issue 13): the one place a record reaches the database.
static Xapian::Document ready_document(SpellingChanges& spelling, AnalysedRecord&& record,
                                       const std::array<double, kFieldCount>& averages,
                                       const RankingSettings& settings, const RecordDictionary& dictionary) {
  if (!record.spelling_words.empty()) spelling.add(std::move(record.spelling_words));
  return finish_document(std::move(record), averages, settings, dictionary);
}

// Stores a record's document: adds it, or replaces the one with its id term.
// Returns true when it replaced one.
using StoreFunction = std::function<bool(const std::string& term, AnalysedRecord&& record)>;

struct IndexWriter::Impl {
  std::string path;
  // One database, or the shards of a collection (shards.hpp): a record is in
  // shards[shard_of(its id)].
  std::vector<Xapian::WritableDatabase> shards;
  std::vector<std::string> shard_paths;  // where each is, for readers beside the writer
  bool sharded = false;
  unsigned max_changesets = 0;
  Analyzer analyzer;
  RankingSettings ranking;
  schema::IndexFeatures features;
  // Of the records as stored so far in all shards, committed or not: the
  // averages a new record is normalised against (ranking.hpp). Written to
  // every shard at each commit, so that every shard ranks with the averages
  // of the whole collection and the collection ranks as one database would.
  FieldTotals totals;
  // A new database has no averages yet: its first records wait here, with
  // their id terms, until the first commit settles the averages from them
  // (so a load's first batch is normalised by its own averages, not by a
  // running mean of a few records). nullopt: removed again before then.
  bool settled = true;
  std::vector<std::pair<std::string, std::optional<AnalysedRecord>>> pending;
  std::unordered_map<std::string, std::size_t> pending_index;  // id term -> place in pending
  bool in_transaction = false;
  // The records' compression dictionary (record_codec.hpp): made once, from
  // a sample of the first records (at least RecordSampler::kMinRecords of
  // them); records stored before it stay plain JSON.
  RecordDictionary dictionary;
  RecordSampler sampler;
  // The same dictionary for a parallel load's analysing threads, which
  // compress records before they reach the storing thread (null until made).
  std::mutex published_mutex;
  std::shared_ptr<const RecordDictionary> published;
  // get()'s readers of stored records, one per shard (decoders[i] reads
  // shards[i], which never moves): a decoder keeps the dictionary it loaded,
  // so each get() no longer reads and parses it again. Used like the
  // shards, from the writer's one thread at a time (the parallel ingest's
  // workers only analyse records).
  std::vector<RecordDecoder> decoders;
  // Per shard, an analyzer for the words of the records it replaces or
  // removes (unspell()); made on first use by the thread writing the shard.
  std::vector<std::unique_ptr<Analyzer>> unspellers;
  // Per shard, its spelling table's changes since the last commit (used by
  // the thread writing the shard; applied by commit_all()).
  std::vector<SpellingChanges> spelling;
  // [issue 28] IndexOptions::embedding_model: the folder that
  // features.model is loaded from at the first record written ("": the one
  // the database records).
  std::string model_dir;

  // Loads the embedding model when the database stores vectors and it is not
  // loaded yet: before the first record is analysed.
  void ready_model() {
    // A database of the records' own vectors has no model to load.
    if (features.embedding && !features.model && !(features.embedding->model_path.empty() && model_dir.empty()))
      features.model = model_for_database(*features.embedding, model_dir, path);
  }

  Impl(std::string p, std::vector<Xapian::WritableDatabase> d, std::vector<std::string> d_paths, bool is_sharded,
       const AnalyzerOptions& options, const RankingSettings& r)
      : path(std::move(p)), shards(std::move(d)), shard_paths(std::move(d_paths)), sharded(is_sharded), analyzer(options), ranking(r),
        features(schema::read_features(shards.front(), path)), totals(schema::read_field_totals(shards.front(), path)) {
    settled = false;
    for (const auto& db : shards) settled = settled || db.get_doccount() > 0;
    load_dictionary();
    decoders.reserve(shards.size());
    for (const auto& db : shards) decoders.emplace_back(db, path);
    unspellers.resize(shards.size());
    spelling.resize(shards.size());
  }

  // The shard holding the record with this id term.
  Xapian::WritableDatabase& db_of(const std::string& term) { return shards[shard_index(term)]; }
  std::size_t shard_index(const std::string& term) const {
    return shards.size() == 1 ? 0 : shards::shard_of(id_of(term), shards.size());
  }
  static std::string id_of(const std::string& term) { return term.substr(std::strlen(schema::kId)); }

  // All shards as one database (reads see uncommitted changes).
  Xapian::Database all() const {
    if (shards.size() == 1) return shards.front();
    Xapian::Database db;
    for (const auto& shard : shards) db.add_database(shard);
    return db;
  }

  // One dictionary for the whole collection, in every shard (a stub of the
  // shards reads the first one's metadata).
  void load_dictionary() {
    dictionary = RecordDictionary::from_stored(shards.front().get_metadata(schema::kRecordDictionaryKey), path);
    sampler.clear();
    publish_dictionary();
  }

  void publish_dictionary() {
    std::lock_guard<std::mutex> lock(published_mutex);
    published = dictionary.empty() ? nullptr : std::make_shared<const RecordDictionary>(dictionary);
  }

  std::shared_ptr<const RecordDictionary> published_dictionary() {
    std::lock_guard<std::mutex> lock(published_mutex);
    return published;
  }

  // Makes the dictionary once enough records were seen; it is stored with
  // the next commit (and a schema 3 database then says schema 4, or 5 when
  // it keeps spelling counts; one of spelling terms stays schema 4, which
  // the askalike of schema 4 reads).
  void make_dictionary_when_ready() {
    if (!dictionary.empty() || !sampler.ready()) return;
    dictionary = RecordDictionary::from_samples(sampler.samples());
    sampler.clear();
    publish_dictionary();
    const int needed = features.spelling_counts ? schema::kVersion : schema::kRecordDictionaryVersion;
    for (auto& db : shards) {
      db.set_metadata(schema::kRecordDictionaryKey, dictionary.bytes());
      if (schema::stored_version(db) < needed)
        db.set_metadata(schema::kVersionKey, std::to_string(needed));
    }
  }

  void begin() {
    // Changes wait in a transaction so that a writer dropped without commit()
    // leaves the database exactly as it was.
    for (auto& db : shards) db.begin_transaction(true);
    in_transaction = true;
  }

  // Takes the record with this id term (if any) off the field totals and the
  // waiting records; returns whether there was one.
  bool forget(const std::string& term) {
    auto waiting = pending_index.find(term);
    if (waiting != pending_index.end()) {
      pending[waiting->second].second.reset();
      pending_index.erase(waiting);
      return true;
    }
    return forget_stored(db_of(term), term);
  }

  // Takes the record with this id term in `db` (if any) off the field
  // totals; returns whether there was one.
  bool forget_stored(const Xapian::Database& db, const std::string& term) {
    Xapian::PostingIterator p = db.postlist_begin(term);
    if (p == db.postlist_end(term)) return false;
    totals.remove(schema::decode_field_lengths(db.get_document(*p).get_value(schema::kFieldLengthsSlot)));
    return true;
  }

  // Takes the stored record with this id term in `shard` (if any) off the
  // spelling table, read back from its stored copy: the words of a record
  // that was replaced or removed must not stay a correction that matches
  // nothing. When `replacement` is the very same record (a load run again),
  // its words stay counted and the replacement's are not counted again,
  // which spares analysing the stored one. Called by the thread writing the
  // shard.
  void unspell(std::size_t shard, const std::string& term, AnalysedRecord* replacement = nullptr) {
    if (!features.spelling || features.spelling_terms) return;  // terms go with their document
    Record old;
    try {
      const std::optional<std::string> stored = stored_json(shard, term);
      if (!stored) return;
      if (replacement && (replacement->json.empty() ? replacement->doc.get_data() : replacement->json) == *stored) {
        replacement->spelling_words.clear();
        return;
      }
      old = schema::record_of(*stored);
    } catch (const Error& e) {
      // A stored record that no longer reads (damaged) can still be
      // replaced or removed, which is how a user mends it; its words stay
      // counted.
      if (e.code() != ErrorCode::kCorrupt && e.code() != ErrorCode::kParse) throw;
      return;
    }
    std::unique_ptr<Analyzer>& words = unspellers[shard];
    if (!words) words = std::make_unique<Analyzer>(analyzer.options());
    spelling[shard].remove(record_spelling_words(old, *words));
  }

  // The JSON of the record with this id term in `shard` as stored, committed
  // or not; nullopt when there is none.
  std::optional<std::string> stored_json(std::size_t shard, const std::string& term) {
    Xapian::WritableDatabase& db = shards[shard];
    Xapian::PostingIterator p = db.postlist_begin(term);
    if (p == db.postlist_end(term)) return std::nullopt;
    return decoders[shard].json(db.get_document(*p).get_data());
  }

  // Returns true when a record was replaced.
  bool store(const std::string& term, AnalysedRecord&& record) {
    bool existed = forget(term);
    sample(record);
    if (!settled) {
      pending_index[term] = pending.size();
      pending.emplace_back(term, std::move(record));
      return existed;
    }
    // This record counts in the averages it is normalised by.
    totals.add(record.lengths);
    write(shard_index(term), term, std::move(record), totals.averages(), existed);
    return existed;
  }

  // Until the dictionary is made, records are its samples.
  void sample(const AnalysedRecord& record) {
    if (dictionary.empty()) sampler.add(record.doc.get_data());
  }

  // Writes a record into its shard, normalised by `averages`, replacing the
  // record of its id when there is one (a new id needs no look-up).
  void write(std::size_t shard, const std::string& term, AnalysedRecord&& record,
             const std::array<double, kFieldCount>& averages, bool replaces) {
    Xapian::WritableDatabase& db = shards[shard];
    if (replaces) unspell(shard, term, &record);
    Xapian::Document doc = ready_document(spelling[shard], std::move(record), averages, ranking, dictionary);
    if (replaces)
      db.replace_document(term, doc);
    else
      db.add_document(doc);
  }

  // A parallel load's storing for a collection (below).
  class ParallelStore;

  // Stores the waiting records, normalised by their own averages.
  void settle() {
    if (settled) return;
    make_dictionary_when_ready();
    for (const auto& [term, record] : pending)
      if (record) totals.add(record->lengths);
    const auto averages = totals.averages();
    for (auto& [term, record] : pending)
      if (record) {
        const std::size_t shard = shard_index(term);
        shards[shard].add_document(ready_document(spelling[shard], std::move(*record), averages, ranking, dictionary));
      }
    pending.clear();
    pending_index.clear();
    settled = true;
  }

  void discard_pending() {
    pending.clear();
    pending_index.clear();
  }

  // Commits every shard, each on a thread of its own (the flush to disk is
  // most of a commit's time). Each shard's commit is atomic; the shards'
  // together are not: when one fails, the others may have committed. The
  // first error is thrown once every commit has finished.
  void commit_all() {
    const std::string serialized = totals.serialize();
    for (std::size_t i = 0; i < shards.size(); ++i) {
      spelling[i].apply(shards[i], features.spelling_counts);
      shards[i].set_metadata(schema::kFieldTotalsKey, serialized);
    }
    in_transaction = false;
    detail::with_max_changesets(max_changesets, [&] {
      if (shards.size() == 1) return shards.front().commit_transaction();
      std::vector<std::exception_ptr> errors(shards.size());
      std::vector<std::thread> threads;
      for (std::size_t i = 0; i < shards.size(); ++i)
        threads.emplace_back([&, i] {
          try {
            shards[i].commit_transaction();
          } catch (...) {
            errors[i] = std::current_exception();
          }
        });
      for (auto& t : threads) t.join();
      for (auto& e : errors)
        if (e) std::rethrow_exception(e);
    });
  }
};

// [issue 11: shards are built in parallel] A parallel load's storing into a
// collection, with a thread per shard (ShardWriters) doing the writing, most
// of a load's time. The storing thread still decides, in input order, what
// store() decides: whether a record replaces one, and the averages it is
// normalised by, so the collection is the one a serial load makes. It must
// not look into a shard that another thread writes, so it looks into a
// reader of the shard's last commit and into the records handed over since:
// together what the writer's own uncommitted view would show.
class IndexWriter::Impl::ParallelStore {
 public:
  explicit ParallelStore(Impl& impl)
      : impl_(impl), writers_(impl.shards.size(), [this](std::size_t shard, Task& task) {
          schema::guarded("adding record " + id_of(task.term), impl_.path, [&] {
            impl_.write(shard, task.term, std::move(task.record), task.averages, task.replaces);
          });
        }) {
    for (const std::string& p : impl.shard_paths) committed_.push_back(detail::open_database(p));
  }

  // store() with the writing handed to the shard's thread. Throws the first
  // error of a shard's thread.
  bool store(const std::string& term, AnalysedRecord&& record) {
    // A new database's first records wait in memory until the first commit
    // (nothing has been handed over before it).
    if (!impl_.settled) return impl_.store(term, std::move(record));
    bool existed = forget(term);
    impl_.sample(record);
    impl_.totals.add(record.lengths);
    since_commit_[term] = record.lengths;
    writers_.post(impl_.shard_index(term), Task{term, std::move(record), impl_.totals.averages(), existed});
    return existed;
  }

  // Commits once every shard has written what it was given.
  void commit(IndexWriter& writer) {
    writers_.drain();
    writer.commit();
    since_commit_.clear();
    for (auto& db : committed_) db.reopen();
  }

 private:
  struct Task {
    std::string term;
    AnalysedRecord record;
    std::array<double, kFieldCount> averages;
    bool replaces = false;
  };

  // Impl::forget() for a record handed over since the last commit, or in it.
  bool forget(const std::string& term) {
    auto handed = since_commit_.find(term);
    if (handed != since_commit_.end()) {
      impl_.totals.remove(handed->second);
      return true;
    }
    return impl_.forget_stored(committed_[impl_.shard_index(term)], term);
  }

  Impl& impl_;
  std::vector<Xapian::Database> committed_;                     // a reader per shard, at the last commit
  std::unordered_map<std::string, FieldLengths> since_commit_;  // id term -> lengths, handed over since
  ShardWriters<Task> writers_;  // last: its threads stop (applying what they hold) first
};

// What a new database keeps besides its records, from the writer's options;
// with a model, the model loaded (IndexFeatures::model).
static schema::IndexFeatures new_database_features(const IndexOptions& options) {
  schema::IndexFeatures features;
  features.spelling = options.spelling;
  features.question_types = options.question_types;
  features.spelling_counts = options.spelling;
  if (!options.embedding_model.empty()) {
    const EmbeddingOptions defaults;
    features.model = shared_model(options.embedding_model, defaults.max_tokens);
    features.embedding = embedding_info(*features.model, options.embedding_model, defaults.max_tokens);
    features.embedding->precision = options.vector_precision;
    if (options.embedding_dimension && options.embedding_dimension != features.embedding->identity.dimension)
      throw Error(ErrorCode::kInvalidArgument,
                  "embedding_dimension " + std::to_string(options.embedding_dimension) + " is not the model's (" +
                      std::to_string(features.embedding->identity.dimension) + ")");
  } else if (options.embedding_dimension) {
    // Vectors of the records' own, from a model askalike does not run.
    schema::EmbeddingInfo own;
    own.identity.dimension = options.embedding_dimension;
    own.precision = options.vector_precision;
    features.embedding = own;
  }
  return features;
}

IndexWriter::IndexWriter(const std::string& path, const IndexOptions& options) {
  schema::guarded("opening the database for writing", path, [&] {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
      throw Error(ErrorCode::kInvalidArgument, path + " is a file, not a database directory; name a directory");
    if (!shards::has_database(path) && !options.create_if_missing)
      throw Error(ErrorCode::kNotFound, "no askalike database at " + path);
    // Validate the options before creating anything on disk.
    Analyzer probe(options.analyzer);
    validate(options);
    bool sharded = false;
    std::vector<std::string> paths = shards::collection_paths(path, options.shards, options.create_if_missing, &sharded);
    std::vector<Xapian::WritableDatabase> dbs =
        detail::open_writers(path, paths, Xapian::DB_CREATE_OR_OPEN, options.wait_lock_ms);
    // Every shard has the same settings: the first holds them for all.
    bool is_new = false;
    AnalyzerOptions stored = schema::read_settings(dbs.front(), paths.front(), options.analyzer, &is_new);
    RankingSettings ranking;
    if (!is_new) {
      ranking = schema::read_ranking(dbs.front(), paths.front());
      if (options.ranking && !same(*options.ranking, ranking.options))
        throw Error(ErrorCode::kInvalidArgument,
                    path + " ranks with other settings (" + ranking.serialize() +
                        "); a database's ranking settings change only by rebuilding it: `askalike reindex`");
    } else if (options.ranking) {
      ranking.options = *options.ranking;
    }
    // The features of a new database (or of its new shards), made once: the
    // model is loaded (and its weights hashed) once, not once per shard.
    std::optional<schema::IndexFeatures> new_features;
    for (std::size_t i = 0; i < dbs.size(); ++i) {
      bool shard_is_new = false;
      schema::read_settings(dbs[i], paths[i], stored, &shard_is_new);
      if (!shard_is_new) {
        if (schema::read_ranking(dbs[i], paths[i]).serialize() != ranking.serialize())
          throw Error(ErrorCode::kCorrupt, paths[i] + " ranks with other settings than the collection's first shard");
        continue;
      }
      schema::write_settings(dbs[i], stored, ranking);
      if (!new_features) new_features = new_database_features(options);
      schema::write_features(dbs[i], *new_features);
      detail::with_max_changesets(options.max_changesets, [&] { dbs[i].commit(); });
    }
    impl_ = std::make_unique<Impl>(path, std::move(dbs), std::move(paths), sharded, stored, ranking);
    impl_->max_changesets = options.max_changesets;
    impl_->model_dir = options.embedding_model;
    // The model just loaded for a new database is the one its records need.
    if (new_features && impl_->features.embedding) impl_->features.model = new_features->model;
    if (!options.embedding_model.empty() && !impl_->features.embedding)
      throw Error(ErrorCode::kInvalidArgument,
                  path + " was built without embeddings: a model cannot be added to it record by record; "
                         "`askalike reindex --model DIR` writes a copy with every record embedded");
    impl_->begin();
  });
}

IndexWriter::IndexWriter(IndexWriter&&) noexcept = default;
IndexWriter& IndexWriter::operator=(IndexWriter&&) noexcept = default;

IndexWriter::~IndexWriter() {
  if (!impl_) return;
  for (auto& db : impl_->shards) {
    try {
      if (impl_->in_transaction) db.cancel_transaction();
      db.close();
    } catch (...) {
      // A destructor must not throw; closing releases the lock either way.
    }
  }
}

bool IndexWriter::upsert(const Record& record) {
  return schema::guarded("adding record " + record.id, impl_->path, [&] {
    std::string term = id_term(record.id);
    impl_->ready_model();
    return impl_->store(term, analyse_record(record, impl_->analyzer, impl_->features));
  });
}

bool IndexWriter::remove(const std::string& id) {
  return schema::guarded("removing record " + id, impl_->path, [&] {
    std::string term = id_term(id);
    if (!impl_->forget(term)) return false;
    impl_->unspell(impl_->shard_index(term), term);
    impl_->db_of(term).delete_document(term);
    return true;
  });
}

void IndexWriter::commit() {
  schema::guarded("committing", impl_->path, [&] {
    impl_->settle();
    impl_->make_dictionary_when_ready();
    try {
      impl_->commit_all();
    } catch (const Xapian::Error&) {
      // [issue 24] Glass writes the new version to v.tmp, then renames it; a
      // commit that fails (a full disk) leaves it behind. This writer holds
      // the lock, so no other commit is writing it.
      for (const std::string& p : impl_->shard_paths) ::unlink((p + "/v.tmp").c_str());
      throw;
    }
    impl_->begin();
  });
}

void IndexWriter::rollback() {
  schema::guarded("rolling back", impl_->path, [&] {
    impl_->in_transaction = false;
    for (auto& db : impl_->shards) db.cancel_transaction();
    for (auto& changes : impl_->spelling) changes.clear();
    impl_->discard_pending();
    impl_->totals = schema::read_field_totals(impl_->shards.front(), impl_->path);
    impl_->load_dictionary();  // one made in the cancelled transaction is gone
    impl_->begin();
  });
}

namespace {

// A record the index refused (Error kInvalidArgument: an unusable id): listed
// when skipping bad lines, else thrown as ParseError naming where it was read.
void refuse(const Error& e, const std::string& source, std::size_t line, const IngestOptions& options,
            std::vector<BadLine>& refused) {
  std::string name = source.empty() ? "<input>" : source;
  if (!options.skip_bad_lines) throw ParseError(name, line, e.what());
  refused.push_back(BadLine{name, line, e.what()});
}

// The parallel ingest: the calling thread reads the source, `workers` threads
// turn records into Xapian documents (each with an Analyzer of its own), and
// one thread stores them in input order, committing every `batch` records,
// exactly as the serial loop does. Records travel in chunks (fewer hand-offs
// between threads), and at most kWindowChunks chunks per worker (and
// kMaxWindow in all) are between reading and storing, which bounds the memory
// the pipeline holds whatever the number of cores.
// [issue 24] Loads commit every kCommitBytes of record text as well as
// every batch_size records, and a parallel load holds at most
// kFlightBytes of it between reading and storing (and hands records on in
// chunks of at most kChunkBytes): what a load holds is bounded by bytes, not
// by a count of records that may each be megabytes (12 records of 8 MB
// peaked at 1.26 GB).
constexpr std::size_t kCommitBytes = std::size_t(32) << 20;
constexpr std::size_t kFlightBytes = std::size_t(32) << 20;
constexpr std::size_t kChunkBytes = std::size_t(1) << 20;

std::size_t text_bytes(const Record& r) {
  std::size_t n = r.id.size() + r.title.size() + r.question.size() + r.answer.size();
  for (const auto& [name, value] : r.extra) n += name.size() + value.size();
  return n;
}

class Pipeline {
 public:
  static constexpr std::size_t kChunk = 32;        // records per hand-off
  static constexpr std::size_t kWindowChunks = 4;  // chunks in flight per worker (at least 8 in all)
  static constexpr std::size_t kMaxWindow = 64;    // chunks in flight at the most (2,048 records)

  // `dictionary` gives the records' dictionary once there is one (workers
  // compress the records they analyse with it).
  Pipeline(StoreFunction store, std::function<void()> commit,
           std::function<std::shared_ptr<const RecordDictionary>()> dictionary, const std::string& path,
           const AnalyzerOptions& analyzer, const schema::IndexFeatures& features, const IngestOptions& options,
           unsigned workers)
      : store_(std::move(store)), commit_(std::move(commit)), dictionary_(std::move(dictionary)), path_(path),
        features_(features), options_(options),
        batch_(std::max<std::size_t>(options.batch_size, 1)),
        window_(std::clamp<std::size_t>(kWindowChunks * std::size_t{workers}, 8, kMaxWindow)), ring_(window_) {
    analyzers_.reserve(workers);
    for (unsigned i = 0; i < workers; ++i) analyzers_.emplace_back(analyzer);
  }

  ~Pipeline() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_all();
    join();
  }

  // Runs the whole load; returns the report without the source's bad lines.
  IngestReport run(RecordSource& source) {
    for (Analyzer& a : analyzers_) threads_.emplace_back([this, &a] { analyse(a); });
    threads_.emplace_back([this] { store(); });
    const std::size_t every = std::max<std::size_t>(options_.progress_every, 1);
    std::size_t next_progress = every;
    std::exception_ptr read_error;
    bool progress_failed = false;
    // Reports every `every` records stored, as the serial loop does.
    auto report_progress = [&](std::size_t stored) {
      if (!options_.progress) return;
      try {
        for (; next_progress <= stored; next_progress += every) options_.progress(next_progress);
      } catch (...) {
        progress_failed = true;
        throw;
      }
    };
    Work work;
    // Hands the records read so far to the workers; false when the storing
    // thread failed (its error is the one to report).
    auto hand_off = [&]() {
      if (work.records.empty()) return true;
      {
        std::unique_lock<std::mutex> lock(mu_);
        space_.wait(lock, [&] {
          return stop_ || (read_ - stored_ < window_ && (flight_bytes_ < kFlightBytes || read_ == done_));
        });
        if (stop_) return false;
        work.seq = read_++;
        flight_bytes_ += work.bytes;
        work_.push_back(std::move(work));
      }
      work_ready_.notify_one();
      work = Work();
      work.records.reserve(kChunk);
      return true;
    };
    try {
      Record record;
      work.records.reserve(kChunk);
      while (source.next(record)) {
        work.bytes += text_bytes(record);
        work.records.push_back(std::move(record));
        work.places.push_back(Place{source.source_name(), source.line()});
        record = Record();
        if (work.records.size() == kChunk || work.bytes >= kChunkBytes) {
          if (!hand_off()) break;
          report_progress(applied_.load());
        }
      }
    } catch (...) {
      read_error = std::current_exception();
    }
    // Whatever stopped the reading, what was read before it is stored, as
    // the serial loop would have stored it before reaching that point.
    try {
      hand_off();
    } catch (...) {
      if (!read_error) read_error = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      input_done_ = true;
    }
    wake_all();
    join();
    // The progress the serial loop would have reported before stopping (an
    // exception from the callback stops the load there, without a commit).
    if (!progress_failed) report_progress(report_.read);
    // The storing thread met its error at an earlier record than the reader.
    std::exception_ptr error = store_error_ ? store_error_ : read_error;
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const ParseError&) {
        // Keep what was read before the bad record, then report the error.
        commit_();
        throw;
      }
    }
    report_.bad_lines = std::move(refused_);
    return report_;
  }

 private:
  struct Place {  // where a record was read, for messages
    std::string source;
    std::size_t line = 0;
  };
  struct Work {  // records read, in input order
    std::size_t seq = 0;
    std::size_t bytes = 0;  // text_bytes of the records
    std::vector<Record> records;
    std::vector<Place> places;
  };
  struct Analysed {
    std::string id, term;
    AnalysedRecord record;
    std::exception_ptr error;  // what analysing the record threw
  };
  struct Slot {  // a chunk's documents, in input order
    bool ready = false;
    std::size_t bytes = 0;  // Work::bytes
    std::vector<Analysed> records;
    std::vector<Place> places;
  };

  void wake_all() {
    work_ready_.notify_all();
    slot_ready_.notify_all();
    space_.notify_all();
  }

  void join() {
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
  }

  // A worker: records in, documents out (into the slot of their chunk).
  void analyse(Analyzer& analyzer) {
    for (;;) {
      Work work;
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_ready_.wait(lock, [&] { return stop_ || input_done_ || !work_.empty(); });
        if (stop_ || work_.empty()) return;
        work = std::move(work_.front());
        work_.pop_front();
      }
      Slot slot;
      slot.records.resize(work.records.size());
      const std::shared_ptr<const RecordDictionary> dictionary = dictionary_();
      for (std::size_t i = 0; i < work.records.size(); ++i) {
        const Record& record = work.records[i];
        Analysed& out = slot.records[i];
        out.id = record.id;
        try {
          schema::guarded("adding record " + record.id, path_, [&] {
            out.term = id_term(record.id);
            out.record = analyse_record(record, analyzer, features_);
            if (dictionary) compress_record(out.record, *dictionary);
          });
        } catch (...) {
          out.error = std::current_exception();
        }
      }
      slot.places = std::move(work.places);
      slot.bytes = work.bytes;
      slot.ready = true;
      bool next;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ring_[work.seq % window_] = std::move(slot);
        next = work.seq == stored_;
      }
      if (next) slot_ready_.notify_one();
    }
  }

  // The one thread that writes to the database, in input order.
  void store() {
    try {
      for (;;) {
        Slot slot;
        {
          std::unique_lock<std::mutex> lock(mu_);
          Slot* head = &ring_[stored_ % window_];
          slot_ready_.wait(lock, [&] { return stop_ || head->ready || (input_done_ && stored_ == read_); });
          if (stop_ || !head->ready) return;
          slot = std::move(*head);
          *head = Slot();
          ++stored_;
        }
        space_.notify_one();
        for (std::size_t i = 0; i < slot.records.size(); ++i) {
          Analysed& r = slot.records[i];
          if (r.error) {
            try {
              std::rethrow_exception(r.error);
            } catch (const Error& e) {
              if (e.code() != ErrorCode::kInvalidArgument) throw;
              refuse(e, slot.places[i].source, slot.places[i].line, options_, refused_);
            }
            continue;
          }
          bool replaced =
              schema::guarded("adding record " + r.id, path_, [&] { return store_(r.term, std::move(r.record)); });
          ++report_.read;
          ++(replaced ? report_.replaced : report_.added);
          uncommitted_bytes_ += slot.bytes / slot.records.size();
          if (report_.read % batch_ == 0 || uncommitted_bytes_ >= kCommitBytes) {
            commit_();
            uncommitted_bytes_ = 0;
          }
        }
        applied_.store(report_.read);
        {
          std::lock_guard<std::mutex> lock(mu_);
          flight_bytes_ -= slot.bytes;
          ++done_;
        }
        space_.notify_one();
      }
    } catch (...) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        store_error_ = std::current_exception();
        stop_ = true;
      }
      wake_all();
    }
  }

  StoreFunction store_;
  std::function<void()> commit_;
  std::function<std::shared_ptr<const RecordDictionary>()> dictionary_;
  const std::string& path_;
  const schema::IndexFeatures features_;
  const IngestOptions& options_;
  const std::size_t batch_;
  const std::size_t window_;  // chunks
  std::vector<Analyzer> analyzers_;
  std::vector<std::thread> threads_;

  std::mutex mu_;
  std::condition_variable work_ready_;  // work_ has chunks, or the input ended
  std::condition_variable slot_ready_;  // the next chunk to store is analysed
  std::condition_variable space_;       // the window has room for another chunk
  std::deque<Work> work_;
  std::vector<Slot> ring_;  // analysed chunks; chunk n in ring_[n % window_]
  std::size_t read_ = 0;    // chunks handed to the workers
  std::size_t stored_ = 0;  // chunks taken by the storing thread
  std::size_t done_ = 0;    // chunks stored
  std::size_t flight_bytes_ = 0;  // text_bytes of the chunks read and not yet stored
  bool input_done_ = false;
  bool stop_ = false;
  std::exception_ptr store_error_;

  // Owned by the storing thread until join().
  IngestReport report_;
  std::size_t uncommitted_bytes_ = 0;  // about: a chunk's bytes shared evenly
  std::vector<BadLine> refused_;
  std::atomic<std::size_t> applied_{0};  // report_.read, for progress on the calling thread
};

}  // namespace

IngestReport IndexWriter::ingest(RecordSource& source, const IngestOptions& options) {
  validate(options);
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  schema::guarded("loading the embedding model", impl_->path, [&] { impl_->ready_model(); });
  if (threads > 1) {
    IngestReport report;
    {
      // One thread stores, the others analyse; reading takes little. A
      // collection's shards are written by a thread each besides.
      Impl& impl = *impl_;
      std::optional<Impl::ParallelStore> parallel;
      if (impl.shards.size() > 1) parallel.emplace(impl);
      StoreFunction store = [&](const std::string& term, AnalysedRecord&& record) {
        return parallel ? parallel->store(term, std::move(record)) : impl.store(term, std::move(record));
      };
      auto commit_all = [&] { parallel ? parallel->commit(*this) : commit(); };
      Pipeline pipeline(std::move(store), commit_all, [&impl] { return impl.published_dictionary(); }, impl_->path,
                        impl_->analyzer.options(), impl_->features, options,
                        // Embedding a record costs far more than storing
                        // it: then every core analyses.
                        impl_->features.model ? threads : threads - 1);
      report = pipeline.run(source);
      commit_all();
    }
    std::vector<BadLine> refused = std::move(report.bad_lines);
    report.bad_lines = source.bad_lines();
    report.bad_lines.insert(report.bad_lines.end(), refused.begin(), refused.end());
    report.skipped = report.bad_lines.size();
    return report;
  }
  IngestReport report;
  std::vector<BadLine> refused;  // records the index would not take
  std::size_t batch = std::max<std::size_t>(options.batch_size, 1);
  std::size_t every = std::max<std::size_t>(options.progress_every, 1);
  Record record;
  std::size_t uncommitted_bytes = 0;
  try {
    while (source.next(record)) {
      bool replaced = false;
      uncommitted_bytes += text_bytes(record);
      try {
        replaced = upsert(record);
      } catch (const Error& e) {
        if (e.code() != ErrorCode::kInvalidArgument) throw;
        refuse(e, source.source_name(), source.line(), options, refused);
        continue;
      }
      ++report.read;
      ++(replaced ? report.replaced : report.added);
      if (report.read % batch == 0 || uncommitted_bytes >= kCommitBytes) {
        commit();
        uncommitted_bytes = 0;
      }
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
  JsonlReader reader(in, source, options.skip_bad_lines, options.limits);
  return ingest(reader, options);
}

bool IndexWriter::get(const std::string& id, Record& out) const {
  return schema::guarded("reading record " + id, impl_->path, [&] {
    impl_->settle();  // uncommitted records are readable
    std::string term = id_term(id);
    const std::optional<std::string> stored = impl_->stored_json(impl_->shard_index(term), term);
    if (!stored) return false;
    out = schema::record_of(*stored);
    return true;
  });
}

void IndexWriter::for_each(const std::function<void(const Record&)>& visit) const {
  schema::guarded("reading records", impl_->path, [&] {
    impl_->settle();
    for_each_record(impl_->all(), impl_->path, visit);
  });
}

IndexStats IndexWriter::stats() const {
  return schema::guarded("reading statistics", impl_->path, [&] {
    impl_->settle();
    const std::string totals = impl_->totals.serialize();  // with the uncommitted records
    for (auto& db : impl_->shards) db.set_metadata(schema::kFieldTotalsKey, totals);
    return compute_stats(impl_->all(), impl_->path, impl_->analyzer.options());
  });
}

// [issue 13: word associations] the table is learned in associations.cpp.
LearnReport IndexWriter::learn_associations(const LearnOptions& options) {
  validate(options);
  return schema::guarded("learning word associations", impl_->path, [&] {
    impl_->settle();
    LearnReport report = associations::learn(impl_->all(), impl_->path, impl_->shards, impl_->analyzer, options);
    commit();
    return report;
  });
}

const Analyzer& IndexWriter::analyzer() const { return impl_->analyzer; }

// A copy is written to a new directory only: nothing is overwritten.
static void refuse_existing(const std::string& destination) {
  struct stat st;
  if (::stat(destination.c_str(), &st) == 0)
    throw Error(ErrorCode::kInvalidArgument, destination + " already exists; name a new directory");
}

// Builds the copy under a temporary name beside `destination` and renames
// it at the end: a failure (a full disk) never leaves a half-built
// directory under the name asked for, nor blocks the rerun.
template <typename Build>
static void build_aside(std::string destination, Build&& build) {
  while (destination.size() > 1 && destination.back() == '/') destination.pop_back();
  refuse_existing(destination);
  const std::string temporary = destination + ".partial-" + std::to_string(::getpid());
  std::error_code ignored;
  std::filesystem::remove_all(temporary, ignored);  // left by a process killed with this pid
  try {
    build(temporary);
    refuse_existing(destination);
    if (::rename(temporary.c_str(), destination.c_str()) != 0)
      throw Error(ErrorCode::kIO, "cannot rename " + temporary + " to " + destination + ": " + std::strerror(errno));
  } catch (...) {
    std::filesystem::remove_all(temporary, ignored);
    throw;
  }
}

// [issue 27] Xapian 1.4 reads a glass database without its term list table
// (Xapian::DB_NO_TERMLIST: "convert an existing database ... by simply
// deleting termlist.*"); its compaction has no switch for it, so the table
// is removed from the finished copy.
static void drop_term_lists(const std::string& database) {
  const std::string file = database + "/termlist.glass";
  std::error_code error;
  std::filesystem::remove(file, error);
  if (error) throw Error(ErrorCode::kIO, "cannot remove " + file + ": " + error.message());
}

static void compact_into(const std::string& source, const std::string& destination, const CompactOptions& options) {
  schema::guarded("compacting", source, [&] {
    Xapian::Database db = detail::open_database(source);
    bool is_new = false;
    schema::read_settings(db, source, AnalyzerOptions(), &is_new);
    if (!shards::is_collection(source)) {
      db.compact(destination);
      if (!options.term_lists) drop_term_lists(destination);
      return;
    }
    // Shard by shard: compacting the stub would merge them into one.
    std::vector<std::string> from = shards::local_shards(source);
    shards::write_stub(destination, from.size());
    std::vector<std::string> to = shards::local_shards(destination);
    for (std::size_t i = 0; i < from.size(); ++i) {
      detail::open_database(from[i]).compact(to[i]);
      if (!options.term_lists) drop_term_lists(to[i]);
    }
  });
}

void compact_database(const std::string& source, const std::string& destination, const CompactOptions& options) {
  build_aside(destination, [&](const std::string& temporary) { compact_into(source, temporary, options); });
}

namespace {

// [issue 27] A merge's metadata: each shard's spelling word counts
// (schema::kSpellingCount) are of its own records, so the merged database's
// are their sums; the rest is the same in every shard, and Xapian's choice
// (the first) stays.
class MergingCompactor : public Xapian::Compactor {
 public:
  std::string resolve_duplicate_metadata(const std::string& key, size_t count, const std::string tags[]) override {
    // Glass (Xapian 1.4) gives the key as its table stores it: "\0\xc0"
    // before the user's key.
    static const std::string kStored("\0\xc0", 2);
    const std::string user_key = key.compare(0, kStored.size(), kStored) == 0 ? key.substr(kStored.size()) : key;
    if (user_key.rfind(schema::kSpellingCount, 0) != 0)
      return Xapian::Compactor::resolve_duplicate_metadata(key, count, tags);
    std::uint64_t records = 0;
    for (size_t i = 0; i < count; ++i) records += schema::decode_count(tags[i]).value_or(0);
    return schema::encode_count(records);
  }
};

}  // namespace

static void merge_into(const std::string& source, const std::string& destination) {
  schema::guarded("merging the shards of", source, [&] {
    if (!shards::is_collection(source))
      throw Error(ErrorCode::kInvalidArgument, source + " is not a collection of shards; nothing to merge");
    Xapian::Database all;
    for (const std::string& shard : shards::local_shards(source)) all.add_database(detail::open_database(shard));
    bool is_new = false;
    schema::read_settings(all, source, AnalyzerOptions(), &is_new);
    // The shards' metadata (settings, field totals, the records'
    // dictionary) is the same in every shard: Xapian keeps the first's.
    // Document numbers follow the shards' order, shard by shard.
    MergingCompactor compactor;
    all.compact(destination, 0, 0, compactor);
  });
}

void merge_shards(const std::string& source, const std::string& destination) {
  build_aside(destination, [&](const std::string& temporary) { merge_into(source, temporary); });
}

static void reindex_into(const std::string& source, const std::string& destination,
                         const std::optional<RankingOptions>& ranking,
                         const std::function<void(std::size_t, std::size_t)>& progress,
                         const std::string& embedding_model) {
  schema::guarded("reindexing", source, [&] {
    if (ranking) validate(*ranking);
    Xapian::Database from = detail::open_database(source);
    bool is_new = false;
    AnalyzerOptions analyzer_options = schema::read_settings(from, source, AnalyzerOptions(), &is_new);
    RankingSettings settings = is_new ? RankingSettings() : schema::read_ranking(from, source);
    if (ranking) settings.options = *ranking;
    // A rebuild keeps everything a database can hold (the way to enable the
    // features for a database from before them).
    schema::IndexFeatures features;
    features.spelling = features.question_types = features.spelling_counts = true;
    // [issue 28] The source's vectors are copied; a model given embeds anew.
    const std::optional<schema::EmbeddingInfo> source_embedding = schema::read_features(from, source).embedding;
    if (!embedding_model.empty()) {
      const EmbeddingOptions defaults;
      features.model = shared_model(embedding_model, defaults.max_tokens);
      features.embedding = embedding_info(*features.model, embedding_model, defaults.max_tokens);
      // The source's way of storing vectors, or a new database's.
      features.embedding->precision =
          source_embedding ? source_embedding->precision : IndexOptions().vector_precision;
    } else {
      features.embedding = source_embedding;
    }
    const bool copy_vectors = embedding_model.empty() && source_embedding.has_value();
    // Every record normalised by the averages of the whole collection.
    FieldTotals totals;
    for (auto v = from.valuestream_begin(schema::kFieldLengthsSlot); v != from.valuestream_end(schema::kFieldLengthsSlot);
         ++v)
      totals.add(schema::decode_field_lengths(*v));
    const auto averages = totals.averages();
    Analyzer analyzer(analyzer_options);
    // The new dictionary from records spread over the whole collection.
    RecordDecoder decoder(from, source);
    RecordSampler sampler;
    const Xapian::doccount stride = std::max<Xapian::doccount>(1, from.get_doccount() / RecordSampler::kSamples);
    Xapian::doccount position = 0;
    for (auto p = from.postlist_begin(""); p != from.postlist_end(""); ++p)
      if (position++ % stride == 0) sampler.add(decoder.json(from.get_document(*p).get_data()));
    const RecordDictionary dictionary =
        sampler.ready() ? RecordDictionary::from_samples(sampler.samples()) : RecordDictionary();
    schema::guarded("writing the reindexed database", destination, [&] {
      // As many shards as the source, each record in the shard of its id.
      std::vector<std::string> paths = {destination};
      if (shards::is_collection(source)) {
        shards::write_stub(destination, shards::local_shards(source).size());
        paths = shards::local_shards(destination);
      }
      std::vector<Xapian::WritableDatabase> to;
      for (const std::string& p : paths) {
        to.push_back(detail::open_writable_database(p, Xapian::DB_CREATE));
        schema::write_settings(to.back(), analyzer_options, settings);
        schema::write_features(to.back(), features);
        to.back().set_metadata(schema::kFieldTotalsKey, totals.serialize());
        if (!dictionary.empty()) to.back().set_metadata(schema::kRecordDictionaryKey, dictionary.bytes());
        associations::copy(from, to.back());  // learned from the same records: still true
      }
      constexpr Xapian::doccount kBatch = 10000;  // bounds the memory held before a commit
      Xapian::doccount count = 0;
      std::vector<SpellingChanges> spelling(to.size());
      auto commit_all = [&] {
        for (std::size_t i = 0; i < to.size(); ++i) {
          spelling[i].apply(to[i], features.spelling_counts);
          to[i].commit();
        }
      };
      // In document order, so that records tied in score keep their order.
      for (auto p = from.postlist_begin(""); p != from.postlist_end(""); ++p) {
        const Xapian::Document stored = from.get_document(*p);
        Record record = schema::record_of(decoder.json(stored.get_data()));
        const std::size_t shard = shards::shard_of(record.id, to.size());
        AnalysedRecord analysed = analyse_record(record, analyzer, features);
        if (copy_vectors) analysed.doc.add_value(schema::kEmbeddingSlot, stored.get_value(schema::kEmbeddingSlot));
        to[shard].add_document(ready_document(spelling[shard], std::move(analysed), averages, settings, dictionary));
        if (++count % kBatch == 0) commit_all();
        if (progress && count % 1000 == 0) progress(count, from.get_doccount());
      }
      commit_all();
      if (progress) progress(count, from.get_doccount());
    });
  });
}

void reindex_database(const std::string& source, const std::string& destination,
                      const std::optional<RankingOptions>& ranking,
                      const std::function<void(std::size_t, std::size_t)>& progress,
                      const std::string& embedding_model) {
  if (ranking) validate(*ranking);
  build_aside(destination, [&](const std::string& temporary) {
    reindex_into(source, temporary, ranking, progress, embedding_model);
  });
}

}  // namespace askalike
