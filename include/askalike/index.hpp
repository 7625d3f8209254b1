// askalike: building and updating a database of Q&A records.
//
//   askalike::IndexWriter writer("qa.db");           // create or open
//   writer.upsert(record);                            // same id: replaced
//   std::ifstream in("dump.jsonl");
//   auto report = writer.add_jsonl(in, "dump.jsonl");  // commits in batches
//   writer.commit();                                  // make it all visible
#ifndef ASKALIKE_INDEX_HPP_
#define ASKALIKE_INDEX_HPP_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "askalike/analyzer.hpp"
#include "askalike/embedding.hpp"
#include "askalike/export.hpp"
#include "askalike/record.hpp"

namespace askalike {

// A value and how many records have it (a facet).
struct ASKALIKE_EXPORT FacetCount {
  std::string value;
  std::size_t count = 0;
};

// How a database ranks: BM25F, each query word scored once over the whole
// record, its count in each field divided by that field's length relative to
// the field's average, times the field's weight. These are database settings:
// they are applied when a record is indexed (the index holds each word's
// weighted, normalised frequency), so a searcher cannot change them. To
// change them, rebuild: `askalike reindex` or reindex_database(). The
// defaults were chosen on labelled data (benchmarks/QUALITY.md). BM25's k1
// stays a search option (SearchOptions::bm25_k1).
struct ASKALIKE_EXPORT RankingOptions {
  double title_weight = 1.0;
  double question_weight = 1.0;
  // An answer repeats the words of its topic many times: a small weight is
  // enough for it to count.
  double answer_weight = 0.1;
  double bm25_b = 0.75;  // length normalisation within each field, 0..1
};

struct ASKALIKE_EXPORT IndexStats {
  std::size_t documents = 0;
  std::size_t distinct_terms = 0;      // distinct index terms, all fields
  double average_length = 0.0;         // terms per document
  std::vector<FacetCount> categories;  // most frequent first
  std::vector<FacetCount> languages;   // most frequent first
  AnalyzerOptions analyzer;            // the settings the database was built with
  RankingOptions ranking;              // the ranking settings it was built with
  // The mean length (indexed words) of title, question and answer over the
  // records that have the field: what a new record is normalised against.
  double average_title_length = 0.0, average_question_length = 0.0, average_answer_length = 0.0;
  // Whether the database was built with IndexOptions::spelling and
  // ::question_types (a database from before they existed has neither:
  // rebuild it with reindex_database() to enable them).
  bool spelling = false;
  bool question_types = false;
  // [issue 28] The sentence-embedding model whose vectors the records carry
  // (IndexOptions::embedding_model); dimension 0: none.
  std::string embedding_model;       // its name
  std::string embedding_model_path;  // the folder it was built from
  std::size_t embedding_dimension = 0;
  VectorPrecision vector_precision = VectorPrecision::kFloat32;  // how new vectors are stored
  // Word associations (IndexWriter::learn_associations): the records they
  // were learned from (0: none learned; `askalike learn` adds them) and the
  // query words that have some.
  std::size_t associations_learned_from = 0;
  std::size_t association_words = 0;
  std::string path;
};

struct ASKALIKE_EXPORT IndexOptions {
  // Used when the database is created; an existing database keeps the
  // settings it was built with (they are stored in it), and these are ignored.
  AnalyzerOptions analyzer;
  // The ranking settings of a new database (nullopt: the defaults). For an
  // existing database they must be the stored ones, or the writer throws
  // Error(kInvalidArgument): change them with reindex_database().
  std::optional<RankingOptions> ranking;
  // Create the database when the directory holds none.
  bool create_if_missing = true;
  // Shards of a new collection. 1 (or nullopt): one database. N > 1: the
  // path becomes a directory of N databases (shard-0 ...) and a stub file
  // naming them (XAPIANDB, which Searcher, Xapian's tools and xapian-tcpsrv
  // setups open as one database); every record goes to the shard its id
  // hashes to (64-bit FNV-1a of the id, modulo N), so an id is in exactly
  // one shard and upsert, remove, get and for_each behave as on one
  // database. The field averages are the whole collection's, in every shard,
  // so the collection ranks as one database holding its records would.
  // nullopt for an existing collection: its own count; a different count is
  // Error(kInvalidArgument) (re-sharding means exporting and indexing anew).
  // commit() commits the shards in parallel, each atomically; if one fails
  // the others may have committed (commit() throws: run the same load again,
  // upserts are idempotent).
  std::optional<unsigned> shards;
  // For replication (xapian-replicate-server): keep the changesets of the
  // last N commits beside the database (0: none; at most kMaxChangesets).
  // Xapian reads this from the process's XAPIAN_MAX_CHANGESETS at EVERY
  // commit: the writer sets it around each of its commits (commits of
  // writers wanting another value wait), so other code of the process that
  // commits Xapian databases at that moment, outside askalike, sees it too.
  unsigned max_changesets = 0;
  // Of a new database (an existing one keeps what it was built with):
  // fill Xapian's spelling table with the records' words, for
  // SearchOptions::spelling (a record replaced or removed takes its words
  // back off it) ...
  bool spelling = true;
  // ... and mark each record with the type of its question, for
  // SearchOptions::question_type_weight.
  bool question_types = true;
  // [issue 28] A sentence-embedding model folder (embedding.hpp). Of a new
  // database: store with every record the embedding of its title and
  // question, for the semantic re-ranking (SearchOptions::semantic); the
  // database records the model's identity and folder. Of a database built
  // with a model: "" loads the folder it records; another folder must hold
  // the same model (the same weights), else Error(kInvalidArgument). A model
  // for a database built without one is Error(kInvalidArgument): rebuild it
  // with reindex_database(..., model). Loaded at the first record written.
  std::string embedding_model;
  // [issue 28] Of a new database without a model: store the vectors its
  // records carry (Record::vector), of this many dimensions, for callers
  // whose model is elsewhere; searches then re-rank when given the query's
  // vector (SearchOptions::query_vector). 0: none.
  std::size_t embedding_dimension = 0;
  // [issue 24] How long to wait for the write lock another writer holds, in
  // milliseconds (at most kMaxTimeoutMs); 0: Error(kDatabaseLocked) at once.
  // A writer that waits says so (a file in the database directory), and
  // writers opened without a wait find the database locked meanwhile: a bulk
  // load gets the lock in the first gap between a live service's writes.
  unsigned wait_lock_ms = 0;
  // [issue 28] How a new database stores vectors (an existing one keeps its
  // own). A database may hold both kinds: each vector's length says which.
  VectorPrecision vector_precision = VectorPrecision::kInt8;
};

struct ASKALIKE_EXPORT IngestOptions {
  // Skip bad records (listed in the report) instead of stopping: malformed
  // lines for add_jsonl (other sources are opened skipping or not), and for
  // every source the records the index refuses (an empty or over-long id).
  bool skip_bad_lines = false;
  // Records per commit: bounds memory during large loads. A load also
  // commits after every 32 MiB of record text (large records, issue 24).
  std::size_t batch_size = 10000;
  // Threads to use (0: one per core). With 1 everything runs on the calling
  // thread. With N > 1 the calling thread reads the source, N - 1 threads
  // analyse the records and one stores them in input order: the database,
  // the report, the progress calls and the errors are the same as with 1.
  // A collection of shards is then also written by a thread per shard.
  unsigned threads = 0;
  // Called after every `progress_every` records with the count so far, on
  // the calling thread. With threads > 1 another thread is writing to the
  // database meanwhile: the callback must not use the IndexWriter.
  std::function<void(std::size_t records_read)> progress;
  std::size_t progress_every = 1000;
  // Bounds on add_jsonl's input (other sources take theirs from ReadOptions).
  InputLimits limits;
};

// How IndexWriter::learn_associations learns which answer words go with
// which question words.
struct ASKALIKE_EXPORT LearnOptions {
  // Associated words kept per question word, strongest first.
  std::size_t per_word = 8;
  // A pair of words met in fewer records than this is chance, not a lesson.
  std::size_t min_records = 3;
  // The words of each answer that count: its most specific ones (highest
  // idf), which bounds the work per record however long the answer.
  std::size_t answer_words = 40;
  // Called every `progress_every` records with (records done, records in all).
  std::function<void(std::size_t done, std::size_t total)> progress;
  std::size_t progress_every = 1000;
};

struct ASKALIKE_EXPORT LearnReport {
  std::size_t records = 0;       // records learned from
  std::size_t words = 0;         // question words that got associations
  std::size_t associations = 0;  // (word, associated word) pairs stored
  std::size_t bytes = 0;         // size of the stored table (keys and values)
};

struct ASKALIKE_EXPORT IngestReport {
  std::size_t read = 0;      // records read without error
  std::size_t added = 0;     // new ids
  std::size_t replaced = 0;  // ids that were already in the database
  std::size_t skipped = 0;   // bad lines skipped
  std::vector<BadLine> bad_lines;
};

// The one writer of a database. Changes become visible to searchers at
// commit(); a writer destroyed without commit() discards what it added since
// the last commit. Only one IndexWriter (in any process) may hold a database:
// a second gets Error(kDatabaseLocked).
// Not thread-safe: use it from one thread at a time. Movable, not copyable.
class ASKALIKE_EXPORT IndexWriter {
 public:
  // Opens or creates the database directory `path`.
  // Throws Error: kNotFound (no database and !create_if_missing),
  // kDatabaseLocked, kIncompatibleVersion, kIO.
  explicit IndexWriter(const std::string& path, const IndexOptions& options = IndexOptions());
  IndexWriter(IndexWriter&&) noexcept;
  IndexWriter& operator=(IndexWriter&&) noexcept;
  IndexWriter(const IndexWriter&) = delete;
  IndexWriter& operator=(const IndexWriter&) = delete;
  ~IndexWriter();

