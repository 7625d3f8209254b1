// The peer of benchmarks/serve/run: the searches askalike serve answers,
// made through the C++ API in one process, so that the HTTP service's cost
// shows as a ratio. Each of T threads takes the next query (cycling through
// the file) until S seconds have passed (after 3 untimed searches each); every search computes what the
// service's default answer holds (records, snippets, facets, k = 10).
//
//   api_baseline DB QUERIES.jsonl --threads T --seconds S
//     -> {"threads":T,"searches":N,"seconds":S,"qps":Q,"p50_ms":..,"p99_ms":..,"errors":E}
#include <askalike/askalike.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: api_baseline DB QUERIES.jsonl [--threads T] [--seconds S]\n";
    return 2;
  }
  const std::string db = argv[1], queries_path = argv[2];
  std::size_t threads = 1;
  double seconds = 10;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads") threads = std::stoul(argv[i + 1]);
    else if (flag == "--seconds") seconds = std::stod(argv[i + 1]);
  }
  std::vector<std::string> texts;
  std::ifstream in(queries_path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) texts.push_back(nlohmann::json::parse(line).at("text").get<std::string>());
  if (texts.empty()) {
    std::cerr << "api_baseline: no queries in " << queries_path << "\n";
    return 1;
  }

  askalike::Searcher searcher(db);
  askalike::SearchOptions options;  // the service's defaults: records, snippets, facets
  options.highlight_open = "\x01";
  options.highlight_close = "\x02";
  std::atomic<std::size_t> next{0}, errors{0}, ready{0};
  std::atomic<bool> go{false};
  std::vector<std::vector<double>> latencies(threads);
  std::chrono::steady_clock::time_point start, end;
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      // Warm-up, untimed: each thread's first search opens its own Xapian
      // handle, as the service's threads did in its warm-up run.
      for (std::size_t i = 0; i < 3; ++i) searcher.similar(texts[(t * 3 + i) % texts.size()], options);
      ++ready;
      while (!go) std::this_thread::yield();
      while (std::chrono::steady_clock::now() < end) {
        const std::string& text = texts[next++ % texts.size()];
        const auto q0 = std::chrono::steady_clock::now();
        try {
          searcher.similar(text, options);
        } catch (const askalike::Error&) {
          ++errors;
        }
        latencies[t].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - q0).count());
      }
    });
  while (ready < threads) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  start = std::chrono::steady_clock::now();
  end = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  go = true;
  for (auto& t : pool) t.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto percentile = [&](double p) { return all.empty() ? 0.0 : all[std::min(all.size() - 1, std::size_t(p / 100 * all.size()))]; };
  nlohmann::json out = {{"threads", threads},          {"searches", all.size()},
                        {"seconds", elapsed},          {"qps", all.size() / elapsed},
                        {"p50_ms", percentile(50)},    {"p99_ms", percentile(99)},
                        {"errors", errors.load()}};
  std::cout << out.dump() << std::endl;
  return 0;
}
