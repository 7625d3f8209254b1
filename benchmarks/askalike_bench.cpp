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

int search(const peer::SearchArgs& a) {
  // Open time: what a process pays before its first query (the page cache is
  // warm: the harness has just built or searched this index).
  double t0 = peer::now_s();
  askalike::Searcher searcher(a.dir);  // thread-safe: shared by all threads
  double open_ms = (peer::now_s() - t0) * 1000.0;
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
  }, open_ms);
}

int compact(const std::string& source, const std::string& destination) {
  double t0 = peer::now_s();
  askalike::compact_database(source, destination);
  peer::print_index_report(0, peer::now_s() - t0, destination);
  return 0;
}

int main(int argc, char** argv) {
  return peer::dispatch(argc, argv, "askalike", do_index, search, {{"compact", compact}});
}
