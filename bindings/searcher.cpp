// askalike._askalike: the Searcher and the results it returns.
#include <algorithm>
#include <iterator>
#include <memory>
#include <utility>

#include "convert.hpp"

namespace askalike_py {
namespace {

// Searcher is thread-safe; the shared_ptr lets close() and reopen() swap it
// while calls on other threads finish with the one they started with.
class PySearcher {
 public:
  PySearcher(py::handle path, const askalike::SearcherOptions& options)
      : path_(path_arg(path, "path")), options_(options) {
    py::gil_scoped_release nogil;
    searcher_ = std::make_shared<const askalike::Searcher>(path_, options_);
  }

  std::shared_ptr<const askalike::Searcher> get() const {
    if (!searcher_) throw_closed("Searcher");
    return searcher_;
  }

  void reopen() {
    get();
    std::shared_ptr<const askalike::Searcher> fresh;
    {
      py::gil_scoped_release nogil;
      fresh = std::make_shared<const askalike::Searcher>(path_, options_);
    }
    searcher_ = std::move(fresh);
  }

  void close() { searcher_.reset(); }
  bool closed() const { return !searcher_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  askalike::SearcherOptions options_;
  std::shared_ptr<const askalike::Searcher> searcher_;
};

std::vector<std::string> texts_arg(py::handle texts) {
  if (py::isinstance<py::str>(texts))
    throw py::type_error("similar_batch() takes an iterable of str; use similar() for one text");
  return str_list_arg(texts, "texts");
}

std::string hit_repr(const askalike::Hit& h) {
  std::string s = "Hit(rank=" + std::to_string(h.rank) + ", id=" + short_repr(h.id, 200) +
                  ", score=" + fmt(h.score, 3) + ", confidence=" + fmt(h.confidence, 2);
  const std::string& label = h.record.title.empty() ? h.record.question : h.record.title;
  if (!label.empty()) s += std::string(h.record.title.empty() ? ", question=" : ", title=") +
                           short_repr(label, 60);
  return s + ")";
}


}  // namespace

void bind_searcher(py::module_& m) {
  // ---------------------------------------------------------------- results
  py::class_<askalike::Hit>(m, "Hit", "One similar record, with why it matched.")
      .def_readonly("rank", &askalike::Hit::rank, "1-based position, counting the offset.")
      .def_property_readonly("id", [](const askalike::Hit& h) { return to_str(h.id); },
                             "The record's id.")
      .def_readonly("score", &askalike::Hit::score,
                    "The score ranked by: BM25F, or with the semantic stage cosine + "
                    "semantic_lexical_weight x BM25F / best; comparable within one result list only.")
      .def_readonly("lexical_score", &askalike::Hit::lexical_score, "BM25F score of the words alone.")
      .def_readonly("semantic_similarity", &askalike::Hit::semantic_similarity,
                    "Cosine (-1..1) of the query's and the record's embeddings when the semantic stage "
                    "ranked this hit, else 0.")
      .def_readonly("confidence", &askalike::Hit::confidence,
                    "0..1: the share of the query's weight this record matches.")
      .def_property_readonly("record", [](const askalike::Hit& h) { return record_to_dict(h.record); },
                             "The stored record, as a dict.")
      .def_property_readonly("snippet",
                             [](const askalike::Hit& h) { return to_str(h.question_snippet); },
                             "Highlighted passage of the title and question.")
      .def_property_readonly("answer_snippet",
                             [](const askalike::Hit& h) { return to_str(h.answer_snippet); },
                             "Highlighted passage of the answer.")
      .def_property_readonly("matched_terms",
                             [](const askalike::Hit& h) { return to_str_list(h.matched_terms); },
                             "The query terms found in this record.")
      .def("__repr__", &hit_repr);

  py::class_<askalike::RelatedTopic>(m, "RelatedTopic",
                                     "A topic that recurs among the similar records.")
      .def_property_readonly("topic", [](const askalike::RelatedTopic& t) { return to_str(t.topic); },
                             "A title shared by several hits.")
      .def_property_readonly("category",
                             [](const askalike::RelatedTopic& t) { return to_str(t.category); },
                             "Its most frequent category.")
      .def_readonly("count", &askalike::RelatedTopic::count, "Hits with this topic.")
      .def("__repr__", [](const askalike::RelatedTopic& t) {
        return "RelatedTopic(" + std::string(py::repr(to_str(t.topic))) +
               ", category=" + std::string(py::repr(to_str(t.category))) +
               ", count=" + std::to_string(t.count) + ")";
      });

  py::class_<askalike::QueryTerm>(m, "QueryTerm", "A term the search looked for.")
      .def_property_readonly("term", [](const askalike::QueryTerm& q) { return to_str(q.term); },
                             "The index term.")
      .def_readonly("weight", &askalike::QueryTerm::weight,
                    "Its selection weight (frequency in the query x idf).")
      .def("__repr__", [](const askalike::QueryTerm& q) {
        return "QueryTerm(" + std::string(py::repr(to_str(q.term))) + ", weight=" + fmt(q.weight, 3) +
               ")";
      });

  py::class_<askalike::SpellingCorrection>(m, "SpellingCorrection",
                                           "A query word searched as another spelling too.")
      .def_property_readonly("word", [](const askalike::SpellingCorrection& c) { return to_str(c.word); },
                             "The word as typed.")
      .def_property_readonly("correction",
                             [](const askalike::SpellingCorrection& c) { return to_str(c.correction); },
                             "The collection's spelling, searched as well.")
      .def("__repr__", [](const askalike::SpellingCorrection& c) {
        return "SpellingCorrection(" + std::string(py::repr(to_str(c.word))) + ", " +
               std::string(py::repr(to_str(c.correction))) + ")";
      });

  py::class_<askalike::Results>(m, "Results", R"doc(
The answer to one search: a sequence of Hit (best first) plus facets.

``len(results)``, ``results[0]`` and ``for hit in results`` work on the hits.
)doc")
      .def("__len__", [](const askalike::Results& r) { return r.hits.size(); }, "Number of hits.")
      .def(
          "__iter__",
          [](const askalike::Results& r) { return py::make_iterator(r.hits.begin(), r.hits.end()); },
          py::keep_alive<0, 1>(), "The hits, best first.")
      .def(
          "__getitem__",
          [](const askalike::Results& r, Py_ssize_t i) -> const askalike::Hit& {
            const auto n = static_cast<Py_ssize_t>(r.hits.size());
            if (i < 0) i += n;
            if (i < 0 || i >= n) throw py::index_error("hit index out of range");
            return r.hits[static_cast<std::size_t>(i)];
          },
          py::return_value_policy::reference_internal, py::arg("index"),
          "The hit at this position (negative counts from the end).")
      .def_property_readonly(
          "hits", [](py::object self) {
            const auto& r = self.cast<const askalike::Results&>();
            py::list out;
            for (const auto& h : r.hits)
              out.append(py::cast(&h, py::return_value_policy::reference_internal, self));
            return out;
          },
          "The hits, best first (a list of Hit).")
      .def_readonly("estimated_matches", &askalike::Results::estimated_matches,
                    "Estimated number of records matching at least one query term.")
      .def_property_readonly("categories",
                             [](const askalike::Results& r) { return facet_dict(r.categories); },
                             "{category: hits} over the top hits, most frequent first.")
      .def_readonly("related_topics", &askalike::Results::related_topics,
                    "Recurring topics among the hits (list of RelatedTopic).")
      .def_readonly("query_terms", &askalike::Results::query_terms,
                    "The terms searched for, strongest first (list of QueryTerm).")
      .def_readonly("corrections", &askalike::Results::corrections,
                    "Query words also searched as another spelling ('did you mean'; list of "
                    "SpellingCorrection).")
      .def_property_readonly("question_type", [](const askalike::Results& r) { return to_str(r.question_type); },
                             "The query's question type when the ranking used it, else ''.")
      .def_readonly("added_terms", &askalike::Results::added_terms,
                    "Words added to the query (associations, then feedback), each with the share of a "
                    "query word's weight it was given (list of QueryTerm).")
      .def_readonly("semantic", &askalike::Results::semantic,
                    "Whether the semantic stage re-ranked the hits (a database with embeddings).")
      .def("__repr__", [](const askalike::Results& r) {
        std::string s = "<Results " + std::to_string(r.hits.size()) + " hits of ~" +
                        std::to_string(r.estimated_matches);
        for (std::size_t i = 0; i < r.hits.size() && i < 3; ++i)
          s += (i ? ", " : ": ") + short_repr(r.hits[i].id, 40) + " " + fmt(r.hits[i].score, 2);
        if (r.hits.size() > 3) s += ", ...";
        return s + ">";
      });

  // ---------------------------------------------------------------- Searcher
  py::class_<PySearcher>(m, "Searcher", R"doc(
Finds the records most similar to a question, in one database.

Thread-safe: one Searcher may serve many Python threads at once, and every
search releases the GIL. It sees the database as of when it was opened or
last reopen()ed (or refreshed: refresh_interval_ms). A writer committing
meanwhile never makes a search fail.

Search keywords (all optional, None = default): offset, min_score,
categories, tags (a str or a list: any of them), lang, group, since, until
('YYYY-MM-DD' or datetime.date), exclude (an id), bm25_k1, max_query_terms,
max_query_bytes, common_word_share (a word in more of the records counts only
beside a rarer one; 1: the exact ranking), spelling (bool: search misspelt words as the collection's
spelling too), question_type_weight (bonus for records asking the same type of
question; 0: off),
snippets, snippet_length, highlight (a pair of str), facets, facet_depth,
max_topics, max_associations, association_weight, feedback_terms,
feedback_documents, feedback_weight, semantic (bool: in a database built with
an embedding model, rank the best records by words again by meaning),
semantic_depth (how many: 20, or 200 for a question in Chinese),
semantic_lexical_weight (the words' share: 0.2).
)doc")
      .def(py::init([](const PathArg& path, const IntArg& refresh_interval_ms, const IntArg& timeout_ms,
                       bool parallel_shards, const IntArg& parallel_min_postings, const py::object& model) {
             askalike::SearcherOptions options;
             options.parallel_shards = parallel_shards;
             options.parallel_min_postings = count_arg(parallel_min_postings, "parallel_min_postings");
             if (!model.is_none()) options.embedding_model = path_arg(model, "model");
             options.refresh_interval_ms =
                 static_cast<unsigned>(count_arg(refresh_interval_ms, "refresh_interval_ms", askalike::kMaxTimeoutMs));
             options.timeout_ms = static_cast<unsigned>(count_arg(timeout_ms, "timeout_ms", askalike::kMaxTimeoutMs));
             return std::make_unique<PySearcher>(path, options);
           }),
           py::arg("path"), py::kw_only(), py::arg("refresh_interval_ms") = 0,
           py::arg("timeout_ms") = askalike::SearcherOptions().timeout_ms, py::arg("parallel_shards") = true,
           py::arg("parallel_min_postings") = askalike::SearcherOptions().parallel_min_postings,
           py::arg("model") = py::none(),
           "Opens the database, collection of shards or stub file at `path` for searching "
           "(NotFoundError when there is none). "
           "refresh_interval_ms: how often a search checks for newer commits and moves to them "
           "(0 = never: the state when opened, or of reopen()). A commit never makes a search fail. "
           "timeout_ms: for remote shards (xapian-tcpsrv), the longest wait to connect and for "
           "each answer (0: for ever); a server that does not answer in time raises TimeoutError, "
           "one that is down UnavailableError. "
           "parallel_shards: search the local shards of a collection on a thread each at once "
           "(up to the cores; the same hits and scores as one after another, which False asks for). "
           "parallel_min_postings: only for a query whose words have at least this many postings in all "
           "(0: every query; a shorter one costs less on one thread). "
           "model: for a database built with a sentence-embedding model, its folder when it is no "
           "longer where the database was built from (the same model).")
      .def_property_readonly("path", [](const PySearcher& self) { return to_str(self.path()); },
                             "The database directory.")
      .def_property_readonly("closed", &PySearcher::closed, "True after close().")
      .def(
          "similar",
          [](const PySearcher& self, const Text& text, const IntArg& k, const py::kwargs& kw) {
            askalike::SearchOptions o = search_options(k, kw);
            auto s = self.get();
            py::gil_scoped_release nogil;
            return s->similar(text, o);
          },
          py::arg("text"), py::arg("k") = 10,
          "The k records most similar to `text` (a Results). See the class doc for the "
          "search keywords.")
      .def(
          "more_like",
          [](const PySearcher& self, const Text& id, const IntArg& k, const py::kwargs& kw) {
            askalike::SearchOptions o = search_options(k, kw);
            auto s = self.get();
            py::gil_scoped_release nogil;
            return s->more_like(id, o);
          },
          py::arg("id"), py::arg("k") = 10,
          "The k records most similar to the stored record `id`, itself excluded "
          "(NotFoundError when there is none).")
      .def(
          "similar_batch",
          [](const PySearcher& self, const TextsArg& texts, const IntArg& k, const IntArg& threads,
             const py::kwargs& kw) {
            std::vector<std::string> all = texts_arg(texts);
            askalike::SearchOptions o = search_options(k, kw);
            std::size_t n = count_arg(threads, "threads", askalike::kMaxThreads);
            auto s = self.get();
            // In chunks, so that Ctrl-C (checked between chunks, with the GIL)
            // stops a long batch within a fraction of a second.
            const std::size_t chunk = std::max<std::size_t>(256, 32 * std::max<std::size_t>(n, 8));
            std::vector<askalike::Results> out;
            out.reserve(all.size());
            for (std::size_t start = 0; start < all.size(); start += chunk) {
              std::vector<std::string> part(std::make_move_iterator(all.begin() + start),
                                            std::make_move_iterator(all.begin() + std::min(all.size(), start + chunk)));
              std::vector<askalike::Results> done;
              {
                py::gil_scoped_release nogil;
                done = s->similar_batch(part, o, n);
              }
              for (auto& r : done) out.push_back(std::move(r));
              if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            }
            return out;
          },
          py::arg("texts"), py::arg("k") = 10, py::kw_only(), py::arg("threads") = 0,
          "similar() for each text, run on `threads` threads (0 = one per core) without the "
          "GIL. Returns a list of Results in the order of `texts`, each equal to similar()'s.")
      .def(
          "similarity",
          [](const PySearcher& self, const Text& a, const Text& b) {
            auto s = self.get();
            py::gil_scoped_release nogil;
            return s->similarity(a, b);
          },
          py::arg("a"), py::arg("b"),
          "How alike two texts are, 0..1, either way round: the mean of the BM25 score of each text "
          "against the other over its score against itself, each word weighed by its idf in this "
          "database squared, stop words with a fixed idf; 0.6 times as much for two questions of "
          "different types (question_type).")
      .def(
          "get",
          [](const PySearcher& self, const Text& id) -> RecordDictOrNone {
            auto s = self.get();
            askalike::Record r;
            bool found;
            {
              py::gil_scoped_release nogil;
              found = s->get(id, r);
            }
            if (!found) return {py::none()};
            return {record_to_dict(r)};
          },
          py::arg("id"), "The stored record with this id as a dict, or None.")
      .def(
          "__contains__",
          [](const PySearcher& self, const Text& id) {
            auto s = self.get();
            askalike::Record r;
            py::gil_scoped_release nogil;
            return s->get(id, r);
          },
          py::arg("id"), "True when a record has this id.")
      .def("__len__",
           [](const PySearcher& self) {
             auto s = self.get();
             py::gil_scoped_release nogil;
             return s->stats().documents;
           },
           "Number of records.")
      .def(
          "stats",
          [](const PySearcher& self) {
            auto s = self.get();
            py::gil_scoped_release nogil;
            return s->stats();
          },
          "Counts, facets and settings of the database (an IndexStats).")
      .def(
          "associations",
          [](const PySearcher& self, const Text& word) {
            auto s = self.get();
            std::vector<askalike::Association> learned;
            {
              py::gil_scoped_release nogil;
              learned = s->associations(word);
            }
            py::list out;
            for (const auto& a : learned) out.append(py::make_tuple(to_str(a.term), a.strength));
            return out;
          },
          py::arg("word"),
          "The words this database learned to go with `word` (Index.learn_associations), "
          "strongest first: a list of (term, strength).")
      .def("reopen", &PySearcher::reopen, "See the latest committed state of the database.")
      .def("close", &PySearcher::close,
           "Releases the database (searches running on other threads finish first). "
           "Further calls raise InvalidArgumentError.")
      .def("__enter__", [](py::object self) { return self; }, "Returns self.")
      .def(
          "__exit__",
          [](PySearcher& self, const AnyArg&, const AnyArg&, const AnyArg&) {
            self.close();
            return false;
          },
          py::arg("exc_type"), py::arg("exc_value"), py::arg("traceback"), "Closes.")
      .def("__repr__", [](const PySearcher& self) {
        return "<askalike.Searcher " + std::string(py::repr(to_str(self.path()))) +
               (self.closed() ? " closed>" : ">");
      });

}

}  // namespace askalike_py
