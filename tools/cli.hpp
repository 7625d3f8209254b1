// askalike command-line tool: what the subcommands share (option parsing,
// messages, exit codes).
#ifndef ASKALIKE_TOOLS_CLI_HPP_
#define ASKALIKE_TOOLS_CLI_HPP_

#include <askalike/index.hpp>
#include <boost/program_options.hpp>

#include <stdexcept>
#include <optional>
#include <string>
#include <vector>

namespace askalike::cli {

namespace po = boost::program_options;

// Exit codes.
constexpr int kExitOk = 0;
constexpr int kExitError = 1;  // runtime error (askalike::Error, I/O, ...)
constexpr int kExitUsage = 2;  // bad command line

// A bad command line: main() prints it with a pointer to --help, exit 2.
class UsageError : public std::runtime_error {
 public:
  UsageError(const std::string& command, const std::string& message)
      : std::runtime_error(message), command_(command) {}
  const std::string& command() const { return command_; }

 private:
  std::string command_;
};

// Prints "askalike: MESSAGE" on stderr.
void print_error(const std::string& message);

// True when the file descriptor is a terminal.
bool is_terminal(int fd);

// One subcommand's command line, parsed. `args` are the words after the
// subcommand's name. Adds --help and, when `with_db`, -d/--db (default: the
// ASKALIKE_DB environment variable).
class Command {
 public:
  Command(std::string name, std::string usage, std::string summary, bool with_db = true);

  po::options_description& options() { return options_; }
  // Positional arguments: `name` takes `max` of them (-1: any number). They
  // are declared here, not in options(), to stay out of --help.
  void positional(const std::string& name, int max, const po::value_semantic* semantic);

  // Parses; false when --help was given (the help is printed on stdout: the
  // caller returns 0). Throws UsageError.
  bool parse(const std::vector<std::string>& args);

  const po::variables_map& vm() const { return vm_; }
  bool has(const std::string& name) const { return vm_.count(name) > 0 && !vm_[name].defaulted(); }
  template <typename T>
  T get(const std::string& name) const {
    return vm_.count(name) ? vm_[name].as<T>() : T();
  }
  // A whole-number option declared as po::value<long long>, checked by the
  // library's checked_count (so a negative number is named as such); a
  // UsageError when it is out of [min, max].
  std::size_t count(const std::string& name, std::size_t min, std::size_t max) const;
  // The database directory; UsageError when none was given.
  std::string db() const;
  const std::string& name() const { return name_; }
  [[noreturn]] void usage_error(const std::string& message) const;

 private:
  std::string name_, usage_, summary_;
  bool with_db_;
  po::options_description options_;
  po::options_description hidden_;
  po::positional_options_description positional_;
  po::variables_map vm_;
};

// The subcommands: `args` are the words after the subcommand's name.
int cmd_index(const std::vector<std::string>& args);
int cmd_similar(const std::vector<std::string>& args);
int cmd_eval(const std::vector<std::string>& args);
int cmd_stats(const std::vector<std::string>& args);
int cmd_remove(const std::vector<std::string>& args);
int cmd_compact(const std::vector<std::string>& args);
int cmd_export(const std::vector<std::string>& args);
int cmd_reindex(const std::vector<std::string>& args);
int cmd_learn(const std::vector<std::string>& args);
int cmd_embed(const std::vector<std::string>& args);

// The ranking settings of a database (`index` on a new one, `reindex`):
// nullopt when no option was given, else `base` with the given ones changed.
void add_ranking_options(po::options_description& options);
std::optional<RankingOptions> ranking_options_from(const Command& cmd, const RankingOptions& base);
int cmd_check(const std::vector<std::string>& args);
int cmd_serve(const std::vector<std::string>& args);

}  // namespace askalike::cli

#endif  // ASKALIKE_TOOLS_CLI_HPP_
