#include "document.hpp"

#include "askalike/error.hpp"
#include "schema.hpp"

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

// Indexes one field; returns how many terms it added (the field's length).
static std::uint32_t index_field(Xapian::Document& doc, Analyzer& analyzer, const std::string& text,
                                 const std::string& lang, const std::string& prefix) {
  if (text.empty()) return 0;
  std::uint32_t length = 0;
  for (const Token& t : analyzer.tokens(text, lang)) {
    doc.add_term(prefix + t.term);
    ++length;
  }
  return length;
}

Xapian::Document make_document(const Record& r, Analyzer& analyzer) {
  Xapian::Document doc;
  doc.add_boolean_term(id_term(r.id));
  doc.add_value(schema::kIdSlot, r.id);
  const std::string& lang = r.lang.empty() ? analyzer.options().default_language : r.lang;
  schema::FieldLengths lengths;
  lengths.title = index_field(doc, analyzer, r.title, lang, schema::kTitle);
  lengths.question = index_field(doc, analyzer, r.question, lang, "");
  lengths.answer = index_field(doc, analyzer, r.answer, lang, schema::kAnswer);
  doc.add_value(schema::kFieldLengthsSlot, schema::encode_field_lengths(lengths));
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
  doc.set_data(r.to_json());
  return doc;
}

}  // namespace askalike
