// askalike_bench: askalike driven through its C++ API with the same interface
// and output as the peers (benchmarks/peers/peer_common.hpp), so that the
// speed harness measures every engine the same way.
//
//   askalike_bench index CORPUS.jsonl DIR      IndexWriter::add_jsonl + commit
//   askalike_bench search DIR QUERIES.jsonl --k N [--threads T] [--exclude-self] [--run OUT]
//                  [--no-spelling] [--question-type-weight W] [--serial-shards] [--common-word-share S]
//                  [--parallel-min-postings N]
//                                              one Searcher shared by all threads,
//                                              similar() without snippets or facets;
//                                              the last three switch off features that
//                                              are on by default, to time what they cost
//   askalike_bench index ... --shards N        a collection of N shards
//   askalike_bench index ... --model DIR       with embeddings (issue 28); search ... --no-semantic
//   askalike_bench compact DIR OUT             compact_database
#include <askalike/askalike.hpp>

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "peer_common.hpp"

namespace {

// The search options the askalike-only arguments set (the others are the
// peers' own, peer_common.hpp).
askalike::SearchOptions feature_options;
askalike::SearcherOptions searcher_options;
askalike::IndexOptions index_options;

// Takes the askalike-only arguments out of argv.
std::vector<char*> take_feature_options(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--no-spelling") {
      feature_options.spelling = false;
    } else if (arg == "--question-type-weight" && i + 1 < argc) {
      feature_options.question_type_weight = std::stod(argv[++i]);
    } else if (arg == "--common-word-share" && i + 1 < argc) {
      feature_options.common_word_share = std::stod(argv[++i]);
    } else if (arg == "--serial-shards") {
      searcher_options.parallel_shards = false;
    } else if (arg == "--parallel-min-postings" && i + 1 < argc) {  // issue 27: 0 = every query at once
      searcher_options.parallel_min_postings = std::stoull(argv[++i]);
    } else if (arg == "--model" && i + 1 < argc) {  // issue 28: index with a model
      index_options.embedding_model = argv[++i];
    } else if (arg == "--no-semantic") {
      feature_options.semantic = false;
    } else if (arg == "--shards" && i + 1 < argc) {
      index_options.shards = static_cast<unsigned>(std::stoul(argv[++i]));
    } else {
      rest.push_back(argv[i]);
    }
  }
  return rest;
}

int do_index(const std::string& corpus, const std::string& dir) {
  double t0 = peer::now_s();
  std::filesystem::remove_all(dir);
  std::size_t n = 0;
  {
    askalike::IndexWriter writer(dir, index_options);
    std::ifstream in(corpus);
    if (!in) throw std::runtime_error("cannot read " + corpus);
    askalike::IngestReport report = writer.add_jsonl(in, corpus);
    writer.commit();
    n = report.read;
  }
  peer::print_index_report(n, peer::now_s() - t0, dir);
  return 0;
}

}  // namespace

int search(const peer::SearchArgs& a) {
  // Open time: what a process pays before its first query (the page cache is
  // warm: the harness has just built or searched this index).
  double t0 = peer::now_s();
  askalike::Searcher searcher(a.dir, searcher_options);  // thread-safe: shared by all threads
  double open_ms = (peer::now_s() - t0) * 1000.0;
  return peer::run_search(a, [&]() -> peer::Worker {
    return [&searcher](const peer::Query& q, std::size_t k, bool exclude_self) {
      askalike::SearchOptions options = feature_options;
      options.k = k;
      // Ids and scores only, as the peers return them.
      options.snippets = false;
      options.facets = false;
      options.records = false;
      options.match_details = false;
      options.group = q.group;
      if (exclude_self) options.exclude_id = q.id;
      askalike::Results res = searcher.similar(q.text, options);
      std::vector<peer::Hit> hits;
      hits.reserve(res.hits.size());
      for (const auto& h : res.hits) hits.push_back({h.id, h.score});
      return hits;
    };
  }, open_ms);
}

int compact(const std::string& source, const std::string& destination) {
  double t0 = peer::now_s();
  askalike::compact_database(source, destination);
  peer::print_index_report(0, peer::now_s() - t0, destination);
  return 0;
}

int main(int argc, char** argv) {
  std::vector<char*> args = take_feature_options(argc, argv);
  return peer::dispatch(static_cast<int>(args.size()), args.data(), "askalike", do_index, search, {{"compact", compact}});
}
