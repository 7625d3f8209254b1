// askalike command-line tool: retrieval metrics with trec_eval's definitions.
//
//   auto qrels = askalike::metrics::read_qrels(in, "qrels.txt");
//   std::vector<askalike::metrics::QueryRun> runs = ...;  // per query: hits and scores
//   auto s = askalike::metrics::evaluate(runs, qrels, /*official_map=*/false);
//   std::cout << s.map << " " << s.ndcg10 << "\n";
//
// Conventions (trec_eval's, so that numbers can be checked with it):
// - A document is relevant when its grade is >= 1; unjudged documents are not.
// - A run is ordered by score, highest first, ties broken by document id in
//   decreasing byte order (trec_eval ignores the rank column); a document
//   listed twice counts once, at its first place.
// - Queries without a relevant document are left out of every mean, except
//   with official_map, where MAP counts every judged query (one that is in
//   the qrels), those without a relevant document as 0 (SemEval's official
//   MAP, trec_eval -c over the qrels' queries).
// - MAP: average precision over the whole run, divided by the number of
//   relevant documents. MRR: 1/rank of the first relevant document (0 when
//   none). P@1. nDCG@10 (trec_eval's ndcg_cut.10): gain = grade, discount
//   log2(rank + 1), ideal = the judged grades best first, cut at 10.
//   Recall@k: relevant documents in the top k / relevant documents.
#ifndef ASKALIKE_TOOLS_METRICS_HPP_
#define ASKALIKE_TOOLS_METRICS_HPP_

#include <cstddef>
#include <istream>
#include <map>
#include <string>
#include <vector>

namespace askalike::metrics {

// query id -> document id -> grade.
using Judgments = std::map<std::string, int>;
using Qrels = std::map<std::string, Judgments>;

// TREC qrels: "qid iter docid grade" per line (blank lines ignored; a
// document judged twice keeps its higher grade). Throws
// askalike::ParseError(source, line, reason) on a malformed line.
Qrels read_qrels(std::istream& in, const std::string& source);

struct ScoredDoc {
  std::string id;
  double score = 0.0;
};

struct QueryRun {
  std::string query_id;
  std::vector<ScoredDoc> docs;  // in any order; ranked by trec_eval_order()
};

// Document ids best first, as trec_eval ranks them (see above).
std::vector<std::string> trec_eval_order(std::vector<ScoredDoc> docs);

// The per-query measures; `ranked` is best first.
std::size_t relevant_count(const Judgments& judged);
double average_precision(const std::vector<std::string>& ranked, const Judgments& judged);
double reciprocal_rank(const std::vector<std::string>& ranked, const Judgments& judged);
double precision_at(const std::vector<std::string>& ranked, const Judgments& judged, std::size_t k);
double recall_at(const std::vector<std::string>& ranked, const Judgments& judged, std::size_t k);
double ndcg_at(const std::vector<std::string>& ranked, const Judgments& judged, std::size_t k);

struct Summary {
  std::size_t queries = 0;         // queries run
  std::size_t evaluated = 0;       // ... with at least one relevant document
  std::size_t map_queries = 0;     // the queries MAP is averaged over
  double map = 0.0;
  double mrr = 0.0;
  double p1 = 0.0;
  double ndcg10 = 0.0;
  double recall10 = 0.0;
  double recall100 = 0.0;
};

Summary evaluate(const std::vector<QueryRun>& runs, const Qrels& qrels, bool official_map);

}  // namespace askalike::metrics

#endif  // ASKALIKE_TOOLS_METRICS_HPP_
