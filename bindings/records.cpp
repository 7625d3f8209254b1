// askalike._askalike: records (Record, to and from dicts), the analysis
// (question_type, Token, Analyzer) and the option keywords.
#include <algorithm>
#include <cmath>

#include "convert.hpp"

namespace askalike_py {
namespace {

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


}  // namespace

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
  if (!r.vector.empty()) d["vector"] = r.vector;
  add_extra(d, r);
  return d;
}


namespace {

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
  // allow_nan=False: a nan would become "NaN", which no JSON reader takes.
  py::object text = json_module().attr("dumps")(value, py::arg("ensure_ascii") = false,
                                                py::arg("default") = fallback, py::arg("allow_nan") = false);
  // Not .cast<std::string>(): a lone surrogate is InvalidArgumentError (issue 24).
  return utf8_of(text);
}

// [issue 24] What is wrong with one field's value in the record's own terms
// (a lone surrogate, a number that is not finite), before it becomes JSON
// whose parser's words would say it less clearly; "" when nothing is.
std::string bad_value(py::handle value) {
  if (py::isinstance<py::str>(value)) {
    try {
      utf8_of(value);
    } catch (const askalike::Error& e) {
      return e.what();
    }
  } else if (py::isinstance<py::float_>(value) && !std::isfinite(value.cast<double>())) {
    return "the number " + std::string(py::str(py::repr(value))) + " is not finite; a record's numbers must be";
  } else if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    for (py::handle item : value) {
      std::string bad = bad_value(item);
      if (!bad.empty()) return bad;
    }
  } else if (py::isinstance<py::dict>(value)) {
    for (auto item : py::reinterpret_borrow<py::dict>(value)) {
      std::string bad = bad_value(item.first);
      if (bad.empty()) bad = bad_value(item.second);
      if (!bad.empty()) return bad;
    }
  }
  return std::string();
}

void set_extra(askalike::Record& r, py::handle mapping) {
  r.extra.clear();
  if (mapping.is_none()) return;
  for (auto item : py::dict(py::reinterpret_borrow<py::object>(mapping)))
    r.extra[str_arg(item.first, "extra keys")] = dumps(item.second);
}


}  // namespace

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
  for (auto item : py::reinterpret_borrow<py::dict>(as_dict)) {
    const std::string key = py::isinstance<py::str>(item.first) && bad_value(item.first).empty()
                                ? utf8_of(item.first)
                                : std::string(py::repr(item.first));
    std::string bad = bad_value(item.first);
    if (bad.empty()) bad = bad_value(item.second);
    if (bad.empty()) continue;
    if (bad.rfind("text with a lone surrogate", 0) == 0)
      throw askalike::Error(askalike::ErrorCode::kInvalidArgument,
                            source + ":" + std::to_string(line) + ": field " + key + ": " + bad);
    throw askalike::ParseError(source, line, "field '" + key + "': " + bad);
  }
  return askalike::Record::from_json(dumps(as_dict), source, line);
}

namespace {

py::str record_repr(const askalike::Record& r) {
  std::string s = "Record(id=" + short_repr(r.id, 200);
  if (!r.title.empty()) s += ", title=" + short_repr(r.title, 60);
  if (r.title.empty() && !r.question.empty()) s += ", question=" + short_repr(r.question, 60);
  if (!r.category.empty()) s += ", category=" + short_repr(r.category, 60);
  return py::str(s + ")");
}

}  // namespace

askalike::AnalyzerOptions analyzer_options(bool fold_case, bool fold_accents, bool traditional_to_simplified,
                                           bool stop_words, bool stem, bool cjk_unigrams, bool cjk_bigrams,
                                           double cjk_unigram_weight, double cjk_bigram_weight,
                                           const std::string& default_language, std::size_t max_term_bytes) {
  askalike::AnalyzerOptions o;
  o.fold_case = fold_case;
  o.fold_accents = fold_accents;
  o.traditional_to_simplified = traditional_to_simplified;
  o.stop_words = stop_words;
  o.stem = stem;
  o.cjk_unigrams = cjk_unigrams;
  o.cjk_bigrams = cjk_bigrams;
  o.cjk_unigram_weight = cjk_unigram_weight;
  o.cjk_bigram_weight = cjk_bigram_weight;
  o.default_language = default_language;
  o.max_term_bytes = max_term_bytes;
  return o;
}

py::dict analyzer_options_to_dict(const askalike::AnalyzerOptions& o) {
  py::dict d;
  d["fold_case"] = o.fold_case;
  d["fold_accents"] = o.fold_accents;
  d["traditional_to_simplified"] = o.traditional_to_simplified;
  d["stop_words"] = o.stop_words;
  d["stem"] = o.stem;
  d["cjk_unigrams"] = o.cjk_unigrams;
  d["cjk_bigrams"] = o.cjk_bigrams;
  d["cjk_unigram_weight"] = o.cjk_unigram_weight;
  d["cjk_bigram_weight"] = o.cjk_bigram_weight;
  d["default_language"] = to_str(o.default_language);
  d["max_term_bytes"] = o.max_term_bytes;
  return d;
}

// Keyword arguments for the searches -> SearchOptions. None leaves the default.
askalike::SearchOptions search_options(py::handle k, const py::kwargs& kw) {
  askalike::SearchOptions o;
  o.k = count_arg(k, "k", askalike::kMaxK, 1);
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
    else if (key == "common_word_share") o.common_word_share = number_arg(v, key);
    else if (key == "semantic") o.semantic = bool_arg(v, key);
    else if (key == "semantic_depth") o.semantic_depth = count_arg(v, key, askalike::kMaxSemanticDepth, 1);
    else if (key == "semantic_lexical_weight") o.semantic_lexical_weight = number_arg(v, key);
    else if (key == "query_vector") {
      if (py::isinstance<py::str>(v) || py::isinstance<py::bytes>(v))
        throw py::type_error("query_vector must be a sequence of numbers");
      for (auto x : py::iter(v)) o.query_vector.push_back(static_cast<float>(number_arg(x, key)));
    }
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

void bind_records(py::module_& m) {
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
      .def_readwrite("vector", &askalike::Record::vector,
                     "The record's own embedding (list of float; empty: the database's model makes it).")
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
                       bool stop_words, bool stem, bool cjk_unigrams, bool cjk_bigrams, double cjk_unigram_weight,
                       double cjk_bigram_weight, const std::string& default_language, std::size_t max_term_bytes) {
             return askalike::Analyzer(analyzer_options(fold_case, fold_accents, traditional_to_simplified,
                                                       stop_words, stem, cjk_unigrams, cjk_bigrams,
                                                       cjk_unigram_weight, cjk_bigram_weight, default_language,
                                                       max_term_bytes));
           }),
           py::kw_only(), py::arg("fold_case") = true, py::arg("fold_accents") = true,
           py::arg("traditional_to_simplified") = true, py::arg("stop_words") = true,
           py::arg("stem") = true, py::arg("cjk_unigrams") = true, py::arg("cjk_bigrams") = true,
           py::arg("cjk_unigram_weight") = askalike::AnalyzerOptions().cjk_unigram_weight,
           py::arg("cjk_bigram_weight") = askalike::AnalyzerOptions().cjk_bigram_weight,
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
}

}  // namespace askalike_py
