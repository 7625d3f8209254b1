// How records are laid out in a Xapian database, and the translation of
// Xapian's exceptions into askalike::Error. Everything that knows the on-disk
// layout includes this file; nothing else does.
#ifndef ASKALIKE_LIB_SCHEMA_HPP_
#define ASKALIKE_LIB_SCHEMA_HPP_

#include <xapian.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "askalike/analyzer.hpp"
#include "askalike/embedding.hpp"
#include "askalike/error.hpp"
#include "askalike/record.hpp"
#include "index/ranking.hpp"

namespace askalike {
namespace schema {

// Bumped whenever the layout changes in a way that older code cannot read.
// 2: per-field lengths in kFieldLengthsSlot (BM25F ranking needs them).
// 3: BM25F in the index: one unprefixed ranking term per word, its wdf the
//    word's pseudo-frequency (ranking.hpp); no per-field terms.
// 4: records deflated with the database's record dictionary
//    (record_codec.hpp). Schema 3 databases are read as they are and become
//    schema 4 when a writer gives them a dictionary.
// 5: [issue 27] spelling words as per-database record counts in the
//    metadata (kSpellingCount), not terms. Schema 4 databases keep their
//    terms, also when written to (IndexFeatures::spelling_terms).
inline constexpr int kVersion = 5;
inline constexpr int kRecordDictionaryVersion = 4;
inline constexpr int kOldestReadableVersion = 3;
inline constexpr const char* kVersionKey = "askalike.schema";
inline constexpr const char* kAnalyzerKey = "askalike.analyzer";
inline constexpr const char* kRankingKey = "askalike.ranking";           // RankingSettings
inline constexpr const char* kFieldTotalsKey = "askalike.field_totals";  // FieldTotals
inline constexpr const char* kRecordDictionaryKey = "askalike.record_dictionary";  // RecordDictionary
inline constexpr const char* kFeaturesKey = "askalike.features";          // IndexFeatures

// Term prefixes. The ranking terms (a record's words, all fields together)
// are unprefixed.
inline constexpr const char* kId = "Q";
inline constexpr const char* kCategory = "K";
inline constexpr const char* kLang = "L";
inline constexpr const char* kTag = "XT";
inline constexpr const char* kGroup = "XG";
// [issue 23] A record's spelling words (spelling.hpp), one boolean term each:
// unlike Xapian's spelling table, terms are collection-wide on shards and
// over the stock remote protocol.
inline constexpr const char* kSpellingWord = "XS";
// [issue 27] A spelling word's metadata key ("XS" + word), its value the
// number of the database's records holding the word (encode_count()). Each
// database (each shard) counts its own records; a collection's count of a
// word is the sum over its shards (storage/database_open.hpp:
// leaf_databases()), and a merge by compaction sums them.
inline constexpr const char* kSpellingCount = "XS";
std::string encode_count(std::uint64_t count);
// The count of an encode_count() value; nullopt for anything else (a
// database handed to askalike may hold any bytes there).
std::optional<std::uint32_t> decode_count(const std::string& value);
// (question_type.hpp: "XY" + the record's question type.)

// Value slots.
inline constexpr Xapian::valueno kDateSlot = 0;
inline constexpr Xapian::valueno kCategorySlot = 1;
inline constexpr Xapian::valueno kTitleSlot = 2;
inline constexpr Xapian::valueno kIdSlot = 3;  // so that a hit's id needs no record decoding
// The record's field lengths (encode_field_lengths()): what its removal takes
// off the field totals, without analysing it again.
inline constexpr Xapian::valueno kFieldLengthsSlot = 4;
// [issue 28] The embedding of the record's title and question
// (embedding/stored_vectors.hpp), in a database built with a model.
inline constexpr Xapian::valueno kEmbeddingSlot = 5;

std::string encode_field_lengths(const FieldLengths& lengths);
FieldLengths decode_field_lengths(const std::string& value);

// Xapian refuses terms over 245 bytes; ids must leave room for their prefix.
inline constexpr std::size_t kMaxIdBytes = 200;

// The schema number `db` says it has: 0 when it says none (a new
// database), and a number above every schema for a value that is not one.
int stored_version(const Xapian::Database& db);

// Checks the stored schema version and returns the stored analyzer settings.
// An empty database without askalike metadata gives `fallback` and sets
// `is_new`. Throws Error(kIncompatibleVersion).
AnalyzerOptions read_settings(const Xapian::Database& db, const std::string& path,
                              const AnalyzerOptions& fallback, bool* is_new);

// The ranking settings of a database that read_settings() accepted, and its
// field totals. Settings that cannot be used give Error(kCorrupt) naming the
// database (damaged()).
RankingSettings read_ranking(const Xapian::Database& db, const std::string& path);
FieldTotals read_field_totals(const Xapian::Database& db, const std::string& path);

// What a database was built to hold besides its records (issue 13), fixed
// when it is created. A schema-3 database from before has neither: it still
// opens and searches, without corrections or type bonus.
// The sentence-embedding model a database's vectors were made with.
struct EmbeddingInfo {
  ModelIdentity identity;
  std::string model_path;      // the folder it was loaded from (a hint: the identity decides)
  std::size_t max_tokens = 0;  // EmbeddingOptions::max_tokens the vectors were made with
  // How vectors written from now on are stored (those already stored say by
  // their length); databases from before it store float32.
  VectorPrecision precision = VectorPrecision::kFloat32;
};

struct IndexFeatures {
  bool spelling = false;        // Xapian's spelling table is filled (spelling.hpp)
  bool question_types = false;  // records carry their question type term
  // [issue 23] The spelling words are terms (kSpellingWord), not Xapian's
  // spelling table: true for databases made since.
  bool spelling_terms = false;
  // [issue 27] The spelling words are record counts in each database's
  // metadata (kSpellingCount): true for databases made since. A database
  // keeps the mode it was made with.
  bool spelling_counts = false;
  // [issue 28] records carry an embedding in kEmbeddingSlot, made by this model.
  std::optional<EmbeddingInfo> embedding;
  // Not stored: the loaded model that embeds the records a writer adds
  // (set by the writer when `embedding` is).
  std::shared_ptr<const EmbeddingModel> model;
};
IndexFeatures read_features(const Xapian::Database& db, const std::string& path);
void write_features(Xapian::WritableDatabase& db, const IndexFeatures& features);

// Writes the metadata of a new database (takes effect at the next commit).
void write_settings(Xapian::WritableDatabase& db, const AnalyzerOptions& options, const RankingSettings& ranking);

// The record in a stored record's JSON (RecordDecoder::json of a document's
// data).
Record record_of(const std::string& json);

// Runs `read` of what a database keeps (settings, learned tables): they
// came with the database, as its records did, so a value askalike cannot
// use (an askalike::Error) means a damaged database at `path`.
Error damaged(const std::string& what, const std::string& path, const std::string& detail);
template <typename Read>
auto settings_of(const std::string& path, Read&& read) -> decltype(read()) {
  try {
    return read();
  } catch (const Error& e) {
    throw damaged("reading its settings", path, e.what());
  }
}

// The error for a damaged database at `path`, met while doing `what`: it
// names the database and says to rebuild or restore it.
Error damaged(const std::string& what, const std::string& path, const std::string& detail);

// Throws the askalike::Error that stands for a Xapian error met while doing
// `what` on the database at `path`.
[[noreturn]] void rethrow(const Xapian::Error& e, const std::string& what, const std::string& path);

// Runs `body`, translating every foreign exception at the library boundary.
template <typename Body>
auto guarded(const std::string& what, const std::string& path, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Error&) {
    throw;
  } catch (const Xapian::Error& e) {
    rethrow(e, what, path);
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::kInternal, what + ": out of memory");
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInternal, what + ": " + e.what());
  }
}

}  // namespace schema
}  // namespace askalike

#endif  // ASKALIKE_LIB_SCHEMA_HPP_
