// askalike remove: remove records by id.
#include <askalike/askalike.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace askalike::cli {

int cmd_remove(const std::vector<std::string>& args) {
  Command cmd("remove", "askalike remove -d DB ID...",
              "Removes the records with these ids. Exits with 1 when an id was not found\n"
              "(the others are removed all the same).");
  cmd.positional("id", -1, po::value<std::vector<std::string>>());
  if (!cmd.parse(args)) return kExitOk;
  std::vector<std::string> ids = cmd.get<std::vector<std::string>>("id");
  if (ids.empty()) cmd.usage_error("no ids: name the records to remove");
  IndexOptions options;
  options.create_if_missing = false;
  IndexWriter writer(cmd.db(), options);
  std::size_t removed = 0;
  std::vector<std::string> missing;
  for (const auto& id : ids) {
    if (writer.remove(id)) ++removed;
    else missing.push_back(id);
  }
  writer.commit();
  for (const auto& id : missing) print_error("no record with id '" + id + "'");
  std::cout << "removed " << removed << " of " << ids.size() << " records" << std::endl;
  return missing.empty() ? kExitOk : kExitError;
}

}  // namespace askalike::cli
