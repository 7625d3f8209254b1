// askalike learn: learn word associations from a database's own questions
// and answers, and store them in it.
#include <askalike/askalike.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace askalike::cli {

int cmd_learn(const std::vector<std::string>& args) {
  Command cmd("learn", "askalike learn -d DB [OPTIONS]",
              "Learns from the database's question-answer pairs which words its answers use\n"
              "for the words of its questions (\"heart attack\" -> myocardial, infarction) and\n"
              "stores them in the database, replacing those learned before. Searches add a\n"
              "few of them to a query (`similar --associations N`); `stats --word W` shows\n"
              "them. Records added later count once it is run again.");
  const LearnOptions d;
  cmd.options().add_options()
      ("per-word", po::value<long long>()->default_value(static_cast<long long>(d.per_word))->value_name("N"),
       "associated words kept per question word")
      ("min-records", po::value<long long>()->default_value(static_cast<long long>(d.min_records))->value_name("N"),
       "records a pair of words must be met in")
      ("answer-words", po::value<long long>()->default_value(static_cast<long long>(d.answer_words))->value_name("N"),
       "most specific words of each answer that count")
      ("quiet,q", "no progress line");
  if (!cmd.parse(args)) return kExitOk;
  LearnOptions options;
  options.per_word = cmd.count("per-word", 1, kMaxAssociationsPerWord);
  options.min_records = cmd.count("min-records", 1, std::size_t(1) << 32);
  options.answer_words = cmd.count("answer-words", 1, 10000);
  const bool progress = !cmd.has("quiet") && is_terminal(2);
  if (progress) {
    options.progress_every = 500;
    options.progress = [](std::size_t done, std::size_t total) {
      std::fprintf(stderr, "\rlearning: %zu of %zu records read\x1b[K", done, total);
    };
  }
  IndexOptions open;
  open.create_if_missing = false;
  IndexWriter writer(cmd.db(), open);
  auto start = std::chrono::steady_clock::now();
  LearnReport report = writer.learn_associations(options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (progress) std::fprintf(stderr, "\r\x1b[K");
  std::printf("learned %zu associations for %zu words from %zu records in %.1f s (%zu bytes stored)\n",
              report.associations, report.words, report.records, seconds, report.bytes);
  return kExitOk;
}

}  // namespace askalike::cli
