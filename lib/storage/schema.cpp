#include "storage/schema.hpp"

#include <nlohmann/json.hpp>

#include "askalike/version.hpp"
#include "storage/database_open.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace askalike {
namespace schema {


int stored_version(const Xapian::Database& db) {
  int number = 0;
  for (char c : db.get_metadata(kVersionKey))
    number = (c >= '0' && c <= '9' && number < 1000) ? number * 10 + (c - '0') : 100000;
  return number;
}

AnalyzerOptions read_settings(const Xapian::Database& db, const std::string& path,
                              const AnalyzerOptions& fallback, bool* is_new) {
  const std::string version = db.get_metadata(kVersionKey);
  if (version.empty()) {
    if (db.get_doccount() != 0)
      throw Error(ErrorCode::kIncompatibleVersion,
                  path + " is a Xapian database not written by askalike; index into a new directory");
    if (is_new) *is_new = true;
    return fallback;
  }
  if (is_new) *is_new = false;
  const int number = stored_version(db);
  if (number < kOldestReadableVersion || number > kVersion)
    throw Error(ErrorCode::kIncompatibleVersion,
                path + " was written by a version of askalike with database schema " + version +
                    ", and this askalike reads schema " + std::to_string(kVersion) +
                    "; rebuild this database (schema " + version + ") with this version (askalike index, from "
                    "your records or `askalike export` of the old one) or use the askalike that wrote it");
  return settings_of(path, [&] {
    AnalyzerOptions options = AnalyzerOptions::deserialize(db.get_metadata(kAnalyzerKey));
    Analyzer check(options);  // refuses settings no analyzer can work with
    return options;
  });
}

RankingSettings read_ranking(const Xapian::Database& db, const std::string& path) {
  return settings_of(path, [&] { return RankingSettings::deserialize(db.get_metadata(kRankingKey)); });
}

FieldTotals read_field_totals(const Xapian::Database& db, const std::string& path) {
  return settings_of(path, [&] { return FieldTotals::deserialize(db.get_metadata(kFieldTotalsKey)); });
}

IndexFeatures read_features(const Xapian::Database& db, const std::string& path) {
  return settings_of(path, [&] {
    IndexFeatures f;
    const std::string text = db.get_metadata(kFeaturesKey);
    if (text.empty()) return f;
    try {
      auto j = nlohmann::json::parse(text);
      f.spelling = j.value("spelling", false);
      f.question_types = j.value("question_types", false);
      f.spelling_terms = j.value("spelling_terms", false);
      f.spelling_counts = j.value("spelling_counts", false);
      if (j.contains("embedding")) {
        const auto& e = j.at("embedding");
        EmbeddingInfo info;
        info.identity.name = e.at("name").get<std::string>();
        info.identity.dimension = e.at("dimension").get<std::size_t>();
        info.identity.weights_sha256 = e.at("weights_sha256").get<std::string>();
        info.model_path = e.at("model_path").get<std::string>();
        info.max_tokens = e.at("max_tokens").get<std::size_t>();
        const std::string precision = e.value("vector_precision", "float32");
        if (precision != "float32" && precision != "int8")
          throw Error(ErrorCode::kCorrupt, "unknown vector precision '" + precision + "'");
        info.precision = precision == "int8" ? VectorPrecision::kInt8 : VectorPrecision::kFloat32;
        // A vector of a million floats a record is no model's: refuse
        // before any search allocates for it.
        if (info.identity.dimension == 0 || info.identity.dimension > 65536)
          throw Error(ErrorCode::kCorrupt, "embedding dimension " + std::to_string(info.identity.dimension) +
                                               " out of range");
        f.embedding = std::move(info);
      }
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorCode::kCorrupt, std::string("unreadable index features: ") + e.what());
    }
    return f;
  });
}

void write_features(Xapian::WritableDatabase& db, const IndexFeatures& features) {
  nlohmann::ordered_json j;
  j["spelling"] = features.spelling;
  j["question_types"] = features.question_types;
  j["spelling_terms"] = features.spelling_terms;
  j["spelling_counts"] = features.spelling_counts;
  if (features.embedding) {
    const EmbeddingInfo& info = *features.embedding;
    j["embedding"] = {{"name", info.identity.name},
                      {"dimension", info.identity.dimension},
                      {"weights_sha256", info.identity.weights_sha256},
                      {"model_path", info.model_path},
                      {"max_tokens", info.max_tokens},
                      {"vector_precision", info.precision == VectorPrecision::kInt8 ? "int8" : "float32"}};
  }
  db.set_metadata(kFeaturesKey, j.dump());
}

void write_settings(Xapian::WritableDatabase& db, const AnalyzerOptions& options, const RankingSettings& ranking) {
  db.set_metadata(kVersionKey, std::to_string(kVersion));
  db.set_metadata(kAnalyzerKey, options.serialize());
  db.set_metadata(kRankingKey, ranking.serialize());
}

// Decimal: readable with xapian-delve -m, and a few bytes.
std::string encode_count(std::uint64_t count) { return std::to_string(count); }

