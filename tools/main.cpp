// askalike: the command-line tool. Dispatches to the subcommands and turns
// every failure into a message on stderr and an exit code:
// 0 success, 1 runtime error, 2 usage error.
#include <askalike/askalike.hpp>

#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace {

using namespace askalike::cli;

struct Subcommand {
  const char* name;
  int (*run)(const std::vector<std::string>&);
  const char* summary;
};

const Subcommand kCommands[] = {
    {"index", cmd_index, "add or update records from JSON Lines, CSV, TSV or Q&A pages"},
    {"similar", cmd_similar, "find the questions most similar to a text or a stored record"},
    {"eval", cmd_eval, "measure retrieval quality against TREC qrels (MAP, MRR, nDCG@10, ...)"},
    {"embed", cmd_embed, "store every record's embedding by a sentence-embedding model (meaning, not just words)"},
    {"learn", cmd_learn, "learn which words go with which from the database's questions and answers"},
    {"stats", cmd_stats, "show the size, categories and settings of a database"},
    {"remove", cmd_remove, "remove records by id"},
    {"compact", cmd_compact, "write a compacted copy of a database"},
    {"reindex", cmd_reindex, "rebuild a database with new ranking settings or renewed field averages"},
    {"export", cmd_export, "write every record as JSON Lines on stdout"},
    {"check", cmd_check, "tell whether a database is sound or damaged"},
    {"serve", cmd_serve, "serve similar-question searches over HTTP (JSON API and a page)"},
};

void print_usage(std::ostream& out) {
  out << "Usage: askalike COMMAND [OPTIONS] [ARGS]\n"
         "       askalike --version\n\n"
         "Find, in a collection of question-and-answer records, the questions most\n"
         "similar to a new one.\n\nCommands:\n";
  for (const auto& c : kCommands) {
    std::string name = c.name;
    out << "  " << name << std::string(10 - name.size(), ' ') << c.summary << "\n";
  }
  out << "\nEvery command takes -d/--db DIR and --help. Example:\n"
         "  askalike index -d qa.db dump.jsonl\n"
         "  askalike similar -d qa.db \"why does my face twitch when I sleep?\"\n";
}

// A hint for what to do about an error, by its code.
std::string hint(const askalike::Error& e) {
  switch (e.code()) {
    // kDatabaseLocked: the library's message already says what to do.
    case askalike::ErrorCode::kIncompatibleVersion:
      return "the database was written by another askalike version; rebuild it with 'askalike index'";
    case askalike::ErrorCode::kInternal:
      return "this is a bug in askalike: please report it with the command that caused it";
    default:
      return "";
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_usage(std::cerr);
    return kExitUsage;
  }
  const std::string& first = args[0];
  if (first == "--version" || first == "-V" || first == "version") {
    std::cout << "askalike " << askalike::version() << " (database schema " << askalike::schema_version() << ")"
              << std::endl;
    return kExitOk;
  }
  if (first == "--help" || first == "-h" || first == "help") {
    if (first == "help" && args.size() > 1) {
      args = {args[1], "--help"};  // "askalike help index" = "askalike index --help"
    } else {
      print_usage(std::cout);
      return kExitOk;
    }
  }
  const Subcommand* command = nullptr;
  for (const auto& c : kCommands)
    if (args[0] == c.name) command = &c;
  if (!command) {
    std::string list;
    for (const auto& c : kCommands) list += std::string(list.empty() ? "" : ", ") + c.name;
    print_error("unknown command '" + args[0] + "' (commands: " + list + "); see 'askalike --help'");
    return kExitUsage;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    return command->run(rest);
  } catch (const UsageError& e) {
    print_error(std::string(e.what()) + "; see 'askalike " + e.command() + " --help'");
    return kExitUsage;
  } catch (const askalike::ParseError& e) {
    print_error(e.what());
    return kExitError;
  } catch (const askalike::Error& e) {
    std::string h = hint(e);
    print_error(std::string(e.what()) + (h.empty() ? "" : "\naskalike: " + h));
    return kExitError;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitError;
  }
}
