// askalike eval: run a set of queries and score the rankings against TREC
// qrels (MAP, MRR, P@1, nDCG@10, Recall@10, Recall@100).
#include <askalike/askalike.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "metrics.hpp"
#include "output.hpp"
#include "queries.hpp"

namespace askalike::cli {

int cmd_eval(const std::vector<std::string>& args) {
  Command cmd("eval", "askalike eval -d DB --queries Q.jsonl --qrels QRELS [OPTIONS]",
              "Runs every query of Q.jsonl ({\"id\", \"text\"}, optional \"group\", \"category\",\n"
              "\"lang\") and scores the rankings against the TREC qrels (qid 0 docid grade) with\n"
              "trec_eval's definitions: grade >= 1 is relevant, ties are ranked by document id;\n"
              "MAP, MRR, P@1, nDCG@10 (gain = grade, log2 discount), Recall@10 and Recall@100,\n"
              "averaged over the queries that have a relevant document.");
  add_search_options(cmd.options(), 100);
  cmd.options().add_options()
      ("queries", po::value<std::string>()->required()->value_name("FILE"), "JSON Lines of queries")
      ("qrels", po::value<std::string>()->required()->value_name("FILE"), "TREC qrels: qid iter docid grade")
      ("official-map", "MAP over every judged query, those without a relevant document as 0 (SemEval's MAP)")
      ("run", po::value<std::string>()->value_name("FILE"), "also write the rankings as a TREC run to FILE");
  if (!cmd.parse(args)) return kExitOk;

  SearchOptions options = search_options_from(cmd);
  options.snippets = false;
  options.facets = false;
  options.records = false;  // scoring needs ids and scores only
  options.match_details = false;
  const std::string qrels_path = cmd.get<std::string>("qrels");
  std::ifstream qrels_in(qrels_path, std::ios::binary);
  if (!qrels_in) throw Error(ErrorCode::kIO, qrels_path + ": cannot open the qrels file");
  metrics::Qrels qrels = metrics::read_qrels(qrels_in, qrels_path);
  std::vector<Query> queries = load_queries_file(cmd.get<std::string>("queries"));
  if (options.k < 100)
    print_error("note: -k " + std::to_string(options.k) + " < 100: Recall@100 counts only the top " +
                std::to_string(options.k));

  Searcher searcher(cmd.db(), searcher_options_from(cmd));
  std::vector<Results> results =
      run_queries(searcher, queries, options, cmd.has("exclude-self"), cmd.count("threads", 0, kMaxThreads));

  std::vector<metrics::QueryRun> runs;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    metrics::QueryRun run{queries[i].id, {}};
    for (const auto& hit : results[i].hits) run.docs.push_back({hit.id, hit.score});
    runs.push_back(std::move(run));
  }
  if (cmd.has("run")) {
    const std::string path = cmd.get<std::string>("run");
    std::ofstream out(path, std::ios::binary);
    if (!out) throw Error(ErrorCode::kIO, path + ": cannot write the run file");
    for (std::size_t i = 0; i < queries.size(); ++i) write_trec(out, queries[i].id, results[i]);
    if (!out.flush()) throw Error(ErrorCode::kIO, path + ": write error");
  }

  metrics::Summary s = metrics::evaluate(runs, qrels, cmd.has("official-map"));
  if (s.evaluated == 0)
    print_error("warning: no query has a relevant document in " + qrels_path +
                " (do the query ids match the qrels' first column?)");
  auto line = [](const char* name, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%-11s %.4f\n", name, value);
    std::cout << buf;
  };
  std::cout << "queries     " << s.queries << " (" << s.evaluated << " with a relevant document)\n";
  line("MAP", s.map);
  line("MRR", s.mrr);
  line("P@1", s.p1);
  line("nDCG@10", s.ndcg10);
  line("Recall@10", s.recall10);
  line("Recall@100", s.recall100);
  if (cmd.has("official-map"))
    std::cout << "(MAP over " << s.map_queries << " judged queries, those without a relevant document as 0)\n";
  std::cout << std::flush;
  return kExitOk;
}

}  // namespace askalike::cli
