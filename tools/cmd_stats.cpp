// askalike stats: what a database holds and how it was built.
#include <askalike/askalike.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace askalike::cli {

int cmd_stats(const std::vector<std::string>& args) {
  Command cmd("stats", "askalike stats -d DB [--top N]",
              "Shows the number of records and terms, the most frequent categories and\n"
              "languages, and the analyzer and ranking settings the database was built with.");
  cmd.options().add_options()
      ("top", po::value<long long>()->default_value(20)->value_name("N"), "categories to list")
      ("word", po::value<std::vector<std::string>>()->value_name("WORD"),
       "show only the index terms learned to go with WORD (`askalike learn`), strongest first (repeatable); "
       "index terms are words as searched: lower-cased and stemmed (\"myocardi\" stands for myocardial, "
       "myocardium, ...)");
  if (!cmd.parse(args)) return kExitOk;
  Searcher searcher(cmd.db());
  if (cmd.has("word")) {
    for (const std::string& word : cmd.get<std::vector<std::string>>("word")) {
      std::vector<Association> learned = searcher.associations(word);
      std::cout << word << ":"
                << (learned.empty() ? " (no associations)" : " index terms (stems) learned to go with it, strongest first")
                << "\n";
      for (const Association& a : learned) {
        char strength[32];
        std::snprintf(strength, sizeof strength, "%.3f", a.strength);
        std::cout << "  " << strength << "\t" << a.term << "\n";
      }
    }
    std::cout << std::flush;
    return kExitOk;
  }
  IndexStats s = searcher.stats();
  char avg[32];
  std::snprintf(avg, sizeof avg, "%.1f", s.average_length);
  std::cout << "database        " << s.path << "\n"
            << "records         " << s.documents << "\n"
            << "distinct terms  " << s.distinct_terms << "\n"
            << "average length  " << avg << " terms\n"
            << "analyzer        " << s.analyzer.serialize() << "\n";
  char ranking[256];
  std::snprintf(ranking, sizeof ranking,
                "title %g, question %g, answer %g, b %g; field averages %.1f, %.1f, %.1f words",
                s.ranking.title_weight, s.ranking.question_weight, s.ranking.answer_weight, s.ranking.bm25_b,
                s.average_title_length, s.average_question_length, s.average_answer_length);
  std::cout << "ranking         " << ranking << "\n";
  const char* rebuild = "off (rebuild to enable: askalike reindex)";
  std::cout << "spelling        " << (s.spelling ? "on" : rebuild) << "\n"
            << "question types  " << (s.question_types ? "on" : rebuild) << "\n";
  if (s.embedding_dimension > 0)
    std::cout << "meaning         " << s.embedding_model << " (" << s.embedding_dimension << " dimensions, "
              << (s.vector_precision == VectorPrecision::kInt8 ? "int8" : "float32") << ", from "
              << s.embedding_model_path << ")\n";
  else
    std::cout << "meaning         off (`askalike reindex --model DIR` embeds the records)\n";
  if (s.associations_learned_from > 0)
    std::cout << "associations    " << s.association_words << " words, learned from " << s.associations_learned_from
              << " records" << (s.associations_learned_from != s.documents ? " (run `askalike learn` to renew)" : "")
              << "\n";
  else
    std::cout << "associations    none (`askalike learn -d DB` learns them)\n";
  const std::size_t top = cmd.count("top", 0, kMaxK);
  std::cout << "categories      " << s.categories.size();
  if (s.categories.size() > top)
    std::cout << " (the top " << top << " of " << s.categories.size() << " below, most frequent first; --top N)";
  std::cout << "\n";
  for (std::size_t i = 0; i < s.categories.size() && i < top; ++i)
    std::cout << "  " << s.categories[i].count << "\t" << s.categories[i].value << "\n";
  std::cout << "languages       " << s.languages.size() << "\n";
  for (const auto& l : s.languages) std::cout << "  " << l.count << "\t" << (l.value.empty() ? "(none)" : l.value) << "\n";
  std::cout << std::flush;
  return kExitOk;
}

}  // namespace askalike::cli
