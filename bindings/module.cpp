// askalike._askalike: the compiled half of the Python package `askalike`.
//
// The public names are re-exported by askalike/__init__.py; this module is
// private. Conventions:
//   - every call that runs the library for a while releases the GIL, so other
//     Python threads run meanwhile (and similar_batch uses real threads);
//   - askalike::Error becomes the askalike.Error subclass for its code (the
//     classes live in askalike/_errors.py);
//   - records go in as dicts (or Record) and come out as dicts;
//   - text coming out of the library is decoded as UTF-8 with replacement, so
//     a library bug can never turn into a UnicodeDecodeError in the caller.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <askalike/askalike.hpp>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;

// A Python object taken or returned as is, which help() and error messages
// show under a readable type name (pybind11 would say "handle"/"object").
namespace {
template <typename Tag>
struct Typed {
  py::object obj;
  operator py::handle() const { return obj; }  // NOLINT: used where a handle is
};
}  // namespace

namespace pybind11 {
namespace detail {
template <typename Tag>
struct type_caster<Typed<Tag>> {
  PYBIND11_TYPE_CASTER(Typed<Tag>, Tag::name);
  bool load(handle src, bool) {
    value.obj = reinterpret_borrow<object>(src);
    return true;
  }
  static handle cast(const Typed<Tag>& v, return_value_policy, handle) { return v.obj.inc_ref(); }
};
}  // namespace detail
}  // namespace pybind11

namespace {
// A str argument as UTF-8 (see utf8_of).
struct Text : std::string {};
std::string utf8_of(pybind11::handle s);
}  // namespace

namespace pybind11 {
namespace detail {
template <>
struct type_caster<Text> {
  PYBIND11_TYPE_CASTER(Text, const_name("str"));
  bool load(handle src, bool) {
    if (!PyUnicode_Check(src.ptr())) return false;
    static_cast<std::string&>(value) = utf8_of(src);
    return true;
  }
  static handle cast(const Text& v, return_value_policy, handle) {
    return PyUnicode_DecodeUTF8(v.data(), static_cast<Py_ssize_t>(v.size()), "replace");
  }
};
}  // namespace detail
}  // namespace pybind11

