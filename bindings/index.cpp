// askalike._askalike: the writer (Index), its reports and reindex().
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "convert.hpp"

namespace askalike_py {
namespace {

using askalike::ErrorCode;

// Index(wait_lock=SECONDS) as IndexOptions::wait_lock_ms, checked.
unsigned wait_lock_ms_arg(py::handle v) {
  const double s = number_arg(v, "wait_lock");
  if (!(s >= 0 && s <= askalike::kMaxTimeoutMs / 1000))
    throw askalike::Error(ErrorCode::kInvalidArgument, "wait_lock must be a number of seconds within 0.." +
                                                           std::to_string(askalike::kMaxTimeoutMs / 1000));
  return static_cast<unsigned>(s * 1000);
}

// The writer. IndexWriter is not thread-safe, so every use takes `mu_`, and
// always after releasing the GIL (never the other way round: no deadlock).
class PyIndex {
 public:
  PyIndex(py::handle path, bool create, const askalike::AnalyzerOptions& analyzer,
          const std::optional<askalike::RankingOptions>& ranking, std::optional<unsigned> shards,
          unsigned max_changesets, bool spelling, bool question_types, const std::string& model,
          std::size_t embedding_dimension, unsigned wait_lock_ms, askalike::VectorPrecision vector_precision)
      : path_(path_arg(path, "path")) {
    askalike::IndexOptions options;
    options.analyzer = analyzer;
    options.ranking = ranking;
    options.create_if_missing = create;
    options.shards = shards;
    options.max_changesets = max_changesets;
    options.spelling = spelling;
    options.question_types = question_types;
    options.embedding_model = model;
    options.embedding_dimension = embedding_dimension;
    options.wait_lock_ms = wait_lock_ms;
    options.vector_precision = vector_precision;
    py::gil_scoped_release nogil;
    writer_ = std::make_unique<askalike::IndexWriter>(path_, options);
  }

  // Runs f(writer) without the GIL, holding the writer's lock.
  template <typename F>
  auto run(F&& f) -> decltype(f(std::declval<askalike::IndexWriter&>())) {
    py::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mu_);
    if (!writer_) throw_closed("Index");
    return f(*writer_);
  }

  // Commits (or rolls back) and releases the database's lock. Idempotent.
  void close(bool commit) {
    py::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mu_);
    if (!writer_) return;
    std::unique_ptr<askalike::IndexWriter> w = std::move(writer_);
    if (commit) w->commit();  // on failure `w` is dropped: uncommitted work is discarded
    else w->rollback();
  }

  bool closed() {
    py::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mu_);
    return !writer_;
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::mutex mu_;
  std::unique_ptr<askalike::IndexWriter> writer_;
};

askalike::IngestReport add_many(PyIndex& self, const RecordsArg& records, std::size_t batch_size) {
  if (py::isinstance<py::str>(records.obj) || py::isinstance<py::dict>(records.obj) ||
      py::isinstance<askalike::Record>(records.obj))
    throw py::type_error("add_many() takes an iterable of records; use add() for one record");
  if (batch_size == 0) batch_size = 1;
  askalike::IngestReport report;
  std::vector<askalike::Record> batch;
  std::size_t n = 0;
  auto flush = [&] {
    self.run([&](askalike::IndexWriter& w) {
      for (const auto& r : batch) {
        if (w.upsert(r)) ++report.replaced;
        else ++report.added;
        ++report.read;
      }
      return 0;
    });
    batch.clear();
  };
  for (py::handle item : records.obj) {
    batch.push_back(record_from_py(item, "<add_many>", ++n));
    if (batch.size() >= batch_size) flush();
  }
  if (!batch.empty()) flush();
  return report;
}

