// libFuzzer target: a stored record as a hostile database holds it. The input
// replaces the data of one document of a real database (which has a record
// dictionary); reading that record back must give a record or an
// askalike::Error (kCorrupt, or the JSON reader's error), never a crash, a
// hang or an allocation past the inflate cap.
#include <xapian.h>

#include "fuzz_db.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::FuzzDatabase& database = fuzz::shared_database();
  static const std::string first_id = [] {
    Xapian::Database x(database.db());
    std::string id = x.get_document(1).get_value(3);  // schema::kIdSlot
    fuzz::fuzz_check(!x.get_metadata("askalike.record_dictionary").empty(), "the fuzz database has no dictionary");
    return id;
  }();
  // Half the inputs start as a compressed record of this database does (the
  // dictionary's id copied from the stored record), so the inflate path is reached.
  std::string stored(reinterpret_cast<const char*>(data), size);
  {
    Xapian::WritableDatabase x(database.db());
    Xapian::Document doc = x.get_document(1);
    if (size > 0 && (data[0] & 1)) {
      static const std::string header = [] {
        Xapian::Database r(database.db());
        for (auto p = r.postlist_begin(""); p != r.postlist_end(""); ++p) {
          std::string d = r.get_document(*p).get_data();
          if (!d.empty() && d[0] == '\x01') return d.substr(0, 5);
        }
        return std::string();
      }();
      stored = header + stored.substr(1);
    }
    doc.set_data(stored);
    x.replace_document(1, doc);
    x.commit();
  }
  try {
    askalike::Record out;
    askalike::Searcher(database.db()).get(first_id, out);
    fuzz::fuzz_check(fuzz::valid_utf8(out.to_json()), "a record read back is not valid UTF-8");
  } catch (const askalike::Error&) {
  }
  return 0;
}
