// libFuzzer target: `askalike serve`'s reading of a request, through the
// functions its routes call (tools/serve/api_json.hpp). The first byte picks
// the request; the rest is its body or query string:
//   0  POST /v1/similar     a JSON body: parse_json, search_options_from, required_text
//   1  GET /v1/similar      a query string, parsed by cpp-httplib as the server does
//   2  POST /v1/records     records_from_body, then each record as the API shows it
// Any request gives options and records or an HttpError (a 4xx answer) or an
// askalike::Error, never a crash or another exception (a 500 answer).
#include <httplib.h>

#include <cmath>
#include <exception>

#include "api_json.hpp"
#include "fuzz_db.hpp"
#include "fuzz_util.hpp"

namespace {

using askalike::serve::json;

// Searches with the options a request gave, and renders the answer as the
// service does: options that pass the checks must give a well-formed answer.
void search(const std::string& text, const askalike::SearchOptions& options) {
  static const fuzz::FuzzDatabase& database = fuzz::shared_database();
  static const askalike::Searcher searcher(database.db());
  try {
    askalike::Results r = searcher.similar(text, options);
    for (const askalike::Hit& h : r.hits) fuzz::fuzz_check(std::isfinite(h.score), "a score is not finite");
    const std::string answer = askalike::serve::dump(askalike::serve::results_json(r, options));
    fuzz::fuzz_check(fuzz::valid_utf8(answer), "an answer is not valid UTF-8");
  } catch (const askalike::Error&) {
  }
}

void handle(int request, const std::string& input, const askalike::serve::Limits& limits) {
  if (request == 0) {
    json body = askalike::serve::parse_json(input, limits.max_json_depth);
    askalike::SearchOptions o = askalike::serve::search_options_from(body, limits, {"text"});
    fuzz::fuzz_check(o.k >= 1 && o.k <= limits.max_k && o.offset <= limits.max_offset, "k or offset beyond the limits");
    search(askalike::serve::required_text(body, "text"), o);
  } else if (request == 1) {
    httplib::Params params;
    httplib::detail::parse_query_text(input, params);
    json query = askalike::serve::params_to_json(params, {"category", "tag"});
    askalike::SearchOptions o = askalike::serve::search_options_from(query, limits, {"q"});
    fuzz::fuzz_check(o.k >= 1 && o.k <= limits.max_k && o.offset <= limits.max_offset, "k or offset beyond the limits");
    search(askalike::serve::required_text(query, "q"), o);
  } else {
    for (const askalike::Record& r : askalike::serve::records_from_body(input, limits)) {
      fuzz::fuzz_check(!r.id.empty(), "a record without an id was accepted");
      const std::string shown = askalike::serve::dump(askalike::serve::record_json(r));
      fuzz::fuzz_check(fuzz::valid_utf8(shown), "a record as shown is not valid UTF-8");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  askalike::serve::Limits limits;
  limits.max_k = 20;  // small limits, so that the fuzzer reaches them
  limits.max_offset = 50;
  limits.max_json_depth = 8;
  const std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    handle(data[0] % 3, input, limits);
  } catch (const askalike::serve::HttpError& e) {
    fuzz::fuzz_check(e.status() >= 400 && e.status() < 500, "a bad request is not a 4xx answer");
    fuzz::fuzz_check(fuzz::valid_utf8(askalike::serve::error_body(e.status(), e.code(), e.what())),
                     "an error answer is not valid UTF-8");
  } catch (const askalike::Error&) {
  }
  return 0;
}
