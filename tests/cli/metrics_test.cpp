// tools/metrics: trec_eval's definitions, checked on runs small enough to
// score by hand (the arithmetic is in the comments).
#include <askalike/error.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "metrics.hpp"

namespace m = askalike::metrics;

TEST_CASE("trec_eval order: score descending, ties by document id descending, duplicates once") {
  std::vector<m::ScoredDoc> docs = {{"a", 1.0}, {"c", 2.0}, {"b", 2.0}, {"d", 0.5}, {"c", 0.1}};
  CHECK(m::trec_eval_order(docs) == std::vector<std::string>{"c", "b", "a", "d"});
}

TEST_CASE("per-query measures") {
  // Judged: r1 grade 2, r2 grade 1, n grade 0 (judged non-relevant).
  m::Judgments judged = {{"r1", 2}, {"r2", 1}, {"n", 0}};
  // Ranking: n, r1, x (unjudged), r2.
  std::vector<std::string> ranked = {"n", "r1", "x", "r2"};
  CHECK(m::relevant_count(judged) == 2);
  // AP = (1/2 + 2/4) / 2 = 0.5
  CHECK(m::average_precision(ranked, judged) == doctest::Approx(0.5));
  // RR = 1/2
  CHECK(m::reciprocal_rank(ranked, judged) == doctest::Approx(0.5));
  // P@1 = 0; P@2 = 1/2; P@10 = 2/10 (trec_eval divides by the cutoff)
  CHECK(m::precision_at(ranked, judged, 1) == doctest::Approx(0.0));
  CHECK(m::precision_at(ranked, judged, 2) == doctest::Approx(0.5));
  CHECK(m::precision_at(ranked, judged, 10) == doctest::Approx(0.2));
  // Recall@2 = 1/2; Recall@10 = 2/2
  CHECK(m::recall_at(ranked, judged, 2) == doctest::Approx(0.5));
  CHECK(m::recall_at(ranked, judged, 10) == doctest::Approx(1.0));
  // DCG@10 = 2/log2(3) + 1/log2(5) = 1.26186 + 0.43068 = 1.69254
  // IDCG@10 = 2/log2(2) + 1/log2(3) = 2 + 0.63093 = 2.63093
  // nDCG@10 = 0.64333
  double dcg = 2 / std::log2(3.0) + 1 / std::log2(5.0);
  double idcg = 2 + 1 / std::log2(3.0);
  CHECK(m::ndcg_at(ranked, judged, 10) == doctest::Approx(dcg / idcg));
  CHECK(m::ndcg_at(ranked, judged, 10) == doctest::Approx(0.64333).epsilon(1e-4));
  // nDCG@1 = 0 (n is not relevant)
  CHECK(m::ndcg_at(ranked, judged, 1) == doctest::Approx(0.0));
  // Nothing relevant: every measure is 0.
  m::Judgments none = {{"n", 0}};
  CHECK(m::average_precision(ranked, none) == 0.0);
  CHECK(m::ndcg_at(ranked, none, 10) == 0.0);
  CHECK(m::recall_at(ranked, none, 10) == 0.0);
}

TEST_CASE("evaluate: means over the queries with a relevant document, official MAP over the judged ones") {
  std::istringstream qrels_text(
      "q1 0 d1 1\n"
      "q1 0 d2 0\n"
      "\n"
      "q2 0 d3 3\n"
      "q2 0 d4 1\n"
      "q3 0 d5 0\n");
  m::Qrels qrels = m::read_qrels(qrels_text, "qrels");
  REQUIRE(qrels.size() == 3);
  std::vector<m::QueryRun> runs = {
      {"q1", {{"d2", 3.0}, {"d1", 2.0}}},  // d1 at rank 2: AP 1/2, RR 1/2, P@1 0
      {"q2", {{"d4", 5.0}, {"x", 4.0}}},   // d4 (grade 1) at 1, d3 missing: AP (1/1)/2 = 1/2, RR 1, P@1 1
      {"q3", {{"d5", 1.0}}},               // no relevant document: skipped
      {"q4", {{"d1", 1.0}}},               // not in the qrels: skipped
  };
  m::Summary s = m::evaluate(runs, qrels, false);
  CHECK(s.queries == 4);
  CHECK(s.evaluated == 2);
  // MAP = (0.5 + 0.5) / 2
  CHECK(s.map == doctest::Approx(0.5));
  // MRR = (0.5 + 1) / 2
  CHECK(s.mrr == doctest::Approx(0.75));
  // P@1 = (0 + 1) / 2
  CHECK(s.p1 == doctest::Approx(0.5));
  // q1: DCG = 1/log2(3) = 0.63093, IDCG = 1 -> 0.63093
  // q2: DCG = 1/log2(2) = 1, IDCG = 3 + 1/log2(3) = 3.63093 -> 0.27541
  // mean = 0.45317
  double q1 = 1 / std::log2(3.0), q2 = 1 / (3 + 1 / std::log2(3.0));
  CHECK(s.ndcg10 == doctest::Approx((q1 + q2) / 2));
  // Recall@10: q1 1/1, q2 1/2 -> 0.75
  CHECK(s.recall10 == doctest::Approx(0.75));
  CHECK(s.recall100 == doctest::Approx(0.75));

  // Official MAP: q1, q2 and q3 are judged; q3 counts 0: (0.5 + 0.5 + 0) / 3.
  m::Summary official = m::evaluate(runs, qrels, true);
  CHECK(official.map_queries == 3);
  CHECK(official.map == doctest::Approx(1.0 / 3));
  CHECK(official.mrr == doctest::Approx(0.75));  // the other measures do not change
}

TEST_CASE("read_qrels rejects malformed lines with file and line") {
  std::istringstream bad("q1 0 d1 1\nq1 0 d2\n");
  try {
    m::read_qrels(bad, "my.qrels");
    FAIL("expected a ParseError");
  } catch (const askalike::ParseError& e) {
    CHECK(e.source() == "my.qrels");
    CHECK(e.line() == 2);
  }
  std::istringstream twice("q1 0 d1 2\nq1 0 d1 1\n");
  CHECK(m::read_qrels(twice, "t").at("q1").at("d1") == 2);  // the higher grade stays
  std::istringstream bad_grade("q1 0 d1 high\n");
  CHECK_THROWS_AS(m::read_qrels(bad_grade, "g"), askalike::ParseError);
}
