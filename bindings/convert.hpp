// askalike._askalike (private): what every part of the Python module shares.
// The argument types that help() shows by a readable name, and the
// conversions between Python values and askalike's (str as UTF-8, paths,
// counts checked by the library, records to and from dicts, options).
#ifndef ASKALIKE_BINDINGS_CONVERT_HPP_
#define ASKALIKE_BINDINGS_CONVERT_HPP_

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <askalike/askalike.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace askalike_py {
namespace py = pybind11;

// A Python object taken or returned as is, which help() and error messages
// show under a readable type name (pybind11 would say "handle"/"object").
template <typename Tag>
struct Typed {
  py::object obj;
  operator py::handle() const { return obj; }  // NOLINT: used where a handle is
};

// A str argument as UTF-8 (see utf8_of).
struct Text : std::string {};
std::string utf8_of(py::handle s);
}  // namespace askalike_py

namespace pybind11 {
namespace detail {
template <typename Tag>
struct type_caster<askalike_py::Typed<Tag>> {
  PYBIND11_TYPE_CASTER(askalike_py::Typed<Tag>, Tag::name);
  bool load(handle src, bool) {
    value.obj = reinterpret_borrow<object>(src);
    return true;
  }
  static handle cast(const askalike_py::Typed<Tag>& v, return_value_policy, handle) { return v.obj.inc_ref(); }
};

template <>
struct type_caster<askalike_py::Text> {
  PYBIND11_TYPE_CASTER(askalike_py::Text, const_name("str"));
  bool load(handle src, bool) {
    if (!PyUnicode_Check(src.ptr())) return false;
    static_cast<std::string&>(value) = askalike_py::utf8_of(src);
    return true;
  }
  static handle cast(const askalike_py::Text& v, return_value_policy, handle) {
    return PyUnicode_DecodeUTF8(v.data(), static_cast<Py_ssize_t>(v.size()), "replace");
  }
};
}  // namespace detail
}  // namespace pybind11

namespace askalike_py {
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

// ---- values (convert.cpp)

// UTF-8 bytes -> str, replacing invalid sequences (never raises).
py::str to_str(const std::string& s);
py::list to_str_list(const std::vector<std::string>& v);
py::dict facet_dict(const std::vector<askalike::FacetCount>& facets);
// The str of a str, or of an os.PathLike (for paths); anything else: TypeError.
std::string path_arg(py::handle obj, const char* what);
std::string str_arg(py::handle v, const std::string& name);
// A str, or a datetime.date/datetime (its isoformat() date part).
std::string date_arg(py::handle v, const std::string& name);
// One str or an iterable of str -> list of strings.
std::vector<std::string> str_list_arg(py::handle v, const std::string& name);
// A non-negative int of at most `max`, checked by the library's
// checked_count (the same words as the C++ options and the command line).
std::size_t count_arg(py::handle v, const std::string& name, std::size_t max = std::size_t(1) << 40,
                      std::size_t min = 0);
double number_arg(py::handle v, const std::string& name);
bool bool_arg(py::handle v, const std::string& name);
std::string short_repr(const std::string& text, std::size_t max_chars);
std::string fmt(double x, int digits);

// ---- errors (errors.cpp)

// askalike::Error -> the askalike.Error subclass of its code (askalike/_errors.py).
void bind_errors(py::module_& m);
[[noreturn]] void throw_closed(const char* what);

// ---- records and options (records.cpp)

// Record -> dict: the standard fields, then the extra fields.
py::dict record_to_dict(const askalike::Record& r);
// A dict (any mapping) or a Record -> Record, validated as a JSON Lines line is.
askalike::Record record_from_py(py::handle obj, const std::string& source, std::size_t line);
// The analyzer keywords of Analyzer(...) and Index(...).
askalike::AnalyzerOptions analyzer_options(bool fold_case, bool fold_accents, bool traditional_to_simplified,
                                           bool stop_words, bool stem, bool cjk_unigrams, bool cjk_bigrams,
                                           double cjk_unigram_weight, double cjk_bigram_weight,
                                           const std::string& default_language, std::size_t max_term_bytes);
py::dict analyzer_options_to_dict(const askalike::AnalyzerOptions& o);
// Keyword arguments for the searches -> SearchOptions. None leaves the default.
askalike::SearchOptions search_options(py::handle k, const py::kwargs& kw);
// The ranking keywords applied to `base`; nullopt when none was given.
std::optional<askalike::RankingOptions> ranking_options(askalike::RankingOptions base, const py::kwargs& kw);
py::dict ranking_options_to_dict(const askalike::RankingOptions& o);

// ---- the classes, registered in this order by module.cpp
void bind_records(py::module_& m);   // records.cpp: question_type, Record, Token, Analyzer
void bind_index(py::module_& m);     // index.cpp: IndexStats, BadLine, IngestReport, Index, reindex
void bind_searcher(py::module_& m);  // searcher.cpp: Hit, ..., Results, Searcher
void bind_embedding(py::module_& m);  // embedding.cpp: ModelIdentity, EmbeddingModel, cosine

}  // namespace askalike_py

#endif  // ASKALIKE_BINDINGS_CONVERT_HPP_
