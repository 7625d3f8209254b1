// embedding_bench: the speed of askalike::EmbeddingModel on real questions,
// and its output for benchmarks/embedding/reference.py to check.
//
//   embedding_bench speed MODEL [CORPUS.jsonl] [--limit N] [--threads T]
//       embeds the questions of CORPUS (default: the medquad corpus of the
//       shared data sets) one by one on one thread (query latency: ms per
//       text, p50, p99), then with embed_batch on T threads (indexing rate)
//   embedding_bench print MODEL < texts.jsonl
//       reads one JSON string a line, writes one JSON line a text:
//       {"tokens": [...], "embedding": [...]}
#include <askalike/askalike.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <time.h>

namespace {

using Clock = std::chrono::steady_clock;

// CPU time of this thread, in ms: less sensitive than wall time to other
// programs sharing the cores.
double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

#ifndef ASKALIKE_SHARED_DATA_DIR
#define ASKALIKE_SHARED_DATA_DIR ""
#endif

int usage() {
  std::cerr << "usage: embedding_bench speed MODEL [CORPUS.jsonl] [--limit N] [--threads T]\n"
               "       embedding_bench print MODEL < texts.jsonl\n";
  return 2;
}

int print(const std::string& model_dir) {
  const askalike::EmbeddingModel model = askalike::EmbeddingModel::load(model_dir);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    const std::string text = nlohmann::json::parse(line).get<std::string>();
    nlohmann::json out;
    out["tokens"] = model.tokenize(text);
    out["embedding"] = model.embed(text);
    std::cout << out.dump() << '\n';
  }
  return 0;
}

int speed(const std::string& model_dir, std::string corpus, std::size_t limit, std::size_t threads) {
  if (corpus.empty()) corpus = std::string(ASKALIKE_SHARED_DATA_DIR) + "/medquad/corpus.jsonl";
  std::ifstream in(corpus);
  if (!in) {
    std::cout << "skipped: no corpus at " << corpus << '\n';
    return 0;
  }
  std::vector<std::string> texts;
  std::string line;
  while (texts.size() < limit && std::getline(in, line)) {
    const auto record = nlohmann::json::parse(line);
    // A corpus record's question, or a query's text (speed queries).
    texts.push_back(record.contains("question") ? record.value("question", std::string())
                                                : record.value("text", std::string()));
  }
  askalike::EmbeddingOptions options;
  options.threads = threads;
  auto start = Clock::now();
  const askalike::EmbeddingModel model = askalike::EmbeddingModel::load(model_dir, options);
  const double load_s = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> ms;
  std::size_t tokens = 0;
  double cpu_ms = 0;
  for (const auto& t : texts) {
    tokens += model.tokenize(t).size();
    const double cpu_start = thread_cpu_ms();
    start = Clock::now();
    model.embed(t);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    cpu_ms += thread_cpu_ms() - cpu_start;
  }
  double total = 0;
  for (double m : ms) total += m;
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, std::size_t(p * ms.size()))]; };

  start = Clock::now();
  model.embed_batch(texts);
  const double batch_s = std::chrono::duration<double>(Clock::now() - start).count();

  std::printf("model %s (dimension %zu), loaded in %.2f s\n", model.identity().name.c_str(), model.identity().dimension,
              load_s);
  std::printf("%zu questions of %s, %.1f tokens each on average\n", texts.size(), corpus.c_str(),
              texts.empty() ? 0.0 : double(tokens) / texts.size());
  std::printf("one thread, one text at a time: %.1f texts/s, %.2f ms per text (p50 %.2f ms, p99 %.2f ms)\n",
              1000.0 * ms.size() / total, total / ms.size(), pct(0.5), pct(0.99));
  std::printf("CPU time: %.2f ms per text\n", cpu_ms / ms.size());
  std::printf("embed_batch on %zu threads: %.1f texts/s\n", threads, texts.size() / batch_s);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args;
  std::size_t limit = 2000, threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--limit" && i + 1 < argc) {
      limit = std::stoul(argv[++i]);
    } else if (a == "--threads" && i + 1 < argc) {
      threads = std::stoul(argv[++i]);
    } else {
      args.push_back(a);
    }
  }
  try {
    if (args.size() == 2 && args[0] == "print") return print(args[1]);
    if ((args.size() == 2 || args.size() == 3) && args[0] == "speed")
      return speed(args[1], args.size() == 3 ? args[2] : "", limit, threads);
  } catch (const std::exception& e) {
    std::cerr << "embedding_bench: " << e.what() << '\n';
    return 1;
  }
  return usage();
}
