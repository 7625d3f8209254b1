#include "http_metrics.hpp"

#include <cstdio>
#include <sstream>

namespace askalike::serve {

namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// A label value with \, " and newlines escaped as the format requires.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void HttpMetrics::observe(const std::string& endpoint, const std::string& method, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  Series& s = series_[{endpoint, method}];
  ++s.requests;
  if (status >= 400) ++s.errors[status];
  s.seconds += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++s.buckets[i];
}

std::string HttpMetrics::render(const std::vector<Gauge>& gauges) const {
  std::ostringstream out;
  std::lock_guard<std::mutex> lock(mutex_);
  out << "# HELP askalike_http_requests_total HTTP requests answered, by endpoint and method.\n"
         "# TYPE askalike_http_requests_total counter\n";
  for (const auto& [key, s] : series_)
    out << "askalike_http_requests_total{endpoint=\"" << label(key.first) << "\",method=\"" << key.second << "\"} "
        << s.requests << "\n";
  out << "# HELP askalike_http_errors_total HTTP requests answered with a 4xx or 5xx status.\n"
         "# TYPE askalike_http_errors_total counter\n";
  for (const auto& [key, s] : series_)
    for (const auto& [status, n] : s.errors)
      out << "askalike_http_errors_total{endpoint=\"" << label(key.first) << "\",method=\"" << key.second
          << "\",status=\"" << status << "\"} " << n << "\n";
  out << "# HELP askalike_http_request_duration_seconds Time from routing a request to its answer.\n"
         "# TYPE askalike_http_request_duration_seconds histogram\n";
  for (const auto& [key, s] : series_) {
    const std::string labels = "endpoint=\"" + label(key.first) + "\",method=\"" + key.second + "\"";
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
      out << "askalike_http_request_duration_seconds_bucket{" << labels << ",le=\"" << number(kBuckets[i]) << "\"} "
          << s.buckets[i] << "\n";
    out << "askalike_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << s.requests << "\n"
        << "askalike_http_request_duration_seconds_sum{" << labels << "} " << number(s.seconds) << "\n"
        << "askalike_http_request_duration_seconds_count{" << labels << "} " << s.requests << "\n";
  }
  for (const Gauge& g : gauges)
    out << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << (g.counter ? " counter\n" : " gauge\n")
        << g.name << " " << number(g.value) << "\n";
  return out.str();
}

}  // namespace askalike::serve
