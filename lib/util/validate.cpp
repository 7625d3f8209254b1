// Every option check of the library, in one place and one wording.
#include "askalike/validate.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <thread>

#include "askalike/error.hpp"

namespace askalike {

namespace {

[[noreturn]] void out_of_range(const std::string& name, const std::string& value, const std::string& min,
                               const std::string& max) {
  throw Error(ErrorCode::kInvalidArgument, name + " must be between " + min + " and " + max + ", not " + value);
}

std::string text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void check_count(const std::string& name, std::size_t value, std::size_t min, std::size_t max) {
  if (value < min || value > max) out_of_range(name, std::to_string(value), std::to_string(min), std::to_string(max));
}

// A finite number in [min, max] (max may be infinity: "any").
void check_number(const std::string& name, double value, double min, double max) {
  if (!std::isfinite(value) || value < min || value > max) {
    if (std::isinf(max))
      throw Error(ErrorCode::kInvalidArgument,
                  name + " must be a finite number of at least " + text(min) + ", not " + text(value));
    out_of_range(name, text(value), text(min), text(max));
  }
}

bool all_digits(const std::string& s, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// "YYYY", "YYYY-MM" or "YYYY-MM-DD" with a real month and day: dates compare
// as text, so anything else would filter silently wrong.
void check_date(const std::string& name, const std::string& d) {
  if (d.empty()) return;
  bool ok = (d.size() == 4 || d.size() == 7 || d.size() == 10) && all_digits(d, 0, 4);
  if (ok && d.size() >= 7) {
    ok = d[4] == '-' && all_digits(d, 5, 7);
    int month = ok ? std::stoi(d.substr(5, 2)) : 0;
    ok = ok && month >= 1 && month <= 12;
    if (ok && d.size() == 10) {
      ok = d[7] == '-' && all_digits(d, 8, 10);
      static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      int day = ok ? std::stoi(d.substr(8, 2)) : 0;
      ok = ok && day >= 1 && day <= kDays[month - 1];
    }
  }
  if (!ok)
    throw Error(ErrorCode::kInvalidArgument,
                name + " must be a date YYYY, YYYY-MM or YYYY-MM-DD, not '" + d + "'");
}

constexpr double kAny = std::numeric_limits<double>::infinity();

}  // namespace

std::size_t checked_count(const std::string& name, long long value, std::size_t min, std::size_t max) {
  if (value < 0 || static_cast<unsigned long long>(value) < min || static_cast<unsigned long long>(value) > max)
    out_of_range(name, std::to_string(value), std::to_string(min), std::to_string(max));
  return static_cast<std::size_t>(value);
}

std::size_t thread_count(std::size_t threads) {
  check_count("threads", threads, 0, kMaxThreads);
  return threads ? threads : std::max(1u, std::thread::hardware_concurrency());
}

void validate(const SearchOptions& o) {
  check_count("k", o.k, 1, kMaxK);  // no hit asked for is a mistake, in every front end alike
  check_count("offset", o.offset, 0, kMaxOffset);
  if (!std::isfinite(o.min_score))
    throw Error(ErrorCode::kInvalidArgument, "min_score must be a finite number, not " + text(o.min_score));
  check_date("since", o.since);
  check_date("until", o.until);
  check_number("bm25_k1", o.bm25_k1, 0, kAny);
  check_count("max_query_terms", o.max_query_terms, 1, kMaxQueryTerms);
  check_count("max_query_bytes", o.max_query_bytes, 1, std::size_t(1) << 30);
  check_number("common_word_share", o.common_word_share, 0, 1);
  check_number("question_type_weight", o.question_type_weight, 0, kAny);
  check_count("snippet_length", o.snippet_length, 0, 100000);
  check_count("facet_depth", o.facet_depth, 0, 100000);
  check_count("max_topics", o.max_topics, 0, 100000);
  check_count("max_associations", o.max_associations, 0, kMaxAddedTerms);
  check_number("association_weight", o.association_weight, 0, 1);
  check_count("feedback_terms", o.feedback_terms, 0, kMaxAddedTerms);
  check_count("feedback_documents", o.feedback_documents, 1, kMaxFeedbackDocuments);
  check_number("feedback_weight", o.feedback_weight, 0, 1);
  if (o.semantic_depth) check_count("semantic_depth", *o.semantic_depth, 1, kMaxSemanticDepth);
  check_number("semantic_lexical_weight", o.semantic_lexical_weight, 0, kAny);
  for (float x : o.query_vector)
    if (!std::isfinite(x)) throw Error(ErrorCode::kInvalidArgument, "query_vector must hold finite numbers only");
}

void validate(const LearnOptions& o) {
  check_count("per_word", o.per_word, 1, kMaxAssociationsPerWord);
  check_count("min_records", o.min_records, 1, std::size_t(1) << 32);
  check_count("answer_words", o.answer_words, 1, 10000);
  if (o.progress) check_count("progress_every", o.progress_every, 1, std::size_t(1) << 40);
}

void validate(const RankingOptions& o) {
  check_number("title_weight", o.title_weight, 0, kAny);
  check_number("question_weight", o.question_weight, 0, kAny);
  check_number("answer_weight", o.answer_weight, 0, kAny);
  check_number("bm25_b", o.bm25_b, 0, 1);
}

void validate(const IndexOptions& o) {
  if (o.shards) check_count("shards", *o.shards, 1, kMaxShards);
  check_count("max_changesets", o.max_changesets, 0, kMaxChangesets);
  if (o.ranking) validate(*o.ranking);
  check_count("embedding_dimension", o.embedding_dimension, 0, 65536);
  check_count("wait_lock_ms", o.wait_lock_ms, 0, kMaxTimeoutMs);
}

void validate(const SearcherOptions& o) {
  check_count("refresh_interval_ms", o.refresh_interval_ms, 0, kMaxTimeoutMs);
  check_count("timeout_ms", o.timeout_ms, 0, kMaxTimeoutMs);
}

void validate(const InputLimits& l) {
  const std::size_t kHuge = std::size_t(1) << 40;
  check_count("max_line_bytes", l.max_line_bytes, 1, kHuge);
  check_count("max_record_bytes", l.max_record_bytes, 1, kHuge);
  check_count("max_fields", l.max_fields, 1, kHuge);
}

void validate(const IngestOptions& o) {
  check_count("batch_size", o.batch_size, 1, std::size_t(1) << 32);
  check_count("threads", o.threads, 0, kMaxThreads);
  if (o.progress) check_count("progress_every", o.progress_every, 1, std::size_t(1) << 40);
  validate(o.limits);
}

}  // namespace askalike
