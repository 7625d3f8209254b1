// askalike embed: store with every record of a database the embedding of its
// title and question, for the semantic re-ranking (issue 28).
#include <askalike/askalike.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli.hpp"

namespace askalike::cli {

int cmd_embed(const std::vector<std::string>& args) {
  Command cmd("embed", "askalike embed -d DB --model DIR",
              "Stores with every record of DB the embedding of its title and question by the\n"
              "sentence-embedding model in folder DIR (a sentence-transformers BERT-family\n"
              "folder such as all-MiniLM-L6-v2; askalike ships none), so that searches rank\n"
              "their best records by words again by meaning. DB is changed in place (no source\n"
              "file is read again), committing every 1,024 records: an interrupted run keeps\n"
              "what it did and running it again does the rest. A database built with another\n"
              "model is refused: `askalike reindex --model DIR` re-embeds into a copy.");
  cmd.options().add_options()
      ("model", po::value<std::string>()->value_name("DIR"),
       "the model folder (default: $ASKALIKE_MODEL)")
      ("quiet,q", "no progress line");
  if (!cmd.parse(args)) return kExitOk;
  std::string model;
  if (cmd.has("model")) {
    model = cmd.get<std::string>("model");
  } else if (const char* env = std::getenv("ASKALIKE_MODEL"); env && *env) {
    model = env;
  } else {
    cmd.usage_error("no model: give --model DIR (or set ASKALIKE_MODEL)");
  }
  const bool progress = !cmd.has("quiet") && is_terminal(2);
  auto start = std::chrono::steady_clock::now();
  EmbedReport report = embed_database(cmd.db(), model, [&](std::size_t done, std::size_t total) {
    if (progress) std::fprintf(stderr, "\rembedding: %zu of %zu records\x1b[K", done, total);
  });
  if (progress) std::fprintf(stderr, "\r\x1b[K");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("embedded %zu record%s in %.1f s (%zu had a vector already)\n", report.embedded,
              report.embedded == 1 ? "" : "s", seconds, report.kept);
  return kExitOk;
}

}  // namespace askalike::cli
