// The command-line frame shared by the C++ peers of the askalike benchmarks
// (and by askalike_bench): argument parsing, JSON Lines input, timing,
// latency percentiles, peak memory, TREC run output.
//
// Every peer has the same interface, so that a harness can swap them:
//
//   PEER index CORPUS.jsonl DIR
//       -> {"records":N,"seconds":S,"peak_rss_kb":K,"index_bytes":B}
//   PEER search DIR QUERIES.jsonl --k N [--threads T] [--exclude-self]
//               [--run OUT.trec] [--warmup W] [--tag NAME] [--latencies OUT.tsv]
//       -> {"queries":N,"seconds":S,"qps":Q,"p50_ms":..,"p95_ms":..,"p99_ms":..,"peak_rss_kb":K}
//
// A query line is {"id":..., "text":..., "group":... (optional)}: with a group,
// only documents of that group are ranked; --exclude-self drops the document
// whose id equals the query's id. --warmup runs the first W queries once,
// untimed, before the timed pass (on every thread count alike). --latencies
// writes each query's id and time in milliseconds.
#ifndef ASKALIKE_BENCH_PEER_COMMON_HPP_
#define ASKALIKE_BENCH_PEER_COMMON_HPP_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <exception>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace peer {

struct Doc {
  std::string id, title, question, answer, group, lang;
  std::string line;  // the input line, verbatim (what a user would store)
};

struct Query {
  std::string id, text, group;
};

struct Hit {
  std::string id;
  double score = 0.0;
};

inline std::string str_field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::string();
  if (it->is_string()) return it->get<std::string>();
  return it->dump();  // numbers as their text
}

// Calls visit(doc) for every record of a JSON Lines corpus.
inline void read_corpus(const std::string& path, const std::function<void(Doc&)>& visit) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string line;
  std::size_t n = 0;
  Doc d;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string(n) + ": " + e.what());
    }
    d.id = str_field(j, "id");
    d.title = str_field(j, "title");
    d.question = str_field(j, "question");
    d.answer = str_field(j, "answer");
    d.group = str_field(j, "group");
    d.lang = str_field(j, "lang");
    d.line = std::move(line);
    visit(d);
    line = std::move(d.line);
  }
}

inline std::vector<Query> read_queries(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<Query> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line);
    Query q;
    q.id = str_field(j, "id");
    q.text = str_field(j, "text");
    if (q.text.empty()) {
      std::string t = str_field(j, "title"), b = str_field(j, "question");
      q.text = t.empty() ? b : (b.empty() ? t : t + ". " + b);
    }
    q.group = str_field(j, "group");
    out.push_back(std::move(q));
  }
  return out;
}

// Peak resident set size of this process, in KiB (VmHWM).
inline long peak_rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

inline unsigned long long path_bytes(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return fs::file_size(path, ec);
  unsigned long long total = 0;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

inline double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// Nearest-rank percentile of sorted values.
inline double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * sorted.size()));
  if (rank < 1) rank = 1;
  return sorted[std::min(rank, sorted.size()) - 1];
}

inline void print_index_report(std::size_t records, double seconds, const std::string& dir) {
  nlohmann::json out = {{"records", records},
                        {"seconds", seconds},
                        {"peak_rss_kb", peak_rss_kb()},
                        {"index_bytes", path_bytes(dir)}};
  std::cout << out.dump() << std::endl;
}

struct SearchArgs {
  std::string dir, queries, run, tag, latencies;
  std::size_t k = 10, threads = 1, warmup = 0;
  bool exclude_self = false;
};

// Parses `search DIR QUERIES --k N ...` (argv[0] = program, argv[1] = "search").
inline SearchArgs parse_search_args(int argc, char** argv, const std::string& default_tag) {
  SearchArgs a;
  a.tag = default_tag;
  std::vector<std::string> pos;
  for (int i = 2; i < argc; ++i) {
    std::string s = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument("missing value after " + s);
      return argv[++i];
    };
    if (s == "--k" || s == "-k") a.k = std::stoul(value());
    else if (s == "--threads") a.threads = std::stoul(value());
    else if (s == "--run") a.run = value();
    else if (s == "--latencies") a.latencies = value();
    else if (s == "--warmup") a.warmup = std::stoul(value());
    else if (s == "--tag") a.tag = value();
    else if (s == "--exclude-self") a.exclude_self = true;
    else if (!s.empty() && s[0] == '-') throw std::invalid_argument("unknown option " + s);
    else pos.push_back(s);
  }
  if (pos.size() != 2) throw std::invalid_argument("search needs DIR and QUERIES.jsonl");
  if (a.threads == 0) a.threads = std::max(1u, std::thread::hardware_concurrency());
  a.dir = pos[0];
  a.queries = pos[1];
  return a;
}

