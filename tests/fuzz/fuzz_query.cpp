// libFuzzer target: the query path. The first two bytes choose search
// options; the rest is the question. Results must be well-formed.
#include <cmath>

#include "fuzz_db.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::FuzzDatabase& database = fuzz::shared_database();
  static const askalike::Searcher searcher(database.db());
  static const char* const kLanguages[] = {"", "en", "zh", "ja"};
  if (size < 2) return 0;
  askalike::SearchOptions options;
  options.k = data[0] % 16;
  options.offset = (data[0] >> 4) % 4;
  options.facets = data[1] & 1;
  options.snippets = data[1] & 2;
  options.match_details = data[1] & 4;
  options.max_query_terms = 1 + (data[1] >> 3) % 40;
  const std::string text(reinterpret_cast<const char*>(data + 2), size - 2);
  try {
    askalike::Results r = searcher.similar(text, options);
    fuzz::fuzz_check(r.hits.size() <= options.k, "more hits than k");
    for (size_t i = 0; i < r.hits.size(); ++i) {
      const askalike::Hit& h = r.hits[i];
      fuzz::fuzz_check(h.rank == options.offset + i + 1, "ranks are not consecutive");
      fuzz::fuzz_check(std::isfinite(h.score), "a score is not finite");
      fuzz::fuzz_check(i == 0 || h.score <= r.hits[i - 1].score, "scores do not decrease");
      fuzz::fuzz_check(h.confidence >= 0 && h.confidence <= 1, "confidence outside 0..1");
      fuzz::fuzz_check(fuzz::valid_utf8(h.question_snippet) && fuzz::valid_utf8(h.answer_snippet),
                       "a snippet is not valid UTF-8");
    }
    options.lang = kLanguages[data[1] % 4];
    searcher.similar(text, options);
    double s = searcher.similarity(text, "What are the symptoms of high blood pressure?");
    fuzz::fuzz_check(s >= 0 && s <= 1, "similarity outside 0..1");
  } catch (const askalike::Error&) {
  }
  try {
    searcher.more_like(text);  // the text as a record id
  } catch (const askalike::Error& e) {
    fuzz::fuzz_check(e.code() == askalike::ErrorCode::kNotFound || e.code() == askalike::ErrorCode::kInvalidArgument,
                     "more_like() of an unknown id: not a not-found error");
  }
  return 0;
}
