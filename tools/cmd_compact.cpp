// askalike compact: write a compacted copy of a database.
#include <askalike/askalike.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace askalike::cli {

int cmd_compact(const std::vector<std::string>& args) {
  Command cmd("compact", "askalike compact -d DB DEST [--search-only]",
              "Writes a compacted copy of the database DB to DEST (which must not exist):\n"
              "smaller and faster to search. DB is left as it is.");
  cmd.options().add_options()(
      "search-only",
      "leave out Xapian's term lists (each record's words: about a third of a compacted database), for a copy "
      "searched on this machine only. It ranks exactly as DB does, but records cannot be added to it, replaced "
      "or removed, --feedback-terms is refused, and xapian-tcpsrv cannot serve it: change DB and compact again "
      "(or `askalike reindex` the copy into a new, writable database)");
  cmd.positional("dest", 1, po::value<std::string>());
  if (!cmd.parse(args)) return kExitOk;
  if (!cmd.has("dest")) cmd.usage_error("no DEST: name the directory for the compacted copy");
  const std::string db = cmd.db();
  const std::string dest = cmd.get<std::string>("dest");
  CompactOptions options;
  options.term_lists = !cmd.has("search-only");
  compact_database(db, dest, options);
  std::cout << "compacted " << db << " into " << dest << (options.term_lists ? "" : " (search only: no term lists)")
            << std::endl;
  return kExitOk;
}

}  // namespace askalike::cli