askalike::IngestReport add_file(PyIndex& self, const PathArg& path, const Text& format,
                                const Text& encoding, bool skip_bad_lines,
                                const FieldMapArg& field_map, const IntArg& batch_size,
                                const IntArg& threads, const ProgressArg& progress, const AnyArg& max_line_bytes,
                                const AnyArg& max_record_bytes, const AnyArg& max_fields) {
  askalike::ReadOptions read;
  read.format = askalike::parse_input_format(format);
  read.encoding = encoding;
  read.skip_bad_lines = skip_bad_lines;
  if (!field_map.obj.is_none()) {
    for (auto item : py::dict(field_map.obj))
      read.field_map[str_arg(item.first, "field_map keys")] =
          str_arg(item.second, "field_map values");
  }
  if (!max_line_bytes.obj.is_none()) read.limits.max_line_bytes = count_arg(max_line_bytes, "max_line_bytes");
  if (!max_record_bytes.obj.is_none())
    read.limits.max_record_bytes = count_arg(max_record_bytes, "max_record_bytes");
  if (!max_fields.obj.is_none()) read.limits.max_fields = count_arg(max_fields, "max_fields");
  std::string file = path_arg(path, "path");

  askalike::IngestOptions ingest;
  ingest.skip_bad_lines = skip_bad_lines;
  if (std::size_t batch = count_arg(batch_size, "batch_size"); batch > 0) ingest.batch_size = batch;
  ingest.threads = static_cast<unsigned>(count_arg(threads, "threads", askalike::kMaxThreads));
  ingest.progress_every = 1000;
  // The callback runs on this thread without the GIL: take it, call the
  // user's function (if any) and look for Ctrl-C; a Python exception stops
  // the load and is raised once the GIL is back.
  std::optional<py::error_already_set> failure;
  py::object user_progress = progress.obj;
  ingest.progress = [&failure, &user_progress](std::size_t count) {
    py::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (!user_progress.is_none()) user_progress(count);
    } catch (py::error_already_set& e) {
      failure.emplace(std::move(e));
      throw askalike::Error(ErrorCode::kInternal, "load stopped by a Python exception");
    }
  };
  std::string guessed;
  askalike::IngestReport report;
  try {
    report = self.run([&](askalike::IndexWriter& w) {
      std::unique_ptr<askalike::RecordSource> source = askalike::open_records(file, read);
      askalike::IngestReport r = w.ingest(*source, ingest);
      guessed = source->guessed_encoding();
      return r;
    });
  } catch (...) {
    if (failure) throw *failure;
    throw;
  }
  // A guessed encoding may be wrong: say which, as the command line does.
  if (!guessed.empty()) {
    std::string message = file + ": read as " + guessed + " (guessed; if the text came out wrong, pass encoding=)";
    if (PyErr_WarnEx(PyExc_UserWarning, message.c_str(), 1) != 0) throw py::error_already_set();
  }
  return report;
}

}  // namespace

