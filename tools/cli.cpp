// What the subcommands share: parsing a subcommand's options with
// Boost.Program_options, its --help, and messages on stderr.
#include "cli.hpp"

#include <unistd.h>

#include <askalike/askalike.hpp>

#include <cstdlib>
#include <iostream>
#include <utility>

namespace askalike::cli {

void print_error(const std::string& message) { std::cerr << "askalike: " << message << std::endl; }

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

Command::Command(std::string name, std::string usage, std::string summary, bool with_db)
    : name_(std::move(name)),
      usage_(std::move(usage)),
      summary_(std::move(summary)),
      with_db_(with_db),
      options_("Options") {
  options_.add_options()("help,h", "show this help and exit");
  if (with_db_)
    options_.add_options()("db,d", po::value<std::string>()->value_name("DIR"),
                           "the database directory, a collection of shards or a stub file (default: $ASKALIKE_DB)");
}

void Command::positional(const std::string& name, int max, const po::value_semantic* semantic) {
  hidden_.add_options()(name.c_str(), semantic);
  positional_.add(name.c_str(), max);
}

bool Command::parse(const std::vector<std::string>& args) {
  try {
    // No guessing of abbreviated long options: an abbreviation that works
    // today would break when an option is added.
    int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::options_description all;
    all.add(options_).add(hidden_);
    po::store(po::command_line_parser(args).options(all).positional(positional_).style(style).run(), vm_);
    if (vm_.count("help")) {
      std::cout << "Usage: " << usage_ << "\n\n" << summary_ << "\n\n" << options_ << std::flush;
      return false;
    }
    po::notify(vm_);
  } catch (const po::error& e) {
    throw UsageError(name_, e.what());
  }
  return true;
}

std::string Command::db() const {
  if (vm_.count("db")) return vm_["db"].as<std::string>();
  if (const char* env = std::getenv("ASKALIKE_DB"); env && *env) return env;
  usage_error("no database: give -d DIR (or set ASKALIKE_DB)");
}

std::size_t Command::count(const std::string& name, std::size_t min, std::size_t max) const {
  try {
    return askalike::checked_count("--" + name, get<long long>(name), min, max);
  } catch (const askalike::Error& e) {
    usage_error(e.what());
  }
}

void Command::usage_error(const std::string& message) const { throw UsageError(name_, message); }

}  // namespace askalike::cli
