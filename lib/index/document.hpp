// Turning a Record into a Xapian document (the one place that does it).
#ifndef ASKALIKE_LIB_DOCUMENT_HPP_
#define ASKALIKE_LIB_DOCUMENT_HPP_

#include <xapian.h>

#include <string>
#include <utility>
#include <vector>

#include "askalike/analyzer.hpp"
#include "askalike/record.hpp"
#include "index/ranking.hpp"
#include "storage/record_codec.hpp"
#include "storage/schema.hpp"

namespace askalike {

// The unique term of a record id. Throws Error(kInvalidArgument) for an
// empty or over-long id.
std::string id_term(const std::string& id);

// A boolean filter term: prefix + value, cut to Xapian's term limit.
std::string filter_term(const char* prefix, const std::string& value);

// A record analysed, before its words get their ranking frequencies (which
// need the collection's field averages, known only where the records are
// stored, in order).
struct AnalysedRecord {
  Xapian::Document doc;  // filter terms, values and the stored record
  std::vector<std::pair<std::string, FieldLengths>> words;  // each word's count per field
  FieldLengths lengths{};
  std::vector<std::string> spelling_words;  // for the spelling table (spelling.hpp), if the database keeps one
  std::string question_type;                // question_type.hpp; "" when none or not kept
  // The record's JSON when doc's data holds it compressed already
  // (compress_record: a parallel load's analysing threads do it); else "".
  std::string json;
};

// The expensive part (analysis), safe to run on several threads at once with
// one Analyzer each. `features`: what else the database keeps of a record.
AnalysedRecord analyse_record(const Record& record, Analyzer& analyzer, const schema::IndexFeatures& features);

// The words analyse_record() gives the spelling table for `record` (to take a
// stored record's words back off it).
std::vector<std::string> record_spelling_words(const Record& record, Analyzer& analyzer);

// Compresses the record's stored JSON with `dictionary` (not empty) now,
// on the calling thread, rather than in finish_document.
void compress_record(AnalysedRecord& record, const RecordDictionary& dictionary);

// The document of an analysed record: one ranking term per word (ranking.hpp),
// its record compressed with the database's dictionary (if it has one).
Xapian::Document finish_document(AnalysedRecord&& record, const std::array<double, kFieldCount>& averages,
                                 const RankingSettings& settings, const RecordDictionary& dictionary);

}  // namespace askalike

#endif  // ASKALIKE_LIB_DOCUMENT_HPP_