namespace {
#define ASKALIKE_PY_TYPE(NAME, TEXT) \
  struct NAME##Tag { static constexpr auto name = py::detail::const_name(TEXT); }; \
  using NAME = Typed<NAME##Tag>;
ASKALIKE_PY_TYPE(IntArg, "int")
ASKALIKE_PY_TYPE(PathArg, "str | os.PathLike[str]")
ASKALIKE_PY_TYPE(RecordArg, "dict | Record")
ASKALIKE_PY_TYPE(RecordsArg, "Iterable[dict | Record]")
ASKALIKE_PY_TYPE(TextsArg, "Iterable[str]")
ASKALIKE_PY_TYPE(StrsArg, "str | Iterable[str] | None")
ASKALIKE_PY_TYPE(DateArg, "str | datetime.date | None")
ASKALIKE_PY_TYPE(ExtraArg, "dict[str, Any] | None")
ASKALIKE_PY_TYPE(FieldMapArg, "dict[str, str] | None")
ASKALIKE_PY_TYPE(ProgressArg, "Callable[[int], object] | None")
ASKALIKE_PY_TYPE(AnyArg, "object")
ASKALIKE_PY_TYPE(RecordDictOrNone, "dict | None")
#undef ASKALIKE_PY_TYPE

using askalike::ErrorCode;

// ----------------------------------------------------------------- helpers

// UTF-8 bytes -> str, replacing invalid sequences (never raises).
py::str to_str(const std::string& s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

py::list to_str_list(const std::vector<std::string>& v) {
  py::list out;
  for (const auto& s : v) out.append(to_str(s));
  return out;
}

py::dict facet_dict(const std::vector<askalike::FacetCount>& facets) {
  py::dict d;
  for (const auto& f : facets) d[to_str(f.value)] = f.count;
  return d;
}

// The str of a str, or of an os.PathLike (for paths); anything else: TypeError.
std::string path_arg(py::handle obj, const char* what) {
  py::object p = py::module_::import("os").attr("fspath")(obj);
  if (!py::isinstance<py::str>(p))
    throw py::type_error(std::string(what) + " must be a str or os.PathLike of str");
  return p.cast<std::string>();
}

// A str as UTF-8. A str that has no UTF-8 form (a lone surrogate such as
// '\udc80', from surrogateescape decoding) raises askalike's
// InvalidArgumentError, not pybind11's "incompatible function arguments".
std::string utf8_of(py::handle s) {
  Py_ssize_t size = 0;
  const char* utf8 = PyUnicode_AsUTF8AndSize(s.ptr(), &size);
  if (!utf8) {
    PyErr_Clear();
    Py_ssize_t at = 0, n = PyUnicode_GetLength(s.ptr());
    while (at < n && !Py_UNICODE_IS_SURROGATE(PyUnicode_ReadChar(s.ptr(), at))) ++at;
    throw askalike::Error(ErrorCode::kInvalidArgument,
                          "text with a lone surrogate (at index " + std::to_string(at) +
                              ") is not valid Unicode and cannot be used; decode the input with errors='replace'");
  }
  return std::string(utf8, static_cast<std::size_t>(size));
}

std::string str_arg(py::handle v, const std::string& name) {
  if (!py::isinstance<py::str>(v))
    throw py::type_error(name + " must be a str, not " +
                         std::string(py::str(py::type::handle_of(v).attr("__name__"))));
  return utf8_of(v);
}

// A str, or a datetime.date/datetime (its isoformat() date part).
std::string date_arg(py::handle v, const std::string& name) {
  if (py::isinstance<py::str>(v)) return utf8_of(v);
  if (py::hasattr(v, "isoformat") && py::hasattr(v, "year")) {
    std::string iso = py::str(v.attr("isoformat")()).cast<std::string>();
    return iso.substr(0, 10);
  }
  throw py::type_error(name + " must be a str ('YYYY-MM-DD') or a datetime.date");
}

// One str or an iterable of str -> list of strings.
std::vector<std::string> str_list_arg(py::handle v, const std::string& name) {
  std::vector<std::string> out;
  if (py::isinstance<py::str>(v)) {
    out.push_back(utf8_of(v));
    return out;
  }
  if (!py::isinstance<py::iterable>(v))
    throw py::type_error(name + " must be a str or an iterable of str");
  for (py::handle item : v) out.push_back(str_arg(item, name + " items"));
  return out;
}

// A non-negative int of at most `max`, checked by the library's
// checked_count (the same words as the C++ options and the command line).
std::size_t count_arg(py::handle v, const std::string& name, std::size_t max = std::size_t(1) << 40,
                      std::size_t min = 0) {
  if (py::isinstance<py::bool_>(v) || !py::isinstance<py::int_>(v))
    throw py::type_error(name + " must be an int");
  return askalike::checked_count(name, v.cast<long long>(), min, max);
}

double number_arg(py::handle v, const std::string& name) {
  if (py::isinstance<py::bool_>(v) ||
      !(py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v)))
    throw py::type_error(name + " must be a number");
  return v.cast<double>();
}

bool bool_arg(py::handle v, const std::string& name) {
  if (!py::isinstance<py::bool_>(v)) throw py::type_error(name + " must be a bool");
  return v.cast<bool>();
}

std::string short_repr(const std::string& text, std::size_t max_chars) {
  py::str s = to_str(text);
  if (py::len(s) > max_chars)
    s = py::str(s[py::slice(0, static_cast<Py_ssize_t>(max_chars) - 3, 1)]) + py::str("...");
  return py::repr(s);
}

std::string fmt(double x, int digits) {
  return py::str("{:.{}f}").format(x, digits).cast<std::string>();
}

// ----------------------------------------------------------------- reprs, errors

const char* error_class_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "InvalidArgumentError";
    case ErrorCode::kParse: return "ParseError";
    case ErrorCode::kNotFound: return "NotFoundError";
    case ErrorCode::kDatabaseLocked: return "DatabaseLockedError";
    case ErrorCode::kIncompatibleVersion: return "IncompatibleVersionError";
    case ErrorCode::kCorrupt: return "CorruptDatabaseError";
    case ErrorCode::kIO: return "FileError";
    case ErrorCode::kInternal: return "InternalError";
    case ErrorCode::kUnavailable: return "UnavailableError";
    case ErrorCode::kTimeout: return "TimeoutError";
  }
  return "Error";
}

