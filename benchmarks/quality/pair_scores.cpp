// pair_scores: the askalike side of the quality benchmark (benchmarks/quality).
//
// Links the library directly, so that every SearchOptions / AnalyzerOptions /
// RankingOptions setting can be varied from the command line for ablations.
//
//   pair_scores index CORPUS.jsonl DB [--analyzer KEY=VALUE ...] [--ranking KEY=VALUE ...]
//   pair_scores search DB QUERIES.jsonl --run OUT.trec [--k N] [--exclude-self]
//               [--threads T] [--tag NAME] [--opt KEY=VALUE ...]
//   pair_scores --pairs DB PAIRS.jsonl      (also: pair_scores pairs DB PAIRS.jsonl)
//   pair_scores qtype TEXTS.jsonl           (question_types.py)
//
// index: builds DB from JSON Lines records (DB must not exist yet).
// search: one query per line {"id", "text", "group"?}; a group limits the
//   query to that group's records, --exclude-self drops the record whose id is
//   the query's id. Writes a TREC run (qid Q0 docid rank score tag).
// --pairs: for each line {"id", "a", "b", ...} prints "id<TAB>score" with
//   score = Searcher::similarity(a, b) on DB's statistics.
// qtype: for each line {"id", "text"} prints "id<TAB>type" with
//   type = askalike::question_type(text) ("" when none).
//
// --analyzer keys: fold_case, fold_accents, traditional_to_simplified,
//   stop_words, stem, cjk_bigrams, cjk_unigrams (0/1), cjk_unigram_weight, cjk_bigram_weight
//   (0..1), default_language, max_term_bytes.
// --ranking keys (database settings): title_weight, question_weight, answer_weight, bm25_b;
//   and the IndexOptions spelling_table, question_types (0/1).
// --ranking embedding_model=DIR: IndexOptions::embedding_model (issue 28).
// --opt keys: semantic (0/1), semantic_depth, semantic_lexical_weight;
// bm25_k1, max_query_terms, min_score, spelling (0/1), question_type_weight, common_word_share,
//   max_associations, association_weight, feedback_terms, feedback_documents, feedback_weight.
// index also learns the word associations (IndexWriter::learn_associations),
//   so that a variant may turn them on.
#include <askalike/askalike.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "pair_scores: " << why << "\n"
            << "usage: pair_scores index CORPUS.jsonl DB [--analyzer KEY=VALUE ...]\n"
            << "       pair_scores search DB QUERIES.jsonl --run OUT.trec [--k N] [--exclude-self]\n"
            << "                   [--threads T] [--tag NAME] [--opt KEY=VALUE ...]\n"
            << "       pair_scores --pairs DB PAIRS.jsonl\n";
  std::exit(2);
}

bool parse_bool(const std::string& key, const std::string& v) {
  if (v == "1" || v == "true" || v == "on" || v == "yes") return true;
  if (v == "0" || v == "false" || v == "off" || v == "no") return false;
  usage("bad boolean for " + key + ": " + v);
}

double parse_double(const std::string& key, const std::string& v) {
  try {
    std::size_t used = 0;
    double d = std::stod(v, &used);
    if (used == v.size()) return d;
  } catch (const std::exception&) {
  }
  usage("bad number for " + key + ": " + v);
}

std::pair<std::string, std::string> split_kv(const std::string& kv) {
  auto eq = kv.find('=');
  if (eq == std::string::npos) usage("expected KEY=VALUE, got " + kv);
  return {kv.substr(0, eq), kv.substr(eq + 1)};
}

void set_analyzer_option(askalike::AnalyzerOptions& o, const std::string& kv) {
  auto [k, v] = split_kv(kv);
  if (k == "fold_case") o.fold_case = parse_bool(k, v);
  else if (k == "fold_accents") o.fold_accents = parse_bool(k, v);
  else if (k == "traditional_to_simplified") o.traditional_to_simplified = parse_bool(k, v);
  else if (k == "stop_words") o.stop_words = parse_bool(k, v);
  else if (k == "stem") o.stem = parse_bool(k, v);
  else if (k == "cjk_bigrams") o.cjk_bigrams = parse_bool(k, v);
  else if (k == "cjk_unigrams") o.cjk_unigrams = parse_bool(k, v);
  else if (k == "cjk_unigram_weight") o.cjk_unigram_weight = parse_double(k, v);
  else if (k == "cjk_bigram_weight") o.cjk_bigram_weight = parse_double(k, v);
  else if (k == "default_language") o.default_language = v;
  else if (k == "max_term_bytes") o.max_term_bytes = static_cast<std::size_t>(parse_double(k, v));
  else usage("unknown analyzer option " + k);
}

