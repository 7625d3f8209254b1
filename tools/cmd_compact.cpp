// askalike compact: write a compacted copy of a database.
#include <askalike/askalike.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace askalike::cli {

int cmd_compact(const std::vector<std::string>& args) {
  Command cmd("compact", "askalike compact -d DB DEST",
              "Writes a compacted copy of the database DB to DEST (which must not exist):\n"
              "smaller and faster to search. DB is left as it is.");
  cmd.positional("dest", 1, po::value<std::string>());
  if (!cmd.parse(args)) return kExitOk;
  if (!cmd.has("dest")) cmd.usage_error("no DEST: name the directory for the compacted copy");
  const std::string db = cmd.db();
  const std::string dest = cmd.get<std::string>("dest");
  compact_database(db, dest);
  std::cout << "compacted " << db << " into " << dest << std::endl;
  return kExitOk;
}

}  // namespace askalike::cli
