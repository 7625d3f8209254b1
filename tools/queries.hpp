// askalike command-line tool: queries (from a JSON Lines file, stdin lines
// or the command line) and running them in batches.
#ifndef ASKALIKE_TOOLS_QUERIES_HPP_
#define ASKALIKE_TOOLS_QUERIES_HPP_

#include <askalike/search.hpp>

#include <istream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace askalike::cli {

struct Query {
  std::string id;
  std::string text;
  // Filters of this query alone (empty: none); they replace the command
  // line's filter of the same kind.
  std::string group;
  std::string category;
  std::string lang;
};

// JSON Lines of {"id", "text", optional "group", "category", "lang"}; without
// "text", "title" and "question" are joined. Throws askalike::ParseError
// naming `source` and the line.
std::vector<Query> read_queries_jsonl(std::istream& in, const std::string& source);

// One query per non-blank line; the id is the line number.
std::vector<Query> read_query_lines(std::istream& in);

// Runs every query with `base` plus its own filters on `threads` threads
// (Searcher::similar_batch; queries that share filters run as one batch).
// With `exclude_self`, the record whose id is the query's id is left out of
// its hits (ranks and the offset count without it).
std::vector<Results> run_queries(const Searcher& searcher, const std::vector<Query>& queries,
                                 const SearchOptions& base, bool exclude_self, std::size_t threads);

// The ranking and filter options of `similar` and `eval` (-k, --offset,
// --category, ...), and the SearchOptions they give.
void add_search_options(po::options_description& options, std::size_t default_k);
SearchOptions search_options_from(const Command& cmd);
// What the searcher is opened with (--timeout), for every command that
// searches (add_search_options includes them; `serve` adds them alone).
void add_searcher_options(po::options_description& options);
SearcherOptions searcher_options_from(const Command& cmd);

// read_queries_jsonl() of a file, or of stdin for "-". Throws askalike::Error.
std::vector<Query> load_queries_file(const std::string& path);

}  // namespace askalike::cli

#endif  // ASKALIKE_TOOLS_QUERIES_HPP_
