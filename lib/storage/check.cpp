// check_database(): is a database sound? Xapian's own check of every table,
// then askalike's: the schema version, every stored record readable and
// the spelling words' counts.
#include <sys/stat.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

#include "askalike/index.hpp"
#include "storage/database_open.hpp"
#include "storage/record_codec.hpp"
#include "storage/schema.hpp"
#include "storage/shards.hpp"
#include "storage/stats.hpp"

namespace askalike {

namespace {

// The stub file that `path` is or holds (a collection's XAPIANDB), or ""
// for one database (a directory, or a single-file glass database).
std::string stub_of(const std::string& path) {
  if (shards::is_collection(path)) return path + "/" + shards::kStubName;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "";
  static const std::string kGlassMagic = "\x0f\x0dXapian Glass";
  std::string head(kGlassMagic.size(), '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  return in.gcount() == static_cast<std::streamsize>(head.size()) && head == kGlassMagic ? "" : path;
}

// [issue 23] A stub's databases checked one by one, each named in what was
// found: a local one wholly; a remote one (xapian-tcpsrv) by askalike's
// checks through the protocol, its tables being only checkable where they
// are (xapian-check on that machine).
void check_stub(const std::string& stub, int depth, CheckReport& report, std::ostringstream& details);

CheckReport check_at(const std::string& path, int depth);

// Opened by `open` first through the one safe opener: a stub line that
// would start a program is refused before Xapian's check reads anything.
void check_open(const std::function<Xapian::Database()>& open, const std::string& path, bool tables,
                CheckReport& report, std::ostringstream& details);

}  // namespace

CheckReport check_database(const std::string& path) { return check_at(path, 0); }

namespace {

CheckReport check_at(const std::string& path, int depth) {
  return schema::guarded("checking", path, [&] {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
      throw Error(ErrorCode::kNotFound, "no askalike database at " + path);
    CheckReport report;
    std::ostringstream details;
    const std::string stub = stub_of(path);
    if (!stub.empty())
      check_stub(stub, depth, report, details);  // read_stub checks every line as the safe opener does
    else
      check_open([&] { return detail::open_database(path); }, path, true, report, details);
    report.sound = report.errors == 0;
    report.details = details.str();
    return report;
  });
}

void check_stub(const std::string& stub, int depth, CheckReport& report, std::ostringstream& details) {
  // A stub naming itself, or nested too deep, is refused as the opener refuses it.
  if (depth >= detail::kMaxStubDepth)
    throw Error(ErrorCode::kInvalidArgument,
                stub + ": database stubs nested more than " + std::to_string(detail::kMaxStubDepth) + " deep");
  for (const detail::StubLine& line : detail::read_stub(stub)) {
    const bool remote = line.kind == detail::StubLine::Kind::kRemoteTcp;
    const std::string name = remote ? "remote " + line.host + ":" + std::to_string(line.port) : line.path;
    CheckReport part;
    std::ostringstream found;
    if (remote) {
      check_open(
          [&] {
            return Xapian::Remote::open(line.host, line.port, detail::kDefaultRemoteTimeoutMs,
                                        detail::kDefaultRemoteTimeoutMs);
          },
          name, false, part, found);
    } else {
      part = check_at(line.path, depth + 1);
      found << part.details;
    }
    report.errors += part.errors;
    if (part.errors == 0) continue;
    std::istringstream lines(found.str());
    for (std::string l; std::getline(lines, l);) details << name << ": " << l << "\n";
  }
}

void check_open(const std::function<Xapian::Database()>& open, const std::string& path, bool tables,
                CheckReport& report, std::ostringstream& details) {
  try {
    Xapian::Database db = open();
    // Xapian's check of every table, where the files are.
    if (tables) report.errors = Xapian::Database::check(path, 0, &details);
    if (report.errors == 0) {
      schema::read_settings(db, path, AnalyzerOptions(), nullptr);
      RecordDecoder decoder(db, path);
      for_each_record_data(db, [&](const std::string& data) {
        try {
          schema::record_of(decoder.json(data));
        } catch (const Error& e) {
          ++report.errors;
          details << "a stored record cannot be read: " << e.what() << "\n";
        }
      });
      // [issue 27] The spelling words' counts (schema 5), which a search
      // would take as none.
      const std::string prefix = schema::kSpellingCount;
      for (auto k = db.metadata_keys_begin(prefix), end = db.metadata_keys_end(prefix); k != end; ++k) {
        const std::optional<std::uint32_t> count = schema::decode_count(db.get_metadata(*k));
        if (count && *count > 0) continue;
        ++report.errors;
        details << "the spelling count of '" << (*k).substr(prefix.size()) << "' is not a count of records\n";
      }
    }
  } catch (const Xapian::DatabaseCorruptError& e) {
    ++report.errors;
    details << e.get_description() << "\n";
  } catch (const Xapian::DatabaseOpeningError&) {
    throw;  // no database there, or not one this Xapian reads: not damage
  } catch (const Xapian::DatabaseError& e) {
    // A read past a table's end (truncated) and the like: damage too.
    ++report.errors;
    details << e.get_description() << "\n";
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kCorrupt) throw;
    ++report.errors;
    details << e.what() << "\n";
  }
}

}  // namespace

}  // namespace askalike