// Sets the Python error for `e` (called by pybind11 with the GIL held).
void set_python_error(const askalike::Error& e) {
  py::object errors = py::module_::import("askalike._errors");
  py::object cls = errors.attr(error_class_name(e.code()));
  py::object exc;
  if (const auto* pe = dynamic_cast<const askalike::ParseError*>(&e)) {
    exc = cls(to_str(e.what()), py::arg("source") = to_str(pe->source()),
              py::arg("line") = pe->line(), py::arg("reason") = to_str(pe->reason()));
  } else {
    exc = cls(to_str(e.what()));
  }
  PyErr_SetObject(cls.ptr(), exc.ptr());
}

[[noreturn]] void throw_closed(const char* what) {
  throw askalike::Error(ErrorCode::kInvalidArgument, std::string("operation on a closed ") + what);
}

// ----------------------------------------------------------------- records

py::object json_module() { return py::module_::import("json"); }

// The extra fields into `d`, decoded from their JSON text (kept as the raw
// text if it does not parse).
void add_extra(py::dict& d, const askalike::Record& r) {
  if (r.extra.empty()) return;
  py::object loads = json_module().attr("loads");
  for (const auto& [name, json] : r.extra) {
    py::str key = to_str(name);
    try {
      d[key] = loads(to_str(json));
    } catch (py::error_already_set&) {
      d[key] = to_str(json);
    }
  }
}

py::dict extra_to_dict(const askalike::Record& r) {
  py::dict d;
  add_extra(d, r);
  return d;
}

// Record -> dict: the standard fields, then the extra fields.
py::dict record_to_dict(const askalike::Record& r) {
  py::dict d;
  d["id"] = to_str(r.id);
  d["title"] = to_str(r.title);
  d["question"] = to_str(r.question);
  d["answer"] = to_str(r.answer);
  d["category"] = to_str(r.category);
  d["tags"] = to_str_list(r.tags);
  d["lang"] = to_str(r.lang);
  d["url"] = to_str(r.url);
  d["date"] = to_str(r.date);
  d["group"] = to_str(r.group);
  add_extra(d, r);
  return d;
}

// json.dumps for values the caller gives us: dates become ISO text.
std::string dumps(py::handle value) {
  static const char* kDefault = "isoformat";
  py::cpp_function fallback([](py::handle o) -> py::object {
    if (py::hasattr(o, kDefault)) return o.attr(kDefault)();
    if (py::isinstance<py::set>(o) || py::isinstance<py::frozenset>(o)) return py::list(py::reinterpret_borrow<py::object>(o));
    throw py::type_error("value of type " +
                         std::string(py::str(py::type::handle_of(o).attr("__name__"))) +
                         " cannot be stored in a record (use str, int, float, bool, None, "
                         "list or dict)");
  });
  py::object text =
      json_module().attr("dumps")(value, py::arg("ensure_ascii") = false, py::arg("default") = fallback);
  // Not .cast<std::string>(): a lone surrogate must raise UnicodeEncodeError,
  // as it would anywhere else in Python, not pybind11's vague cast error.
  Py_ssize_t size = 0;
  const char* utf8 = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
  if (!utf8) throw py::error_already_set();
  return std::string(utf8, static_cast<std::size_t>(size));
}

void set_extra(askalike::Record& r, py::handle mapping) {
  r.extra.clear();
  if (mapping.is_none()) return;
  for (auto item : py::dict(py::reinterpret_borrow<py::object>(mapping)))
    r.extra[str_arg(item.first, "extra keys")] = dumps(item.second);
}

// A dict (any mapping) or a Record -> Record. A dict is validated exactly as
// a line of a JSON Lines file is: same rules, same ParseError messages.
askalike::Record record_from_py(py::handle obj, const std::string& source, std::size_t line) {
  if (py::isinstance<askalike::Record>(obj)) return obj.cast<askalike::Record>();
  py::object mapping_type = py::module_::import("collections.abc").attr("Mapping");
  if (!py::isinstance(obj, mapping_type))
    throw py::type_error("a record is a dict or an askalike.Record, not " +
                         std::string(py::str(py::type::handle_of(obj).attr("__name__"))));
  py::object as_dict = py::isinstance<py::dict>(obj) ? py::reinterpret_borrow<py::object>(obj)
                                                    : py::object(py::dict(py::reinterpret_borrow<py::object>(obj)));
  return askalike::Record::from_json(dumps(as_dict), source, line);
}