  // Adds the record, or replaces the one with the same id. Returns true when
  // a record was replaced. Throws Error(kInvalidArgument) for an empty or
  // over-long id.
  bool upsert(const Record& record);

  // Removes the record with this id; false when there was none.
  bool remove(const std::string& id);

  // Makes every change since the last commit durable and visible.
  void commit();

  // Discards every change since the last commit.
  void rollback();

  // Upserts every record of `source`, committing every options.batch_size
  // records and at the end. On a bad record (the source throws ParseError,
  // or the record has an unusable id) the records before it are committed
  // and ParseError is thrown: nothing stored before is lost, and running the
  // same load again is harmless.
  IngestReport ingest(RecordSource& source, const IngestOptions& options = IngestOptions());

  // Reads JSON Lines and upserts every record, committing every
  // options.batch_size records and at the end. On a malformed line (unless
  // skip_bad_lines) the records before it are committed and ParseError is
  // thrown, naming `source` and the line: nothing stored before is lost.
  IngestReport add_jsonl(std::istream& in, const std::string& source,
                         const IngestOptions& options = IngestOptions());

  // The stored record with this id; false when there is none.
  bool get(const std::string& id, Record& out) const;

  // Every stored record in id order (committed or not).
  void for_each(const std::function<void(const Record&)>& visit) const;