std::optional<std::uint32_t> decode_count(const std::string& value) {
  if (value.empty() || value.size() > 10) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (n > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

// Three unsigned LEB128 numbers: a few bytes a record.
std::string encode_field_lengths(const FieldLengths& lengths) {
  std::string out;
  for (std::uint32_t n : lengths) {
    while (n >= 0x80) {
      out.push_back(static_cast<char>((n & 0x7F) | 0x80));
      n >>= 7;
    }
    out.push_back(static_cast<char>(n));
  }
  return out;
}

FieldLengths decode_field_lengths(const std::string& value) {
  FieldLengths n{};
  std::size_t pos = 0;
  for (std::uint32_t& field : n) {
    for (int shift = 0; pos < value.size() && shift < 35; shift += 7) {
      unsigned char byte = static_cast<unsigned char>(value[pos++]);
      field |= static_cast<std::uint32_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) break;
    }
  }
  return n;
}

Record record_of(const std::string& data) {
  // A stored record was checked when it came in; the field limit of that
  // time may have been raised, so none applies here.
  InputLimits stored;
  stored.max_fields = static_cast<std::size_t>(-1);
  return Record::from_json(data, "<database>", 0, stored);
}

static bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Error damaged(const std::string& what, const std::string& path, const std::string& detail) {
  return Error(ErrorCode::kCorrupt, what + ": the database " + path + " is damaged (" + detail +
                                        "); rebuild it from its source files with 'askalike index' into a new "
                                        "directory, or restore it from a backup ('askalike check -d " +
                                        path + "' lists the damage)");
}

void rethrow(const Xapian::Error& e, const std::string& what, const std::string& path) {
  std::string detail = e.get_msg();
  if (e.get_error_string()) detail += std::string(" (") + e.get_error_string() + ")";
  const std::string type = e.get_type();
  if (type == "DatabaseLockError")
    throw Error(ErrorCode::kDatabaseLocked,
                "the database " + path + " is locked by another writer (another askalike index or "
                "IndexWriter is open on it); wait for it to finish, then try again, or let the writer wait "
                "for the lock (`askalike index --wait-lock SECONDS`, IndexOptions::wait_lock_ms, Python "
                "Index(path, wait_lock=SECONDS))");
  if (type == "DatabaseNotFoundError" || (type == "DatabaseOpeningError" && !exists(path)))
    throw Error(ErrorCode::kNotFound, "no askalike database at " + path + "; create one with `askalike index -d " +
                                          path + " FILE`");
  if (type == "DatabaseVersionError")
    throw Error(ErrorCode::kIncompatibleVersion, path + ": database format not supported: " + detail);
  if (type == "DatabaseOpeningError")
    throw Error(ErrorCode::kNotFound, "cannot open the database " + path + ": " + detail);
  // A table shorter than its own block index has lost its end (truncated).
  const bool truncated = type == "DatabaseError" && e.get_msg().rfind("EOF reading block", 0) == 0;
  if (type == "DatabaseCorruptError" || truncated) throw damaged(what, path, detail);
  if (type == "DatabaseModifiedError")
    throw Error(ErrorCode::kIO, what + ": the database " + path +
                                    " kept changing while being read (a writer committed again and again); "
                                    "try again when it commits less often");
  if (type == "DatabaseError" || type == "DatabaseCreateError") {
    const std::string cause = e.get_error_string() ? e.get_error_string() : "";
    // The cause may be inside the message too ("Modifications failed
    // (DatabaseError: Error writing block 2 (No space left on device))").
    auto says = [&](int code) {
      const std::string text = std::strerror(code);
      return cause == text || e.get_msg().find("(" + text + ")") != std::string::npos;
    };
    const bool no_room = says(ENOSPC) || says(EFBIG) || says(EDQUOT);
    throw Error(ErrorCode::kIO, what + " (" + path + "): " + detail +
                                    (no_room ? "; the disk is full (or a size limit was reached): the database "
                                               "keeps its last commit; make room and try again"
                                             : ""));
  }
  // [issue 27] A copy compacted without term lists (CompactOptions) lacks
  // what xapian-tcpsrv reads to send a record's values, and what feedback
  // and writes need.
  if (type == "FeatureUnavailableError" && e.get_msg().find("no termlist") != std::string::npos)
    throw Error(ErrorCode::kInvalidArgument,
                what + " (" + path + "): a database of it was compacted without term lists (askalike compact "
                "--search-only), which this needs: stock xapian-tcpsrv reads each record's values from its term "
                "list, and feedback and writes need them too; serve a full compacted copy instead (" + detail + ")");
  if (type == "InvalidArgumentError" || type == "RangeError")
    throw Error(ErrorCode::kInvalidArgument, what + ": " + detail);
  // A remote shard (xapian-tcpsrv): hung or too slow, then down or unreachable.
  // [issue 23] Named by its stub line, so that the operator knows which server to look at.
  const std::string shard = e.get_context().empty() ? std::string("a remote shard")
                                                    : "the shard " + detail::shard_of_context(e.get_context());
  if (type == "NetworkTimeoutError")
    throw Error(ErrorCode::kTimeout, what + " (" + path + "): " + shard + " did not answer in time: " + detail);
  if (type == "NetworkError")
    throw Error(ErrorCode::kUnavailable, what + " (" + path + "): " + shard + " is unavailable: " + detail);
  if (type == "DocNotFoundError") throw Error(ErrorCode::kNotFound, what + ": " + detail);
  throw Error(ErrorCode::kInternal, what + " (" + path + "): Xapian " + type + ": " + detail);
}

}  // namespace schema

int schema_version() noexcept { return schema::kVersion; }

}  // namespace askalike
