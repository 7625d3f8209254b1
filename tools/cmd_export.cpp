// askalike export: every record as JSON Lines on stdout (what `index` reads).
#include <askalike/askalike.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace askalike::cli {

int cmd_export(const std::vector<std::string>& args) {
  Command cmd("export", "askalike export -d DB > records.jsonl",
              "Writes every record of the database, in id order, as JSON Lines on standard\n"
              "output: 'askalike index' reads it back to the same records. Works beside a\n"
              "running writer: the records are those of the last commit.");
  if (!cmd.parse(args)) return kExitOk;
  Searcher reader(cmd.db());
  reader.for_each([](const Record& r) { std::cout << r.to_json() << '\n'; });
  std::cout << std::flush;
  if (!std::cout) throw Error(ErrorCode::kIO, "cannot write to standard output");
  return kExitOk;
}

}  // namespace askalike::cli
