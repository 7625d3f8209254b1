// askalike reindex: rebuild a database from its stored records, with new
// ranking settings or with field averages renewed; and the ranking options
// that `index` shares.
#include <askalike/askalike.hpp>

#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace askalike::cli {

void add_ranking_options(po::options_description& options) {
  po::options_description ranking(
      "Ranking (database settings, applied as records are indexed; defaults: title 1,\n"
      "question 1, answer 0.1, b 0.75; `askalike stats` shows a database's; to change\n"
      "them on a built database, use `askalike reindex`)");
  ranking.add_options()
      ("title-weight", po::value<double>()->value_name("W"), "weight of matches in the title")
      ("question-weight", po::value<double>()->value_name("W"), "weight of matches in the question")
      ("answer-weight", po::value<double>()->value_name("W"), "weight of matches in the answer")
      ("bm25-b", po::value<double>()->value_name("B"), "BM25 length normalisation within each field, 0..1");
  options.add(ranking);
}

std::optional<RankingOptions> ranking_options_from(const Command& cmd, const RankingOptions& base) {
  if (!cmd.has("title-weight") && !cmd.has("question-weight") && !cmd.has("answer-weight") && !cmd.has("bm25-b"))
    return std::nullopt;
  RankingOptions o = base;
  if (cmd.has("title-weight")) o.title_weight = cmd.get<double>("title-weight");
  if (cmd.has("question-weight")) o.question_weight = cmd.get<double>("question-weight");
  if (cmd.has("answer-weight")) o.answer_weight = cmd.get<double>("answer-weight");
  if (cmd.has("bm25-b")) o.bm25_b = cmd.get<double>("bm25-b");
  // The library's check, in its words; a bad value is a usage error (exit 2).
  try {
    validate(o);
  } catch (const Error& e) {
    cmd.usage_error(e.what());
  }
  return o;
}

int cmd_reindex(const std::vector<std::string>& args) {
  Command cmd("reindex", "askalike reindex -d DB [OPTIONS] DEST",
              "Writes to DEST (which must not exist) a new database with the records of DB,\n"
              "ranked with the given settings (the others as DB has them), every record\n"
              "normalised by the field averages of the whole collection (a growing database\n"
              "normalises each record by the averages when it was added). DB is left as it\n"
              "is; move DEST into its place when done. The analyzer settings and the word\n"
              "associations learned (`askalike learn`) are kept, and so are the records'\n"
              "embeddings (unless --model embeds them anew).");
  add_ranking_options(cmd.options());
  cmd.options().add_options()
      ("model", po::value<std::string>()->value_name("DIR"),
       "embed every record with the sentence-embedding model in folder DIR, for the semantic "
       "re-ranking (the way to add it to a database built without one; slow: the model runs "
       "on every record)");
  cmd.positional("dest", 1, po::value<std::string>());
  if (!cmd.parse(args)) return kExitOk;
  if (!cmd.has("dest")) cmd.usage_error("no DEST: name the directory for the new database");
  const std::string db = cmd.db();
  const std::string dest = cmd.get<std::string>("dest");
  std::optional<RankingOptions> ranking;
  {
    Searcher current(db);  // the stored settings are the base the options change
    ranking = ranking_options_from(cmd, current.stats().ranking);
  }
  // On a terminal, a progress line: a large rebuild takes minutes.
  std::function<void(std::size_t, std::size_t)> progress;
  bool shown = false;
  if (is_terminal(2))
    progress = [&shown](std::size_t done, std::size_t total) {
      std::cerr << "\rreindexing: " << done << " of " << total << " records\x1b[K" << std::flush;
      shown = true;
    };
  try {
    reindex_database(db, dest, ranking, progress, cmd.has("model") ? cmd.get<std::string>("model") : std::string());
  } catch (...) {
    if (shown) std::cerr << "\r\x1b[K" << std::flush;
    throw;
  }
  if (shown) std::cerr << "\r\x1b[K" << std::flush;
  std::cout << "reindexed " << db << " into " << dest << std::endl;
  return kExitOk;
}

}  // namespace askalike::cli