py::str record_repr(const askalike::Record& r) {
  std::string s = "Record(id=" + short_repr(r.id, 200);
  if (!r.title.empty()) s += ", title=" + short_repr(r.title, 60);
  if (r.title.empty() && !r.question.empty()) s += ", question=" + short_repr(r.question, 60);
  if (!r.category.empty()) s += ", category=" + short_repr(r.category, 60);
  return py::str(s + ")");
}

// ----------------------------------------------------------------- options

py::dict analyzer_options_to_dict(const askalike::AnalyzerOptions& o) {
  py::dict d;
  d["fold_case"] = o.fold_case;
  d["fold_accents"] = o.fold_accents;
  d["traditional_to_simplified"] = o.traditional_to_simplified;
  d["stop_words"] = o.stop_words;
  d["stem"] = o.stem;
  d["cjk_unigrams"] = o.cjk_unigrams;
  d["cjk_bigrams"] = o.cjk_bigrams;
  d["default_language"] = to_str(o.default_language);
  d["max_term_bytes"] = o.max_term_bytes;
  return d;
}

// Keyword arguments for the searches -> SearchOptions. None leaves the default.
askalike::SearchOptions search_options(py::handle k, const py::kwargs& kw) {
  askalike::SearchOptions o;
  o.k = count_arg(k, "k", askalike::kMaxK);
  for (auto item : kw) {
    std::string key = item.first.cast<std::string>();
    py::handle v = item.second;
    if (v.is_none()) continue;
    if (key == "offset") o.offset = count_arg(v, key, askalike::kMaxOffset);
    else if (key == "min_score") o.min_score = number_arg(v, key);
    else if (key == "categories") o.categories = str_list_arg(v, key);
    else if (key == "tags") o.tags = str_list_arg(v, key);
    else if (key == "lang") o.lang = str_arg(v, key);
    else if (key == "group") o.group = str_arg(v, key);
    else if (key == "since") o.since = date_arg(v, key);
    else if (key == "until") o.until = date_arg(v, key);
    else if (key == "exclude") o.exclude_id = str_arg(v, key);
    else if (key == "bm25_k1") o.bm25_k1 = number_arg(v, key);
    else if (key == "title_weight" || key == "question_weight" || key == "answer_weight" || key == "bm25_b")
      throw py::type_error(key + " is a database setting, applied when records are indexed: give it to "
                           "Index(...) for a new database, or rebuild with askalike.reindex(source, "
                           "destination, " + key + "=...)");
    else if (key == "max_query_terms") o.max_query_terms = count_arg(v, key, askalike::kMaxQueryTerms, 1);
    else if (key == "max_query_bytes") o.max_query_bytes = count_arg(v, key);
    else if (key == "snippets") o.snippets = bool_arg(v, key);
    else if (key == "snippet_length") o.snippet_length = count_arg(v, key);
    else if (key == "highlight") {
      auto marks = str_list_arg(v, key);
      if (py::isinstance<py::str>(v) || marks.size() != 2)
        throw py::value_error("highlight must be a pair of str: (open, close)");
      o.highlight_open = marks[0];
      o.highlight_close = marks[1];
    } else if (key == "facets") o.facets = bool_arg(v, key);
    else if (key == "facet_depth") o.facet_depth = count_arg(v, key);
    else if (key == "max_topics") o.max_topics = count_arg(v, key);
    else if (key == "spelling") o.spelling = bool_arg(v, key);
    else if (key == "question_type_weight") o.question_type_weight = number_arg(v, key);
    else if (key == "max_associations") o.max_associations = count_arg(v, key, askalike::kMaxAddedTerms);
    else if (key == "association_weight") o.association_weight = number_arg(v, key);
    else if (key == "feedback_terms") o.feedback_terms = count_arg(v, key, askalike::kMaxAddedTerms);
    else if (key == "feedback_documents") o.feedback_documents = count_arg(v, key, askalike::kMaxFeedbackDocuments, 1);
    else if (key == "feedback_weight") o.feedback_weight = number_arg(v, key);
    else
      throw py::type_error("unexpected keyword argument '" + key + "'");
  }
  return o;
}