void set_ranking_option(askalike::RankingOptions& o, const std::string& kv) {
  auto [k, v] = split_kv(kv);
  if (k == "title_weight") o.title_weight = parse_double(k, v);
  else if (k == "question_weight") o.question_weight = parse_double(k, v);
  else if (k == "answer_weight") o.answer_weight = parse_double(k, v);
  else if (k == "bm25_b") o.bm25_b = parse_double(k, v);
  else usage("unknown ranking option " + k);
}

void set_search_option(askalike::SearchOptions& o, const std::string& kv) {
  auto [k, v] = split_kv(kv);
  if (k == "bm25_k1") o.bm25_k1 = parse_double(k, v);
  else if (k == "max_query_terms") o.max_query_terms = static_cast<std::size_t>(parse_double(k, v));
  else if (k == "min_score") o.min_score = parse_double(k, v);
  else if (k == "spelling") o.spelling = parse_bool(k, v);
  else if (k == "question_type_weight") o.question_type_weight = parse_double(k, v);
  else if (k == "common_word_share") o.common_word_share = parse_double(k, v);
  else if (k == "max_associations") o.max_associations = static_cast<std::size_t>(parse_double(k, v));
  else if (k == "association_weight") o.association_weight = parse_double(k, v);
  else if (k == "feedback_terms") o.feedback_terms = static_cast<std::size_t>(parse_double(k, v));
  else if (k == "feedback_documents") o.feedback_documents = static_cast<std::size_t>(parse_double(k, v));
  else if (k == "feedback_weight") o.feedback_weight = parse_double(k, v);
  else if (k == "semantic") o.semantic = parse_bool(k, v);
  else if (k == "semantic_depth") o.semantic_depth = static_cast<std::size_t>(parse_double(k, v));  // unset: by language
  else if (k == "semantic_lexical_weight") o.semantic_lexical_weight = parse_double(k, v);
  else usage("unknown search option " + k);
}

std::string str_field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::string();
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) usage("cannot read " + path);
  std::vector<nlohmann::json> out;
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      out.push_back(nlohmann::json::parse(line));
    } catch (const std::exception& e) {
      std::cerr << path << ":" << n << ": " << e.what() << "\n";
      std::exit(1);
    }
  }
  return out;
}

int cmd_index(const std::vector<std::string>& args) {
  if (args.size() < 2) usage("index needs CORPUS.jsonl DB");
  askalike::IndexOptions options;
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "--analyzer" && i + 1 < args.size()) set_analyzer_option(options.analyzer, args[++i]);
    else if (args[i] == "--ranking" && i + 1 < args.size() && args[i + 1].rfind("spelling_table=", 0) == 0)
      options.spelling = parse_bool("spelling_table", args[++i].substr(15));
    else if (args[i] == "--ranking" && i + 1 < args.size() && args[i + 1].rfind("question_types=", 0) == 0)
      options.question_types = parse_bool("question_types", args[++i].substr(15));
    else if (args[i] == "--ranking" && i + 1 < args.size() && args[i + 1].rfind("embedding_model=", 0) == 0)
      options.embedding_model = args[++i].substr(16);
    else if (args[i] == "--ranking" && i + 1 < args.size() && args[i + 1].rfind("vector_precision=", 0) == 0) {
      const std::string p = args[++i].substr(17);
      if (p != "int8" && p != "float32") usage("vector_precision is int8 or float32");
      options.vector_precision = p == "int8" ? askalike::VectorPrecision::kInt8 : askalike::VectorPrecision::kFloat32;
    }
    else if (args[i] == "--ranking" && i + 1 < args.size()) {
      if (!options.ranking) options.ranking = askalike::RankingOptions();
      set_ranking_option(*options.ranking, args[++i]);
    } else usage("unknown argument " + args[i]);
  }
  if (std::filesystem::exists(args[1])) usage(args[1] + " exists already");
  std::ifstream in(args[0]);
  if (!in) usage("cannot read " + args[0]);
  askalike::IndexWriter writer(args[1], options);
  auto report = writer.add_jsonl(in, args[0]);
  writer.commit();
  auto learned = writer.learn_associations();
  std::cout << "{\"records\":" << report.read << ",\"associations\":" << learned.associations
            << ",\"association_bytes\":" << learned.bytes << ",\"analyzer\":"
            << nlohmann::json(options.analyzer.serialize()).dump() << "}\n";
  return 0;
}

