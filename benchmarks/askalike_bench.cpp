// askalike_bench: askalike driven through its C++ API with the same interface
// and output as the peers (benchmarks/peers/peer_common.hpp), so that the
// speed harness measures every engine the same way.
//
//   askalike_bench index CORPUS.jsonl DIR      IndexWriter::add_jsonl + commit
//   askalike_bench search DIR QUERIES.jsonl --k N [--threads T] [--exclude-self] [--run OUT]
//                                              one Searcher shared by all threads,
//                                              similar() without snippets or facets
//   askalike_bench compact DIR OUT             compact_database
#include <askalike/askalike.hpp>

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "peer_common.hpp"

namespace {

int do_index(const std::string& corpus, const std::string& dir) {
  double t0 = peer::now_s();
  std::filesystem::remove_all(dir);
  std::size_t n = 0;
  {
    askalike::IndexWriter writer(dir);
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

int main(int argc, char** argv) {
  if (argc < 2) return peer::usage(argv[0]);
  std::string cmd = argv[1];
  try {
    if (cmd == "index") {
      if (argc != 4) return peer::usage(argv[0]);
      return do_index(argv[2], argv[3]);
    }
    if (cmd == "compact") {
      if (argc != 4) return peer::usage(argv[0]);
      double t0 = peer::now_s();
      askalike::compact_database(argv[2], argv[3]);
      peer::print_index_report(0, peer::now_s() - t0, argv[3]);
      return 0;
    }
    if (cmd == "search") {
      peer::SearchArgs a = peer::parse_search_args(argc, argv, "askalike");
      askalike::Searcher searcher(a.dir);  // thread-safe: shared by all threads
      return peer::run_search(a, [&]() -> peer::Worker {
        return [&searcher](const peer::Query& q, std::size_t k, bool exclude_self) {
          askalike::SearchOptions options;
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
      });
    }
    return peer::usage(argv[0]);
  } catch (const std::invalid_argument& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return peer::usage(argv[0]);
  } catch (const std::exception& e) {  // askalike::Error included
    std::cerr << argv[0] << ": " << e.what() << "\n";
  }
  return 1;
}
