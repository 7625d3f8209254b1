#include "storage/stats.hpp"

#include <algorithm>

#include "index/associations.hpp"
#include "storage/record_codec.hpp"
#include "storage/schema.hpp"

namespace askalike {

// Counts of the boolean terms with `prefix`, most frequent first.
static std::vector<FacetCount> prefix_counts(const Xapian::Database& db, const std::string& prefix) {
  std::vector<FacetCount> out;
  for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t)
    out.push_back(FacetCount{(*t).substr(prefix.size()), static_cast<std::size_t>(t.get_termfreq())});
  std::stable_sort(out.begin(), out.end(), [](const FacetCount& a, const FacetCount& b) { return a.count > b.count; });
  return out;
}

IndexStats compute_stats(const Xapian::Database& db, const std::string& path, const AnalyzerOptions& analyzer) {
  IndexStats s;
  s.path = path;
  s.analyzer = analyzer;
  s.documents = db.get_doccount();
  if (s.documents > 0) {
    // The wdfs are pseudo-frequencies: Xapian's own average length is not
    // the number of words, the field totals are.
    FieldTotals totals = schema::read_field_totals(db, path);
    double words = 0.0;
    for (std::int64_t n : totals.length) words += static_cast<double>(n);
    s.average_length = words / static_cast<double>(s.documents);
    auto averages = totals.averages();
    s.average_title_length = averages[kTitleField];
    s.average_question_length = averages[kQuestionField];
    s.average_answer_length = averages[kAnswerField];
  }
  // A database killed between its creation and its first commit holds no
  // settings yet: it reads as a new, empty one (as Searcher opens it).
  if (!db.get_metadata(schema::kRankingKey).empty()) s.ranking = schema::read_ranking(db, path).options;
  const schema::IndexFeatures features = schema::read_features(db, path);
  s.spelling = features.spelling;
  s.question_types = features.question_types;
  if (features.embedding) {
    s.embedding_model = features.embedding->identity.name;
    s.embedding_model_path = features.embedding->model_path;
    s.embedding_dimension = features.embedding->identity.dimension;
    s.vector_precision = features.embedding->precision;
  }
  auto learned = schema::settings_of(path, [&] { return associations::read_summary(db); });  // [issue 13: word associations]
  s.associations_learned_from = learned.records;
  s.association_words = learned.words;
  for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) ++s.distinct_terms;
  s.categories = prefix_counts(db, schema::kCategory);
  s.languages = prefix_counts(db, schema::kLang);
  return s;
}

void for_each_record_document(const Xapian::Database& db, const std::function<void(const Xapian::Document&)>& visit) {
  const std::string prefix = schema::kId;
  for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
    Xapian::PostingIterator p = db.postlist_begin(*t);
    if (p != db.postlist_end(*t)) visit(db.get_document(*p));
  }
}

void for_each_record_data(const Xapian::Database& db, const std::function<void(const std::string&)>& visit) {
  for_each_record_document(db, [&](const Xapian::Document& doc) { visit(doc.get_data()); });
}

void for_each_record(const Xapian::Database& db, const std::string& path,
                     const std::function<void(const Record&)>& visit) {
  RecordDecoder decoder(db, path);
  for_each_record_data(db, [&](const std::string& data) { visit(schema::record_of(decoder.json(data))); });
}

}  // namespace askalike
