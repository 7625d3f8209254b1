#include "index/document.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <unordered_map>

#include "askalike/error.hpp"
#include "analysis/question_type.hpp"
#include "embedding/vectors.hpp"
#include "storage/schema.hpp"
#include "search/spelling.hpp"

namespace askalike {

std::string id_term(const std::string& id) {
  if (id.empty()) throw Error(ErrorCode::kInvalidArgument, "a record needs a non-empty id");
  if (id.size() > schema::kMaxIdBytes)
    throw Error(ErrorCode::kInvalidArgument, "record id longer than " + std::to_string(schema::kMaxIdBytes) +
                                                 " bytes: " + id.substr(0, 40) + "...");
  return schema::kId + id;
}

std::string filter_term(const char* prefix, const std::string& value) {
  std::string term = prefix + value;
  if (term.size() > 240) {
    std::size_t n = 240;
    while (n > 0 && (static_cast<unsigned char>(term[n]) & 0xC0) == 0x80) --n;
    term.resize(n);
  }
  return term;
}

namespace {

const std::string& language_of(const Record& r, const Analyzer& analyzer) {
  return r.lang.empty() ? analyzer.options().default_language : r.lang;
}

// The record's ranked fields, in the order of FieldLengths.
std::array<const std::string*, kFieldCount> texts_of(const Record& r) { return {&r.title, &r.question, &r.answer}; }

// [issue 24] A long text is analysed in slices of about kSliceBytes, each
// cut after a space or line end followed by an ASCII letter or digit: no
// word, CJK run or combining sequence straddles a cut, so the counts are
// those of the whole text, while only one slice's tokens and ICU buffers live
// at once (an 8 MB answer held about 300 MB of them). A text with no such
// place within a slice's length is analysed whole from there.
constexpr std::size_t kSliceBytes = std::size_t(1) << 16;

std::size_t slice_end(std::string_view text, std::size_t from) {
  if (text.size() - from <= 2 * kSliceBytes) return text.size();
  const std::size_t last = std::min(text.size() - 1, from + 2 * kSliceBytes);
  for (std::size_t i = from + kSliceBytes; i < last; ++i) {
    const char c = text[i];
    if ((c == ' ' || c == '\n') && std::isalnum(static_cast<unsigned char>(text[i + 1])) &&
        static_cast<unsigned char>(text[i + 1]) < 0x80)
      return i + 1;
  }
  return text.size();
}

}  // namespace

AnalysedRecord analyse_record(const Record& r, Analyzer& analyzer, const schema::IndexFeatures& features) {
  AnalysedRecord out;
  Xapian::Document& doc = out.doc;
  doc.add_boolean_term(id_term(r.id));
  doc.add_value(schema::kIdSlot, r.id);
  const std::string& lang = language_of(r, analyzer);
  std::unordered_map<std::string, std::size_t> word_index;
  const auto texts = texts_of(r);
  for (int f = 0; f < kFieldCount; ++f) {
    const std::string_view text = *texts[f];
    for (std::size_t from = 0, to = 0; from < text.size(); from = to) {
      to = slice_end(text, from);
      const std::string_view slice = text.substr(from, to - from);
      std::vector<Token> tokens = analyzer.tokens(slice, lang);
      if (features.spelling) {
        collect_spelling_words(slice, tokens, out.spelling_words);
        // Only which words occur counts (the spelling table counts records).
        if (from > 0 || to < text.size()) {
          std::sort(out.spelling_words.begin(), out.spelling_words.end());
          out.spelling_words.erase(std::unique(out.spelling_words.begin(), out.spelling_words.end()),
                                   out.spelling_words.end());
        }
      }
      for (Token& t : tokens) {
        auto [it, inserted] = word_index.emplace(std::move(t.term), out.words.size());
        if (inserted) out.words.emplace_back(it->first, FieldLengths{});
        ++out.words[it->second].second[f];
        ++out.lengths[f];
      }
    }
  }
  doc.add_value(schema::kFieldLengthsSlot, schema::encode_field_lengths(out.lengths));
  if (features.spelling_terms) {
    // Boolean terms: no weight, no length; a term's frequency is the number
    // of records holding the word, as the spelling table counted.
    for (const std::string& word : out.spelling_words) doc.add_boolean_term(schema::kSpellingWord + word);
    out.spelling_words.clear();
  }
  if (features.question_types) out.question_type = record_question_type(r.title, r.question);
  if (!r.category.empty()) {
    doc.add_boolean_term(filter_term(schema::kCategory, r.category));
    doc.add_value(schema::kCategorySlot, r.category);
  }
  doc.add_boolean_term(filter_term(schema::kLang, lang));
  for (const std::string& tag : r.tags)
    if (!tag.empty()) doc.add_boolean_term(filter_term(schema::kTag, tag));
  if (!r.group.empty()) doc.add_boolean_term(filter_term(schema::kGroup, r.group));
  if (!r.date.empty()) doc.add_value(schema::kDateSlot, r.date);
  if (!r.title.empty()) doc.add_value(schema::kTitleSlot, r.title);
  // [issue 28] The costliest step of a record by far: it runs here, on the
  // analysing threads of a parallel load.
  if (!r.vector.empty()) {
    // The record's own vector (Record::vector): kept in the value slot only.
    if (!features.embedding)
      throw Error(ErrorCode::kInvalidArgument,
                  "record " + r.id + " carries a vector, and the database stores none: build it with a model "
                  "(IndexOptions::embedding_model, --model) or for vectors of its own (embedding_dimension)");
    if (r.vector.size() != features.embedding->identity.dimension)
      throw Error(ErrorCode::kInvalidArgument, "record " + r.id + " carries a vector of " +
                                                   std::to_string(r.vector.size()) + " dimensions; the database's are " +
                                                   std::to_string(features.embedding->identity.dimension));
    doc.add_value(schema::kEmbeddingSlot, encode_vector(r.vector, features.embedding->precision));
    Record stored = r;
    stored.vector.clear();
    doc.set_data(stored.to_json());
    return out;
  }
  if (features.model)
    doc.add_value(schema::kEmbeddingSlot,
                  encode_vector(features.model->embed(embedding_text(r)), features.embedding->precision));
  doc.set_data(r.to_json());
  return out;
}

std::vector<std::string> record_spelling_words(const Record& r, Analyzer& analyzer) {
  std::vector<std::string> out;
  const std::string& lang = language_of(r, analyzer);
  for (const std::string* text : texts_of(r))
    if (!text->empty()) collect_spelling_words(*text, analyzer.tokens(*text, lang), out);
  return out;
}

void compress_record(AnalysedRecord& record, const RecordDictionary& dictionary) {
  record.json = record.doc.get_data();
  record.doc.set_data(dictionary.compress(record.json));
}

Xapian::Document finish_document(AnalysedRecord&& record, const std::array<double, kFieldCount>& averages,
                                 const RankingSettings& settings, const RecordDictionary& dictionary) {
  Xapian::Document doc = std::move(record.doc);
  if (record.json.empty() && !dictionary.empty()) doc.set_data(dictionary.compress(doc.get_data()));
  for (const auto& [word, counts] : record.words) {
    Xapian::termcount wdf = ranking_wdf(counts, record.lengths, averages, settings);
    if (wdf > 0) doc.add_term(word, wdf);
  }
  add_question_type(doc, record.question_type, settings);
  return doc;
}

}  // namespace askalike