  IndexStats stats() const;

  // Learns from the records' own question-answer pairs which words an answer
  // uses for the words of a question ("heart attack" -> "myocardial",
  // "infarction"), stores them in the database (replacing any learned
  // before) and commits. Searches then add a few of them to a query
  // (SearchOptions::max_associations). Records added later are not in the
  // table until it is learned again.
  LearnReport learn_associations(const LearnOptions& options = LearnOptions());

  // The analyzer this database uses (its stored settings).
  const Analyzer& analyzer() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// How compact_database writes its copy.
struct CompactOptions {
  // false: leave out Xapian's term lists (each record's words, about a third
  // of a compacted database) for a copy that a Searcher on this machine
  // only searches. It ranks, explains and corrects exactly as the source
  // does, but records cannot be added to it, replaced or removed
  // (IndexWriter refuses it), pseudo-relevance feedback
  // (SearchOptions::feedback_terms) is refused, and stock xapian-tcpsrv
  // cannot serve it (its protocol reads a record's values from the term
  // list): each gives Error(kInvalidArgument). reindex_database() makes a
  // writable database of it again.
  bool term_lists = true;
};

// Writes a compacted copy of the database at `source` to `destination`
// (which must not exist); a collection of shards gives a collection of the
// same shards, each compacted. Throws Error.
ASKALIKE_EXPORT void compact_database(const std::string& source, const std::string& destination,
                                      const CompactOptions& options = CompactOptions());

// Writes the records of the collection of shards at `source` to
// `destination` (which must not exist) as one compacted database, merged by
// Xapian's compaction: the same documents with the same ranking terms, the
// spelling tables summed, so it searches as the collection does. With it a
// large load builds shards on every core, then merges them into the one
// database wanted (`askalike index --parts N`). Throws Error
// (kInvalidArgument when `source` is not a collection of local shards).
ASKALIKE_EXPORT void merge_shards(const std::string& source, const std::string& destination);

// Writes to `destination` (which must not exist) a new database holding the
// records of `source`, ranked with `ranking` (nullopt: the source's settings)
// and every record normalised by the field averages of the whole collection
// (a growing database normalises each record by the averages of the records
// before it). The analyzer settings and the learned word associations are
// kept, and a collection of shards gives a collection of as many shards.
// `progress(done, total)`, when given, is called every 1000 records and at
// the end, on the calling thread. The source's record embeddings are copied
// as they are; with `embedding_model` (a model folder, embedding.hpp) every
// record is embedded anew with that model instead (the way to add
// embeddings to a database). Throws Error.
ASKALIKE_EXPORT void reindex_database(
    const std::string& source, const std::string& destination,
    const std::optional<RankingOptions>& ranking = std::nullopt,
    const std::function<void(std::size_t done, std::size_t total)>& progress = nullptr,
    const std::string& embedding_model = std::string());
// What embed_database() did.
struct ASKALIKE_EXPORT EmbedReport {
  std::size_t embedded = 0;  // records given a vector
  std::size_t kept = 0;      // records that had one already (an earlier, interrupted run)
};

// [issue 28] Stores with every record of the database or collection at
// `path` the embedding of its title and question by the sentence-embedding
// model in folder `model_dir` (embedding.hpp), and records the model, so
// that searches re-rank by meaning: the way to add the semantic stage to a
// database without reading its source files again. Takes the database's
// write lock (Error(kDatabaseLocked) while a writer holds it). Commits
// every 1,024 records: an interrupted run keeps what it did (searches count
// a cosine of 0 for the records not done yet), and running it again does
// the rest. A database built with another model: Error(kInvalidArgument)
// (reindex_database(..., model) re-embeds every record into a copy).
// `progress` is called with (records done, records in all).
ASKALIKE_EXPORT EmbedReport embed_database(
    const std::string& path, const std::string& model_dir,
    const std::function<void(std::size_t done, std::size_t total)>& progress = {});

// What check_database() found.
struct ASKALIKE_EXPORT CheckReport {
  bool sound = false;      // no damage found
  std::size_t errors = 0;  // damage found (at least 1 when !sound)
  std::string details;     // Xapian's findings, one per line, or the error met
};

// Checks every table of the database at `path` (Xapian::Database::check):
// a damaged database gives a report with sound == false, not an exception.
// Throws Error: kNotFound (no database at `path`).
ASKALIKE_EXPORT CheckReport check_database(const std::string& path);

}  // namespace askalike

#endif  // ASKALIKE_INDEX_HPP_