// One searcher per thread: make_worker() is called once on each thread and
// returns the function that answers one query (k hits, group and
// exclude-self applied). Times every query, writes the run, prints the report.
// open_ms, when a peer measured it (>= 0), is reported as the time its shared
// searcher took to open the index.
using Worker = std::function<std::vector<Hit>(const Query&, std::size_t k, bool exclude_self)>;

inline int run_search(const SearchArgs& a, const std::function<Worker()>& make_worker, double open_ms = -1.0) {
  std::vector<Query> queries = read_queries(a.queries);
  std::vector<std::vector<Hit>> results(queries.size());
  std::vector<double> latency_ms(queries.size(), 0.0);
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> warm_next{0};
  std::vector<std::thread> pool;
  // Any exception, not only std::exception (Xapian's are not): rethrown on
  // the main thread, where the peer's main() reports it.
  std::vector<std::exception_ptr> errors(a.threads);
  std::atomic<std::size_t> ready{0};
  std::atomic<bool> go{false};
  double start = 0.0;
  for (std::size_t t = 0; t < a.threads; ++t) {
    pool.emplace_back([&, t] {
      try {
        Worker w = make_worker();
        // Warm-up: each thread takes its share of the first `warmup` queries.
        std::size_t nw = std::min(a.warmup, queries.size());
        for (std::size_t i; (i = warm_next++) < nw;) w(queries[i], a.k, a.exclude_self);
        ++ready;
        while (!go.load()) std::this_thread::yield();
        for (std::size_t i; (i = next++) < queries.size();) {
          double t0 = now_s();
          results[i] = w(queries[i], a.k, a.exclude_self);
          latency_ms[i] = (now_s() - t0) * 1000.0;
        }
      } catch (...) {
        errors[t] = std::current_exception();
        ++ready;
      }
    });
  }
  while (ready.load() < a.threads) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  start = now_s();
  go = true;
  for (auto& th : pool) th.join();
  double seconds = now_s() - start;
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);

  if (!a.run.empty()) {
    std::ofstream out(a.run);
    if (!out) throw std::runtime_error("cannot write " + a.run);
    char buf[64];
    for (std::size_t i = 0; i < queries.size(); ++i)
      for (std::size_t r = 0; r < results[i].size(); ++r) {
        std::snprintf(buf, sizeof buf, "%.6f", results[i][r].score);
        out << queries[i].id << " Q0 " << results[i][r].id << ' ' << (r + 1) << ' ' << buf << ' ' << a.tag
            << '\n';
      }
  }
  if (!a.latencies.empty()) {
    std::ofstream out(a.latencies);
    if (!out) throw std::runtime_error("cannot write " + a.latencies);
    for (std::size_t i = 0; i < queries.size(); ++i) out << queries[i].id << '\t' << latency_ms[i] << '\n';
  }
  std::vector<double> sorted = latency_ms;
  std::sort(sorted.begin(), sorted.end());
  nlohmann::json out = {{"queries", queries.size()},
                        {"seconds", seconds},
                        {"qps", seconds > 0 ? queries.size() / seconds : 0.0},
                        {"p50_ms", percentile(sorted, 50)},
                        {"p95_ms", percentile(sorted, 95)},
                        {"p99_ms", percentile(sorted, 99)},
                        {"threads", a.threads},
                        {"k", a.k},
                        {"peak_rss_kb", peak_rss_kb()}};
  if (open_ms >= 0) out["open_ms"] = open_ms;
  std::cout << out.dump() << std::endl;
  return 0;
}

inline int usage(const char* prog) {
  std::cerr << "usage: " << prog << " index CORPUS.jsonl DIR\n"
            << "       " << prog
            << " search DIR QUERIES.jsonl --k N [--threads T] [--exclude-self] [--run OUT.trec]"
               " [--warmup W] [--tag NAME] [--latencies OUT.tsv]\n";
  return 2;
}

// A command that takes two paths (index CORPUS DIR, compact DIR OUT).
using PathCommand = std::function<int(const std::string&, const std::string&)>;

// The command line every peer shares: "index CORPUS DIR", "search DIR
// QUERIES [options]" and the `extra` two-path commands. Bad arguments print
// the usage (exit 2); any other error its message (exit 1).
inline int dispatch(int argc, char** argv, const std::string& tag, const PathCommand& index,
                    const std::function<int(const SearchArgs&)>& search,
                    const std::map<std::string, PathCommand>& extra = {}) {
  if (argc < 2) return usage(argv[0]);
  const std::string cmd = argv[1];
  try {
    if (cmd == "search") return search(parse_search_args(argc, argv, tag.c_str()));
    const PathCommand* run = cmd == "index" ? &index : nullptr;
    auto it = extra.find(cmd);
    if (it != extra.end()) run = &it->second;
    if (!run || argc != 4) return usage(argv[0]);
    return (*run)(argv[2], argv[3]);
  } catch (const std::invalid_argument& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return usage(argv[0]);
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
  }
  return 1;
}

}  // namespace peer

#endif  // ASKALIKE_BENCH_PEER_COMMON_HPP_
