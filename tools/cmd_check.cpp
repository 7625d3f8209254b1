// askalike check: is a database sound? Exit 0 when it is, 1 when not.
#include <askalike/askalike.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace askalike::cli {

int cmd_check(const std::vector<std::string>& args) {
  Command cmd("check", "askalike check -d DB",
              "Checks every table of the database (Xapian's check) and that every stored\n"
              "record can be read. A collection of shards or a stub file: every database\n"
              "it names, a remote one (xapian-tcpsrv) by its records only; a damaged one\n"
              "is named. Prints whether the database is sound; exit status 0 when it is,\n"
              "1 when it is damaged (or cannot be checked).");
  if (!cmd.parse(args)) return kExitOk;
  const std::string db = cmd.db();
  CheckReport report = check_database(db);
  if (report.sound) {
    std::cout << db << ": sound" << std::endl;
    return kExitOk;
  }
  std::cout << db << ": damaged (" << report.errors << (report.errors == 1 ? " problem" : " problems") << ")\n"
            << report.details << std::flush;
  print_error("the database " + db +
              " is damaged; rebuild it from its source files with 'askalike index' into a new directory, "
              "or restore it from a backup");
  return kExitError;
}

}  // namespace askalike::cli