// The ranking keywords (title_weight, question_weight, answer_weight,
// bm25_b; None = unchanged) applied to `base`; nullopt when none was given.
std::optional<askalike::RankingOptions> ranking_options(askalike::RankingOptions base, const py::kwargs& kw) {
  bool any = false;
  for (auto item : kw) {
    std::string key = item.first.cast<std::string>();
    py::handle v = item.second;
    if (key == "title_weight") { if (!v.is_none()) base.title_weight = number_arg(v, key), any = true; }
    else if (key == "question_weight") { if (!v.is_none()) base.question_weight = number_arg(v, key), any = true; }
    else if (key == "answer_weight") { if (!v.is_none()) base.answer_weight = number_arg(v, key), any = true; }
    else if (key == "bm25_b") { if (!v.is_none()) base.bm25_b = number_arg(v, key), any = true; }
    else throw py::type_error("unexpected keyword argument '" + key + "'");
  }
  if (!any) return std::nullopt;
  return base;
}

py::dict ranking_options_to_dict(const askalike::RankingOptions& o) {
  py::dict d;
  d["title_weight"] = o.title_weight;
  d["question_weight"] = o.question_weight;
  d["answer_weight"] = o.answer_weight;
  d["bm25_b"] = o.bm25_b;
  return d;
}

// ----------------------------------------------------------------- Index