int cmd_search(const std::vector<std::string>& args) {
  if (args.size() < 2) usage("search needs DB QUERIES.jsonl");
  askalike::SearchOptions base;
  base.k = 100;
  base.snippets = false;
  base.facets = false;
  std::string run_path, tag = "askalike";
  bool exclude_self = false;
  std::size_t threads = 1;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool has_next = i + 1 < args.size();
    if (a == "--k" && has_next) base.k = static_cast<std::size_t>(parse_double(a, args[++i]));
    else if (a == "--run" && has_next) run_path = args[++i];
    else if (a == "--tag" && has_next) tag = args[++i];
    else if (a == "--threads" && has_next) threads = static_cast<std::size_t>(parse_double(a, args[++i]));
    else if (a == "--exclude-self") exclude_self = true;
    else if (a == "--opt" && has_next) set_search_option(base, args[++i]);
    else usage("unknown argument " + a);
  }
  if (run_path.empty()) usage("search needs --run OUT.trec");
  if (threads == 0) threads = 1;

  askalike::Searcher searcher(args[0]);
  auto queries = read_jsonl(args[1]);
  std::vector<std::vector<std::pair<std::string, double>>> results(queries.size());
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::string first_error;
  auto worker = [&] {
    for (;;) {
      std::size_t i = next++;
      if (i >= queries.size()) return;
      try {
        askalike::SearchOptions o = base;
        o.group = str_field(queries[i], "group");
        if (exclude_self) o.exclude_id = str_field(queries[i], "id");
        auto res = searcher.similar(str_field(queries[i], "text"), o);
        for (const auto& h : res.hits) results[i].emplace_back(h.id, h.score);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (first_error.empty()) first_error = e.what();
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (!first_error.empty()) {
    std::cerr << "pair_scores: search failed: " << first_error << "\n";
    return 1;
  }
  std::ofstream out(run_path);
  if (!out) usage("cannot write " + run_path);
  char score[64];
  for (std::size_t i = 0; i < queries.size(); ++i) {
    std::string qid = str_field(queries[i], "id");
    std::size_t rank = 0;
    for (const auto& [id, s] : results[i]) {
      std::snprintf(score, sizeof score, "%.6f", s);
      out << qid << " Q0 " << id << " " << ++rank << " " << score << " " << tag << "\n";
    }
  }
  return out ? 0 : 1;
}

int cmd_pairs(const std::vector<std::string>& args) {
  if (args.size() != 2) usage("--pairs needs DB PAIRS.jsonl");
  askalike::Searcher searcher(args[0]);
  auto pairs = read_jsonl(args[1]);
  std::string buf;
  for (const auto& p : pairs) {
    double s = searcher.similarity(str_field(p, "a"), str_field(p, "b"));
    char score[64];
    std::snprintf(score, sizeof score, "%.8f", s);
    std::cout << str_field(p, "id") << "\t" << score << "\n";
  }
  return 0;
}

}  // namespace

int cmd_qtype(const std::vector<std::string>& args) {
  if (args.size() != 1) usage("qtype needs TEXTS.jsonl");
  for (const nlohmann::json& j : read_jsonl(args[0]))
    std::cout << str_field(j, "id") << "\t" << askalike::question_type(str_field(j, "text")) << "\n";
  return 0;
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) usage("no command");
  std::string cmd = args[0];
  args.erase(args.begin());
  try {
    if (cmd == "index") return cmd_index(args);
    if (cmd == "search") return cmd_search(args);
    if (cmd == "--pairs" || cmd == "pairs") return cmd_pairs(args);
    if (cmd == "qtype") return cmd_qtype(args);
    usage("unknown command " + cmd);
  } catch (const askalike::Error& e) {
    std::cerr << "pair_scores: " << askalike::error_code_name(e.code()) << ": " << e.what() << "\n";
    return 1;
  }
}