void bind_index(py::module_& m) {
  // ---------------------------------------------------------------- reports
  py::class_<askalike::IndexStats>(m, "IndexStats", "What a database holds.")
      .def_readonly("documents", &askalike::IndexStats::documents, "Number of records.")
      .def_readonly("distinct_terms", &askalike::IndexStats::distinct_terms,
                    "Distinct index terms, all fields.")
      .def_readonly("average_length", &askalike::IndexStats::average_length,
                    "Terms per record, on average.")
      .def_property_readonly("categories",
                             [](const askalike::IndexStats& s) { return facet_dict(s.categories); },
                             "{category: records}, most frequent first.")
      .def_property_readonly("languages",
                             [](const askalike::IndexStats& s) { return facet_dict(s.languages); },
                             "{language: records}, most frequent first.")
      .def_property_readonly(
          "analyzer", [](const askalike::IndexStats& s) { return analyzer_options_to_dict(s.analyzer); },
          "The analyzer settings the database was built with (a dict).")
      .def_property_readonly(
          "ranking", [](const askalike::IndexStats& s) { return ranking_options_to_dict(s.ranking); },
          "The ranking settings the database was built with (a dict: title_weight, "
          "question_weight, answer_weight, bm25_b).")
      .def_readonly("spelling", &askalike::IndexStats::spelling,
                    "Whether the database keeps a spelling table (False for a database from "
                    "before it: rebuild with askalike.reindex() to enable).")
      .def_property_readonly("embedding_model",
                             [](const askalike::IndexStats& s) { return to_str(s.embedding_model); },
                             "The sentence-embedding model whose vectors the records carry ('' when none).")
      .def_property_readonly("embedding_model_path",
                             [](const askalike::IndexStats& s) { return to_str(s.embedding_model_path); },
                             "The folder that model was loaded from when the database was built.")
      .def_readonly("embedding_dimension", &askalike::IndexStats::embedding_dimension,
                    "Length of the records' embeddings (0 when none).")
      .def_property_readonly(
          "vector_precision",
          [](const askalike::IndexStats& s) {
            return s.vector_precision == askalike::VectorPrecision::kInt8 ? "int8" : "float32";
          },
          "How the database stores new vectors: 'int8' or 'float32' (databases from before it: 'float32').")
      .def_readonly("question_types", &askalike::IndexStats::question_types,
                    "Whether records carry their question type (False: rebuild to enable).")
      .def_readonly("associations_learned_from", &askalike::IndexStats::associations_learned_from,
                    "Records the word associations were learned from (0: none; Index.learn_associations()).")
      .def_readonly("association_words", &askalike::IndexStats::association_words,
                    "Query words that have learned associations.")
      .def_property_readonly("path", [](const askalike::IndexStats& s) { return to_str(s.path); },
                             "The database directory.")
      .def("__repr__", [](const askalike::IndexStats& s) {
        return "IndexStats(documents=" + std::to_string(s.documents) +
               ", distinct_terms=" + std::to_string(s.distinct_terms) +
               ", average_length=" + fmt(s.average_length, 1) +
               ", categories=" + std::to_string(s.categories.size()) +
               ", path=" + std::string(py::repr(to_str(s.path))) + ")";
      });

  py::class_<askalike::BadLine>(m, "BadLine", "An input record that was skipped, and why.")
      .def_property_readonly("source", [](const askalike::BadLine& b) { return to_str(b.source); },
                             "The file (or stream name).")
      .def_readonly("line", &askalike::BadLine::line, "Its line number (1-based).")
      .def_property_readonly("reason", [](const askalike::BadLine& b) { return to_str(b.reason); },
                             "What was wrong with it.")
      .def("__repr__", [](const askalike::BadLine& b) {
        return "BadLine(" + std::string(py::repr(to_str(b.source))) + ", line=" +
               std::to_string(b.line) + ", reason=" + std::string(py::repr(to_str(b.reason))) + ")";
      });

  py::class_<askalike::IngestReport>(m, "IngestReport", "What a load (add_many, add_file) did.")
      .def_readonly("read", &askalike::IngestReport::read, "Records read without error.")
      .def_readonly("added", &askalike::IngestReport::added, "Records with a new id.")
      .def_readonly("replaced", &askalike::IngestReport::replaced,
                    "Records whose id was already in the database.")
      .def_readonly("skipped", &askalike::IngestReport::skipped, "Bad lines skipped.")
      .def_readonly("bad_lines", &askalike::IngestReport::bad_lines,
                    "The skipped lines (list of BadLine).")
      .def("__repr__", [](const askalike::IngestReport& r) {
        return "IngestReport(read=" + std::to_string(r.read) + ", added=" + std::to_string(r.added) +
               ", replaced=" + std::to_string(r.replaced) + ", skipped=" + std::to_string(r.skipped) +
               ")";
      });

  // ---------------------------------------------------------------- Index
  const askalike::AnalyzerOptions defaults;
  py::class_<PyIndex>(m, "Index", R"doc(
The writer of a database: add, replace and remove records, then commit.

Only one Index (in any process) may hold a database at a time; a second
raises DatabaseLockedError. Changes become visible to searchers at commit().
As a context manager it commits when the block ends normally and rolls back
everything since the last commit when the block raises; either way it then
closes. One Index may be used from several threads: calls are serialised.
)doc")
      .def(py::init([](const PathArg& path, bool create, bool fold_case, bool fold_accents,
                       bool traditional_to_simplified, bool stop_words, bool stem, bool cjk_unigrams,
                       bool cjk_bigrams, double cjk_unigram_weight, double cjk_bigram_weight,
                       const std::string& default_language, std::size_t max_term_bytes,
                       const py::object& shards, const IntArg& max_changesets, bool spelling, bool question_types,
                       const py::object& model, const IntArg& embedding_dimension, const AnyArg& wait_lock,
                       const std::string& vector_precision, const py::kwargs& ranking) {
             if (vector_precision != "int8" && vector_precision != "float32")
               throw askalike::Error(askalike::ErrorCode::kInvalidArgument,
                                     "vector_precision is 'int8' or 'float32', not '" + vector_precision + "'");
             askalike::AnalyzerOptions o =
                 analyzer_options(fold_case, fold_accents, traditional_to_simplified, stop_words, stem,
                                  cjk_unigrams, cjk_bigrams, cjk_unigram_weight, cjk_bigram_weight, default_language,
                                  max_term_bytes);
             std::optional<unsigned> shard_count;
             if (!shards.is_none())
               shard_count = static_cast<unsigned>(count_arg(shards, "shards", askalike::kMaxShards, 1));
             auto changesets =
                 static_cast<unsigned>(count_arg(max_changesets, "max_changesets", askalike::kMaxChangesets));
             return std::make_unique<PyIndex>(path, create, o, ranking_options(askalike::RankingOptions(), ranking),
                                              shard_count, changesets, spelling, question_types,
                                              model.is_none() ? std::string() : path_arg(model, "model"),
                                              count_arg(embedding_dimension, "embedding_dimension", 65536),
                                              wait_lock_ms_arg(wait_lock),
                                              vector_precision == "int8" ? askalike::VectorPrecision::kInt8
                                                                         : askalike::VectorPrecision::kFloat32);
           }),
           py::arg("path"), py::kw_only(), py::arg("create") = true,
           py::arg("fold_case") = defaults.fold_case, py::arg("fold_accents") = defaults.fold_accents,
           py::arg("traditional_to_simplified") = defaults.traditional_to_simplified,
           py::arg("stop_words") = defaults.stop_words, py::arg("stem") = defaults.stem,
           py::arg("cjk_unigrams") = defaults.cjk_unigrams, py::arg("cjk_bigrams") = defaults.cjk_bigrams,
           py::arg("cjk_unigram_weight") = defaults.cjk_unigram_weight,
           py::arg("cjk_bigram_weight") = defaults.cjk_bigram_weight,
           py::arg("default_language") = defaults.default_language,
           py::arg("max_term_bytes") = defaults.max_term_bytes, py::arg("shards") = py::none(),
           py::arg("max_changesets") = 0, py::arg("spelling") = true, py::arg("question_types") = true,
           py::arg("model") = py::none(), py::arg("embedding_dimension") = 0, py::arg("wait_lock") = 0,
           py::arg("vector_precision") = "int8",
           "Opens the database directory `path`, creating it when missing (unless "
           "create=False: NotFoundError). The analyzer keywords apply to a new database only; "
           "an existing one keeps the settings it was built with. The ranking keywords "
           "title_weight, question_weight, answer_weight (defaults 1, 1, 0.1) and bm25_b (0.75) "
           "are also settings of a new database; on an existing one they must be its own "
           "(InvalidArgumentError): change them with askalike.reindex(). shards=N (N > 1) "
           "makes a new database a collection of N shards, each record in the shard its id "
           "hashes to (None: one database, or an existing collection's own count). "
           "max_changesets=N keeps the changesets of the last N commits for replicas "
           "(xapian-replicate-server). spelling and "
           "question_types (a new database only): keep a spelling table of the records' words "
           "(for 'did you mean' corrections) and mark each record with its question type. "
           "model: a sentence-embedding model folder (see EmbeddingModel); a new database stores "
           "every record's embedding for the semantic re-ranking, a database built with a model "
           "loads the folder it records unless given another holding the same model. "
           "embedding_dimension=N: a new database without a model stores the vectors its records "
           "carry (\"vector\": N numbers), for a model of yours; searches re-rank when given "
           "query_vector=. wait_lock=SECONDS: when another writer holds the database, wait up to "
           "SECONDS for it (0: DatabaseLockedError at once); a running service's writes stand aside "
           "for a writer that waits. vector_precision (a new database): 'int8' stores each vector in "
           "one byte a dimension and a scale (a quarter of the size), 'float32' as the model gives it "
           "(the exact ranking).")
      .def_property_readonly("path", [](const PyIndex& self) { return to_str(self.path()); },
                             "The database directory.")
      .def_property_readonly("closed", &PyIndex::closed, "True after close().")
      .def(
          "add",
          [](PyIndex& self, const RecordArg& record) {
            askalike::Record r = record_from_py(record, "<record>", 1);
            return self.run([&](askalike::IndexWriter& w) { return w.upsert(r); });
          },
          py::arg("record"),
          "Adds a record (dict or Record), replacing the one with the same id. Returns True "
          "when one was replaced. Visible to searchers after commit().")
      .def("add_many", &add_many, py::arg("records"), py::kw_only(), py::arg("batch_size") = 1000,
           "Adds every record of an iterable (dicts or Records), like add() for each; does not "
           "commit. A bad record raises ParseError naming its position; the ones before it stay "
           "added (uncommitted). Returns an IngestReport.")
      .def("add_file", &add_file, py::arg("path"), py::kw_only(), py::arg("format") = "auto",
           py::arg("encoding") = "auto", py::arg("skip_bad_lines") = false,
           py::arg("field_map") = py::none(), py::arg("batch_size") = 0, py::arg("threads") = 0,
           py::arg("progress") = py::none(), py::arg("max_line_bytes") = py::none(),
           py::arg("max_record_bytes") = py::none(), py::arg("max_fields") = py::none(),
           "Loads a file or directory: JSON Lines, CSV, TSV, Q&A pages or 'lines' (one question per "
           "line, the id a hash of its text) ('auto': from the name; a .txt file without a page's marks "
           "is lines), "
           "in any encoding ICU knows ('auto': detected). Commits every batch_size records "
           "(0 = the library's default) and at the end, so a failed load keeps the records "
           "before the bad one. max_line_bytes, max_record_bytes, max_fields: limits on the input "
           "(None = the library's defaults); input past them is a bad record. field_map maps record fields to CSV columns. threads: how many "
           "threads to use (0 = one per core, 1 = this thread only); the records are stored in file "
           "order whatever the number, so the result is the same. "
           "progress(count) is called every 1000 records. Returns an IngestReport.")
      .def(
          "remove",
          [](PyIndex& self, const Text& id) {
            return self.run([&](askalike::IndexWriter& w) { return w.remove(id); });
          },
          py::arg("id"), "Removes the record with this id; False when there was none.")
      .def(
          "commit",
          [](PyIndex& self) { self.run([](askalike::IndexWriter& w) { w.commit(); return 0; }); },
          "Makes every change since the last commit durable and visible.")
      .def(
          "rollback",
          [](PyIndex& self) { self.run([](askalike::IndexWriter& w) { w.rollback(); return 0; }); },
          "Discards every change since the last commit.")
      .def(
          "get",
          [](PyIndex& self, const Text& id) -> RecordDictOrNone {
            askalike::Record r;
            bool found = self.run([&](askalike::IndexWriter& w) { return w.get(id, r); });
            if (!found) return {py::none()};
            return {record_to_dict(r)};
          },
          py::arg("id"), "The record with this id (committed or not) as a dict, or None.")
      .def(
          "__contains__",
          [](PyIndex& self, const Text& id) {
            askalike::Record r;
            return self.run([&](askalike::IndexWriter& w) { return w.get(id, r); });
          },
          py::arg("id"), "True when a record has this id (committed or not).")
      .def(
          "__len__",
          [](PyIndex& self) {
            return self.run([](askalike::IndexWriter& w) { return w.stats().documents; });
          },
          "Number of records (committed or not).")
      .def(
          "stats", [](PyIndex& self) { return self.run([](askalike::IndexWriter& w) { return w.stats(); }); },
          "Counts, facets and settings of the database (an IndexStats).")
      .def(
          "learn_associations",
          [](PyIndex& self, const IntArg& per_word, const IntArg& min_records, const IntArg& answer_words) {
            askalike::LearnOptions o;
            if (!per_word.obj.is_none()) o.per_word = count_arg(per_word.obj, "per_word", askalike::kMaxAssociationsPerWord, 1);
            if (!min_records.obj.is_none()) o.min_records = count_arg(min_records.obj, "min_records", std::size_t(1) << 32, 1);
            if (!answer_words.obj.is_none()) o.answer_words = count_arg(answer_words.obj, "answer_words", 10000, 1);
            askalike::LearnReport r = self.run([&](askalike::IndexWriter& w) { return w.learn_associations(o); });
            py::dict d;
            d["records"] = r.records;
            d["words"] = r.words;
            d["associations"] = r.associations;
            d["bytes"] = r.bytes;
            return d;
          },
          py::kw_only(), py::arg("per_word") = py::none(), py::arg("min_records") = py::none(),
          py::arg("answer_words") = py::none(),
          "Learns from the records' questions and answers which words go with which, stores them "
          "in the database (replacing those learned before) and commits. Searches add some with "
          "max_associations=N. Returns {records, words, associations, bytes}.")
      .def_property_readonly(
          "analyzer",
          [](PyIndex& self) {
            return self.run([](askalike::IndexWriter& w) { return askalike::Analyzer(w.analyzer()); });
          },
          "An Analyzer with the database's settings.")
      .def(
          "close", [](PyIndex& self) { self.close(true); },
          "Commits pending changes and releases the database (call rollback() first to discard "
          "them). Further calls raise InvalidArgumentError; closing again does nothing. An Index "
          "garbage-collected without close() discards what was not committed.")
      .def("__enter__", [](py::object self) { return self; }, "Returns self.")
      .def(
          "__exit__",
          [](PyIndex& self, const AnyArg& exc_type, const AnyArg&, const AnyArg&) {
            self.close(exc_type.obj.is_none());
            return false;
          },
          py::arg("exc_type"), py::arg("exc_value"), py::arg("traceback"),
          "Commits (or, when the block raised, rolls back), then closes.")
      .def("__repr__", [](PyIndex& self) {
        return "<askalike.Index " + std::string(py::repr(to_str(self.path()))) +
               (self.closed() ? " closed>" : ">");
      });

  m.def(
      "reindex",
      [](const PathArg& source, const PathArg& destination, const py::object& model, const py::kwargs& kw) {
        std::string from = path_arg(source, "source"), to = path_arg(destination, "destination");
        const std::string model_dir = model.is_none() ? std::string() : path_arg(model, "model");
        askalike::RankingOptions stored;
        {
          py::gil_scoped_release nogil;
          stored = askalike::Searcher(from).stats().ranking;
        }
        std::optional<askalike::RankingOptions> ranking = ranking_options(stored, kw);
        py::gil_scoped_release nogil;
        askalike::reindex_database(from, to, ranking, nullptr, model_dir);
      },
      py::arg("source"), py::arg("destination"), py::kw_only(), py::arg("model") = py::none(),
      "Writes to `destination` (which must not exist) a new database with the records of "
      "`source`, ranked with the given keywords (title_weight, question_weight, "
      "answer_weight, bm25_b; the others as `source` has them) and every record normalised "
      "by the field averages of the whole collection. `source` is left as it is. The records' "
      "embeddings are copied; model=DIR embeds every record anew with that model.");

  m.def(
      "compact",
      [](const PathArg& source, const PathArg& destination, bool search_only) {
        std::string from = path_arg(source, "source"), to = path_arg(destination, "destination");
        askalike::CompactOptions options;
        options.term_lists = !search_only;
        py::gil_scoped_release nogil;
        askalike::compact_database(from, to, options);
      },
      py::arg("source"), py::arg("destination"), py::kw_only(), py::arg("search_only") = false,
      "Writes a compacted copy of `source` to `destination` (which must not exist); `source` is "
      "left as it is. search_only=True leaves out Xapian's term lists (about a third of the copy): "
      "it ranks exactly as `source`, but cannot be added to, gives no feedback and cannot be served "
      "by xapian-tcpsrv (InvalidArgumentError).");
}

}  // namespace askalike_py