// The writer. IndexWriter is not thread-safe, so every use takes `mu_`, and
// always after releasing the GIL (never the other way round: no deadlock).
class PyIndex {
 public:
  PyIndex(py::handle path, bool create, const askalike::AnalyzerOptions& analyzer,
          const std::optional<askalike::RankingOptions>& ranking, std::optional<unsigned> shards,
          unsigned max_changesets, bool spelling, bool question_types)
      : path_(path_arg(path, "path")) {
    askalike::IndexOptions options;
    options.analyzer = analyzer;
    options.ranking = ranking;
    options.create_if_missing = create;
    options.shards = shards;
    options.max_changesets = max_changesets;
    options.spelling = spelling;
    options.question_types = question_types;
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

// ----------------------------------------------------------------- Searcher

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

// ===================================================================== module

PYBIND11_MODULE(_askalike, m) {
  m.doc() = "The compiled core of askalike (private: import askalike instead).";
  // The classes are public as askalike.X: register them under that name (it
  // is what help(), signatures, reprs and pickle show); restored at the end.
  py::object own_name = m.attr("__name__");
  m.attr("__name__") = "askalike";

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const askalike::Error& e) {
      set_python_error(e);
    }
  });

  m.def(
      "reindex",
      [](const PathArg& source, const PathArg& destination, const py::kwargs& kw) {
        std::string from = path_arg(source, "source"), to = path_arg(destination, "destination");
        askalike::RankingOptions stored;
        {
          py::gil_scoped_release nogil;
          stored = askalike::Searcher(from).stats().ranking;
        }
        std::optional<askalike::RankingOptions> ranking = ranking_options(stored, kw);
        py::gil_scoped_release nogil;
        askalike::reindex_database(from, to, ranking);
      },
      py::arg("source"), py::arg("destination"),
      "Writes to `destination` (which must not exist) a new database with the records of "
      "`source`, ranked with the given keywords (title_weight, question_weight, "
      "answer_weight, bm25_b; the others as `source` has them) and every record normalised "
      "by the field averages of the whole collection. `source` is left as it is.");
  m.def("version", [] { return std::string(askalike::version()); },
        "The version of the askalike C++ library this module was built with.");
  m.def(
      "question_type", [](const Text& text) { return to_str(askalike::question_type(text)); },
      py::arg("text"),
      "The type of question `text` asks ('information', 'symptoms', 'treatment', 'causes', "
      "'outlook', 'exams and tests', 'inheritance', ...: MedQuAD's types), or '' when no rule "
      "recognises one. English and Chinese wording.");

  // ---------------------------------------------------------------- Record
  py::class_<askalike::Record>(m, "Record", R"doc(
One question with its answer: the unit that is indexed and returned.

Only ``id`` is required; at least one of ``title`` and ``question`` should
hold text. ``extra`` keeps any other field (JSON-compatible values). Records
go into an Index as a ``Record`` or as a plain dict with the same keys, and
come back from searches as dicts (``Record.to_dict()``).
)doc")
      .def(py::init([](const Text& id, const Text& title, const Text& question,
                       const Text& answer, const Text& category, const StrsArg& tags,
                       const Text& lang, const Text& url, const DateArg& date,
                       const Text& group, const ExtraArg& extra) {
             askalike::Record r;
             r.id = id;
             r.title = title;
             r.question = question;
             r.answer = answer;
             r.category = category;
             if (!tags.obj.is_none()) r.tags = str_list_arg(tags, "tags");
             r.lang = lang;
             r.url = url;
             if (!date.obj.is_none()) r.date = date_arg(date, "date");
             r.group = group;
             set_extra(r, extra);
             return r;
           }),
           py::arg("id"), py::kw_only(), py::arg("title") = "", py::arg("question") = "",
           py::arg("answer") = "", py::arg("category") = "", py::arg("tags") = py::none(),
           py::arg("lang") = "", py::arg("url") = "", py::arg("date") = py::none(),
           py::arg("group") = "", py::arg("extra") = py::none(),
           "Makes a record; every field but ``id`` is keyword-only and optional.")
      .def_readwrite("id", &askalike::Record::id, "Unique within a database (at most 200 bytes).")
      .def_readwrite("title", &askalike::Record::title, "Headline or focus of the question.")
      .def_readwrite("question", &askalike::Record::question, "The asker's text.")
      .def_readwrite("answer", &askalike::Record::answer, "The reply (may be empty).")
      .def_readwrite("category", &askalike::Record::category, "Department, forum section or source.")
      .def_property(
          "tags", [](const askalike::Record& r) { return to_str_list(r.tags); },
          [](askalike::Record& r, py::handle v) { r.tags = str_list_arg(v, "tags"); },
          "Tags (a list of str; assign a new list to change them).")
      .def_readwrite("lang", &askalike::Record::lang, "ISO 639-1 language; '' = the index's default.")
      .def_readwrite("url", &askalike::Record::url, "Where the record comes from.")
      .def_property(
          "date", [](const askalike::Record& r) { return to_str(r.date); },
          [](askalike::Record& r, py::handle v) { r.date = date_arg(v, "date"); },
          "'YYYY-MM-DD' (or a prefix such as 'YYYY'); a datetime.date may be assigned.")
      .def_readwrite("group", &askalike::Record::group, "Re-ranking set (searches may keep to one).")
      .def_property("extra", &extra_to_dict, &set_extra,
                    "Other fields: a dict of JSON-compatible values (a copy; assign to change).")
      .def("to_dict", &record_to_dict, "The record as a dict: the fields, then the extra fields.")
      .def_static(
          "from_dict",
          [](const AnyArg& d) { return record_from_py(d, "<dict>", 1); }, py::arg("data"),
          "Makes a record from a dict, validated like a JSON Lines record (raises ParseError).")
      .def("to_json", [](const askalike::Record& r) { return to_str(r.to_json()); },
           "The record as one line of JSON.")
      .def_static(
          "from_json",
          [](const Text& text) { return askalike::Record::from_json(text, "<string>", 1); },
          py::arg("text"), "Parses one JSON object (raises ParseError).")
      .def("__eq__",
           [](const askalike::Record& a, const AnyArg& b) -> py::object {
             if (!py::isinstance<askalike::Record>(b.obj)) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
             return py::bool_(a == b.obj.cast<const askalike::Record&>());
           })
      .def("__repr__", &record_repr)
      .def(py::pickle([](const askalike::Record& r) { return py::make_tuple(to_str(r.to_json())); },
                      [](py::tuple t) {
                        return askalike::Record::from_json(t[0].cast<std::string>(), "<pickle>", 1);
                      }));
  // Records are mutable and compare by value: not hashable.
  m.attr("Record").attr("__hash__") = py::none();

  // ---------------------------------------------------------------- Analyzer
  py::class_<askalike::Token>(m, "Token", "One word of a text: its index term and where it stands.")
      .def_property_readonly("term", [](const askalike::Token& t) { return to_str(t.term); },
                             "The normalised (and stemmed) index term.")
      .def_readonly("start", &askalike::Token::begin,
                    "Index in the analysed str of the word's first character.")
      .def_readonly("end", &askalike::Token::end, "Index one past the word's last character.")
      .def_readonly("bigram", &askalike::Token::bigram,
                    "True for a CJK character bigram rather than a word.")
      .def("__repr__", [](const askalike::Token& t) {
        return "Token(" + std::string(py::repr(to_str(t.term))) + ", start=" +
               std::to_string(t.begin) + ", end=" + std::to_string(t.end) +
               (t.bigram ? ", bigram=True)" : ")");
      });

  py::class_<askalike::Analyzer>(m, "Analyzer", R"doc(
The text analysis that indexes and queries share: NFKC, case and accent
folding, word segmentation (dictionary-based for Chinese, Japanese, Thai...),
stop words and stemming. Use it to see how a text is indexed.
An Index or Searcher uses the settings stored in its database; its
``analyzer`` attribute gives an Analyzer with exactly those settings.
)doc")
      .def(py::init([](bool fold_case, bool fold_accents, bool traditional_to_simplified,
                       bool stop_words, bool stem, bool cjk_unigrams, bool cjk_bigrams,
                       const std::string& default_language, std::size_t max_term_bytes) {
             askalike::AnalyzerOptions o;
             o.fold_case = fold_case;
             o.fold_accents = fold_accents;
             o.traditional_to_simplified = traditional_to_simplified;
             o.stop_words = stop_words;
             o.stem = stem;
             o.cjk_unigrams = cjk_unigrams;
             o.cjk_bigrams = cjk_bigrams;
             o.default_language = default_language;
             o.max_term_bytes = max_term_bytes;
             return askalike::Analyzer(o);
           }),
           py::kw_only(), py::arg("fold_case") = true, py::arg("fold_accents") = true,
           py::arg("traditional_to_simplified") = false, py::arg("stop_words") = true,
           py::arg("stem") = true, py::arg("cjk_unigrams") = true, py::arg("cjk_bigrams") = true,
           py::arg("default_language") = "en", py::arg("max_term_bytes") = 64,
           "Makes an analyzer with these settings (the defaults of a new Index).")
      .def_property_readonly(
          "options", [](const askalike::Analyzer& a) { return analyzer_options_to_dict(a.options()); },
          "The settings, as a dict of the constructor's keywords.")
      .def("normalize",
           [](const askalike::Analyzer& a, const Text& text) { return to_str(a.normalize(text)); },
           py::arg("text"), "The text after Unicode, case, accent and script folding.")
      .def(
          "tokens",
          [](const askalike::Analyzer& a, const Text& text, const Text& lang) {
            std::vector<askalike::Token> tokens = a.tokens(text, lang);
            // Byte offsets -> str indices: count the UTF-8 lead bytes before each.
            std::vector<std::size_t> chars(text.size() + 1, 0);
            for (std::size_t i = 0; i < text.size(); ++i)
              chars[i + 1] = chars[i] + ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80);
            for (auto& t : tokens) {
              t.begin = chars[std::min(t.begin, text.size())];
              t.end = chars[std::min(t.end, text.size())];
            }
            return tokens;
          },
          py::arg("text"), py::arg("lang") = "",
          "The index terms of `text` in order, with their positions in it. `lang` picks the "
          "stop words and stemmer ('' = the default language).")
      .def(
          "terms",
          [](const askalike::Analyzer& a, const Text& text, const Text& lang) {
            return to_str_list(a.terms(text, lang));
          },
          py::arg("text"), py::arg("lang") = "", "Only the terms of tokens().")
      .def("__repr__", [](const askalike::Analyzer& a) {
        return "Analyzer(**" + std::string(py::repr(analyzer_options_to_dict(a.options()))) + ")";
      });

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

  // ---------------------------------------------------------------- results
  py::class_<askalike::Hit>(m, "Hit", "One similar record, with why it matched.")
      .def_readonly("rank", &askalike::Hit::rank, "1-based position, counting the offset.")
      .def_property_readonly("id", [](const askalike::Hit& h) { return to_str(h.id); },
                             "The record's id.")
      .def_readonly("score", &askalike::Hit::score,
                    "BM25 score; comparable within one result list only.")
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
      .def("__repr__", [](const askalike::Results& r) {
        std::string s = "<Results " + std::to_string(r.hits.size()) + " hits of ~" +
                        std::to_string(r.estimated_matches);
        for (std::size_t i = 0; i < r.hits.size() && i < 3; ++i)
          s += (i ? ", " : ": ") + short_repr(r.hits[i].id, 40) + " " + fmt(r.hits[i].score, 2);
        if (r.hits.size() > 3) s += ", ...";
        return s + ">";
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
                       bool cjk_bigrams,
                       const std::string& default_language, std::size_t max_term_bytes,
                       const py::object& shards, const IntArg& max_changesets, bool spelling, bool question_types,
                       const py::kwargs& ranking) {
             askalike::AnalyzerOptions o;
             o.fold_case = fold_case;
             o.fold_accents = fold_accents;
             o.traditional_to_simplified = traditional_to_simplified;
             o.stop_words = stop_words;
             o.stem = stem;
             o.cjk_unigrams = cjk_unigrams;
             o.cjk_bigrams = cjk_bigrams;
             o.default_language = default_language;
             o.max_term_bytes = max_term_bytes;
             std::optional<unsigned> shard_count;
             if (!shards.is_none())
               shard_count = static_cast<unsigned>(count_arg(shards, "shards", askalike::kMaxShards, 1));
             auto changesets =
                 static_cast<unsigned>(count_arg(max_changesets, "max_changesets", askalike::kMaxChangesets));
             return std::make_unique<PyIndex>(path, create, o, ranking_options(askalike::RankingOptions(), ranking),
                                              shard_count, changesets, spelling, question_types);
           }),
           py::arg("path"), py::kw_only(), py::arg("create") = true,
           py::arg("fold_case") = defaults.fold_case, py::arg("fold_accents") = defaults.fold_accents,
           py::arg("traditional_to_simplified") = defaults.traditional_to_simplified,
           py::arg("stop_words") = defaults.stop_words, py::arg("stem") = defaults.stem,
           py::arg("cjk_unigrams") = defaults.cjk_unigrams, py::arg("cjk_bigrams") = defaults.cjk_bigrams,
           py::arg("default_language") = defaults.default_language,
           py::arg("max_term_bytes") = defaults.max_term_bytes, py::arg("shards") = py::none(),
           py::arg("max_changesets") = 0, py::arg("spelling") = true, py::arg("question_types") = true,
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
           "(for 'did you mean' corrections) and mark each record with its question type.")
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
           "Loads a file or directory: JSON Lines, CSV, TSV or Q&A pages ('auto': from the name), "
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
max_query_bytes, spelling (bool: search misspelt words as the collection's
spelling too), question_type_weight (bonus for records asking the same type of
question; 0: off),
snippets, snippet_length, highlight (a pair of str), facets, facet_depth,
max_topics, max_associations, association_weight, feedback_terms,
feedback_documents, feedback_weight.
)doc")
      .def(py::init([](const PathArg& path, const IntArg& refresh_interval_ms, const IntArg& timeout_ms) {
             askalike::SearcherOptions options;
             options.refresh_interval_ms =
                 static_cast<unsigned>(count_arg(refresh_interval_ms, "refresh_interval_ms", askalike::kMaxTimeoutMs));
             options.timeout_ms = static_cast<unsigned>(count_arg(timeout_ms, "timeout_ms", askalike::kMaxTimeoutMs));
             return std::make_unique<PySearcher>(path, options);
           }),
           py::arg("path"), py::kw_only(), py::arg("refresh_interval_ms") = 0,
           py::arg("timeout_ms") = askalike::SearcherOptions().timeout_ms,
           "Opens the database, collection of shards or stub file at `path` for searching "
           "(NotFoundError when there is none). "
           "refresh_interval_ms: how often a search checks for newer commits and moves to them "
           "(0 = never: the state when opened, or of reopen()). A commit never makes a search fail. "
           "timeout_ms: for remote shards (xapian-tcpsrv), the longest wait to connect and for "
           "each answer (0: for ever); a server that does not answer in time raises TimeoutError, "
           "one that is down UnavailableError.")
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

  m.attr("__name__") = own_name;
}
