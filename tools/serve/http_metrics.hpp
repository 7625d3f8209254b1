// askalike serve: request counters and latency histograms per endpoint, in
// the Prometheus text format (GET /metrics).
#ifndef ASKALIKE_TOOLS_SERVE_HTTP_METRICS_HPP_
#define ASKALIKE_TOOLS_SERVE_HTTP_METRICS_HPP_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace askalike::serve {

// Thread-safe: every request thread records into one HttpMetrics.
class HttpMetrics {
 public:
  // Latency bucket bounds in seconds (Prometheus "le" labels).
  static constexpr std::array<double, 13> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1.0,   2.5,   5.0};

  // One answered request. `endpoint` is the route's pattern
  // ("/v1/records/{id}"), never the raw path, so the label set stays small.
  void observe(const std::string& endpoint, const std::string& method, int status, double seconds);

  // Everything recorded so far, followed by `gauges` (name -> value, with
  // their help text), in the Prometheus text exposition format 0.0.4.
  struct Gauge {
    std::string name, help;
    double value = 0;
    bool counter = false;
  };
  std::string render(const std::vector<Gauge>& gauges) const;

 private:
  struct Series {
    std::uint64_t requests = 0;
    std::map<int, std::uint64_t> errors;  // by status, 4xx and 5xx
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    double seconds = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Series> series_;  // by (endpoint, method)
};

}  // namespace askalike::serve

#endif  // ASKALIKE_TOOLS_SERVE_HTTP_METRICS_HPP_
