// Retrieval metrics with trec_eval's definitions (see metrics.hpp).
#include "metrics.hpp"

#include <askalike/error.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace askalike::metrics {

Qrels read_qrels(std::istream& in, const std::string& source) {
  Qrels qrels;
  std::string text;
  std::size_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    std::istringstream words(text);
    std::vector<std::string> parts;
    for (std::string w; words >> w;) parts.push_back(w);
    if (parts.empty()) continue;
    if (parts.size() != 4) throw ParseError(source, line, "expected 'qid iter docid grade' (4 fields)");
    int grade = 0;
    try {
      std::size_t used = 0;
      grade = std::stoi(parts[3], &used);
      if (used != parts[3].size()) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      throw ParseError(source, line, "the grade '" + parts[3] + "' is not an integer");
    }
    // A document judged twice keeps its higher grade.
    auto [it, added] = qrels[parts[0]].emplace(parts[2], grade);
    if (!added && grade > it->second) it->second = grade;
  }
  if (in.bad()) throw Error(ErrorCode::kIO, source + ": read error");
  return qrels;
}

std::vector<std::string> trec_eval_order(std::vector<ScoredDoc> docs) {
  // Stable, so that a document listed twice keeps its better place first.
  std::stable_sort(docs.begin(), docs.end(), [](const ScoredDoc& a, const ScoredDoc& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.id > b.id;
  });
  std::vector<std::string> ranked;
  std::set<std::string> seen;
  for (auto& d : docs)
    if (seen.insert(d.id).second) ranked.push_back(std::move(d.id));
  return ranked;
}

namespace {

int grade_of(const Judgments& judged, const std::string& id) {
  auto it = judged.find(id);
  return it == judged.end() ? 0 : it->second;
}

bool relevant(const Judgments& judged, const std::string& id) { return grade_of(judged, id) >= 1; }

}  // namespace

std::size_t relevant_count(const Judgments& judged) {
  std::size_t n = 0;
  for (const auto& [id, grade] : judged) n += grade >= 1;
  return n;
}

double average_precision(const std::vector<std::string>& ranked, const Judgments& judged) {
  std::size_t num_rel = relevant_count(judged);
  if (num_rel == 0) return 0.0;
  double sum = 0.0;
  std::size_t found = 0;
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    if (!relevant(judged, ranked[i])) continue;
    ++found;
    sum += static_cast<double>(found) / static_cast<double>(i + 1);
  }
  return sum / static_cast<double>(num_rel);
}

double reciprocal_rank(const std::vector<std::string>& ranked, const Judgments& judged) {
  for (std::size_t i = 0; i < ranked.size(); ++i)
    if (relevant(judged, ranked[i])) return 1.0 / static_cast<double>(i + 1);
  return 0.0;
}

double precision_at(const std::vector<std::string>& ranked, const Judgments& judged, std::size_t k) {
  if (k == 0) return 0.0;
  std::size_t found = 0;
  for (std::size_t i = 0; i < ranked.size() && i < k; ++i) found += relevant(judged, ranked[i]);
  return static_cast<double>(found) / static_cast<double>(k);  // trec_eval divides by k, not by what was returned
}

double recall_at(const std::vector<std::string>& ranked, const Judgments& judged, std::size_t k) {
  std::size_t num_rel = relevant_count(judged);
  if (num_rel == 0) return 0.0;
  std::size_t found = 0;
  for (std::size_t i = 0; i < ranked.size() && i < k; ++i) found += relevant(judged, ranked[i]);
  return static_cast<double>(found) / static_cast<double>(num_rel);
}

double ndcg_at(const std::vector<std::string>& ranked, const Judgments& judged, std::size_t k) {
  double dcg = 0.0;
  for (std::size_t i = 0; i < ranked.size() && i < k; ++i) {
    int g = grade_of(judged, ranked[i]);
    if (g > 0) dcg += g / std::log2(static_cast<double>(i + 2));  // rank i+1: log2(rank + 1)
  }
  std::vector<int> ideal;
  for (const auto& [id, grade] : judged)
    if (grade > 0) ideal.push_back(grade);
  std::sort(ideal.rbegin(), ideal.rend());
  double idcg = 0.0;
  for (std::size_t i = 0; i < ideal.size() && i < k; ++i) idcg += ideal[i] / std::log2(static_cast<double>(i + 2));
  return idcg > 0 ? dcg / idcg : 0.0;
}

Summary evaluate(const std::vector<QueryRun>& runs, const Qrels& qrels, bool official_map) {
  Summary s;
  s.queries = runs.size();
  double map_sum = 0.0;
  static const Judgments kNone;
  for (const auto& run : runs) {
    auto it = qrels.find(run.query_id);
    const Judgments& judged = it == qrels.end() ? kNone : it->second;
    std::vector<std::string> ranked = trec_eval_order(run.docs);
    const bool has_relevant = relevant_count(judged) > 0;
    if (has_relevant || (official_map && it != qrels.end())) {
      ++s.map_queries;
      map_sum += average_precision(ranked, judged);
    }
    if (!has_relevant) continue;
    ++s.evaluated;
    s.mrr += reciprocal_rank(ranked, judged);
    s.p1 += precision_at(ranked, judged, 1);
    s.ndcg10 += ndcg_at(ranked, judged, 10);
    s.recall10 += recall_at(ranked, judged, 10);
    s.recall100 += recall_at(ranked, judged, 100);
  }
  if (s.map_queries) s.map = map_sum / static_cast<double>(s.map_queries);
  if (s.evaluated) {
    double n = static_cast<double>(s.evaluated);
    s.mrr /= n;
    s.p1 /= n;
    s.ndcg10 /= n;
    s.recall10 /= n;
    s.recall100 /= n;
  }
  return s;
}

}  // namespace askalike::metrics
