// check_database(): is a database sound? Xapian's own check of every table,
// then askalike's: the schema version and every stored record readable.
#include <sys/stat.h>

#include <sstream>

#include "askalike/index.hpp"
#include "storage/database_open.hpp"
#include "storage/record_codec.hpp"
#include "storage/schema.hpp"
#include "storage/stats.hpp"

namespace askalike {

CheckReport check_database(const std::string& path) {
  return schema::guarded("checking", path, [&] {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
      throw Error(ErrorCode::kNotFound, "no askalike database at " + path);
    CheckReport report;
    std::ostringstream details;
    try {
      // Opened first through the one safe opener: a stub line that would
      // start a program is refused before Xapian's check reads anything.
      Xapian::Database db = detail::open_database(path);
      report.errors = Xapian::Database::check(path, 0, &details);
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
    report.sound = report.errors == 0;
    report.details = details.str();
    return report;
  });
}

}  // namespace askalike
