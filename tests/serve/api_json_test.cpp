// askalike serve's request parsing and answer mapping, without a server:
// what a client's parameters and bodies become (tools/serve/api_json.hpp).
#include <doctest/doctest.h>

#include "api_json.hpp"
#include "service.hpp"

using namespace askalike::serve;

namespace {

// The HTTP status and message of the HttpError that `body` throws.
template <typename Body>
std::pair<int, std::string> refusal(Body&& body) {
  try {
    body();
  } catch (const HttpError& e) {
    return {e.status(), e.what()};
  }
  FAIL("no HttpError");
  return {0, ""};
}

}  // namespace

TEST_CASE("snippets become text parts, highlighted or not") {
  json parts = snippet_parts(std::string("A \x01") + "fever" + "\x02 and a \x01rash\x02");
  REQUIRE(parts.size() == 4);
  CHECK(parts[0] == json{{"text", "A "}, {"highlight", false}});
  CHECK(parts[1] == json{{"text", "fever"}, {"highlight", true}});
  CHECK(parts[3] == json{{"text", "rash"}, {"highlight", true}});
  CHECK(snippet_parts("").empty());
  CHECK(snippet_parts("<script>alert(1)</script>")[0]["text"] == "<script>alert(1)</script>");
}

TEST_CASE("query-string and JSON parameters set the same options") {
  Limits limits;
  json get = params_to_json({{"k", "5"}, {"category", "A"}, {"category", "B"}, {"bm25_k1", "0.9"}, {"q", "x"}},
                            {"category", "tag"});
  askalike::SearchOptions a = search_options_from(get, limits, {"q"});
  askalike::SearchOptions b =
      search_options_from(json{{"k", 5}, {"category", {"A", "B"}}, {"bm25_k1", 0.9}}, limits, {});
  CHECK(a.k == 5);
  CHECK(b.k == 5);
  CHECK(a.categories == std::vector<std::string>{"A", "B"});
  CHECK(a.categories == b.categories);
  CHECK(a.bm25_k1 == 0.9);
  CHECK(a.bm25_k1 == b.bm25_k1);
  CHECK(a.highlight_open == kHighlightOpen);
}

TEST_CASE("bad parameters are refused with a 400 that names them") {
  Limits limits;
  limits.max_k = 20;
  CHECK(refusal([&] { search_options_from(json{{"colour", "red"}}, limits, {}); }).second.find("'colour'") !=
        std::string::npos);
  CHECK(refusal([&] { search_options_from(json{{"k", 21}}, limits, {}); }).second.find("at most 20") !=
        std::string::npos);
  CHECK(refusal([&] { search_options_from(json{{"k", -1}}, limits, {}); }).first == 400);
  CHECK(refusal([&] { search_options_from(json{{"min_score", "inf"}}, limits, {}); }).first == 400);
  CHECK(refusal([&] { params_to_json({{"k", "1"}, {"k", "2"}}, {}); }).second.find("more than once") !=
        std::string::npos);
  CHECK(refusal([&] { required_text(json::object(), "q"); }).second.find("'q' is required") != std::string::npos);
}

TEST_CASE("request bodies: where JSON is malformed, how deep it may nest") {
  auto [status, message] = refusal([] { parse_json("{\"a\": [1, 2,]}", 8); });
  CHECK(status == 400);
  CHECK(message.find("line 1, column 13") != std::string::npos);
  CHECK(refusal([] { parse_json(std::string(100, '[') + std::string(100, ']'), 32); }).second.find("deeper than 32") !=
        std::string::npos);
  CHECK(parse_json("[[[1]]]", 32)[0][0][0] == 1);
  // A number beyond a double is the client's error, naming its field (issue 24).
  auto [over, said] = refusal([] { parse_json("{\"text\": \"x\", \"min_score\": 1e999}", 8); });
  CHECK(over == 400);
  CHECK(said.find("field 'min_score'") != std::string::npos);
  CHECK(said.find("json.exception") == std::string::npos);
}

TEST_CASE("write bodies: one object or JSON Lines, taken whole or refused") {
  Limits limits;
  auto one = records_from_body("{\n  \"id\": \"a\",\n  \"title\": \"Knee pain\"\n}\n", limits);
  REQUIRE(one.size() == 1);
  CHECK(one[0].title == "Knee pain");
  auto lines = records_from_body("{\"id\": \"a\"}\n\n{\"id\": \"b\", \"tags\": [\"x\"]}\n", limits);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].tags == std::vector<std::string>{"x"});
  CHECK(refusal([&] { records_from_body("{\"id\": \"a\"}\n{\"title\": \"no id\"}\n", limits); })
            .second.find("line 2") != std::string::npos);
  CHECK(refusal([&] { records_from_body("[{\"id\": \"a\"}]", limits); }).first == 400);
  CHECK(refusal([&] { records_from_body("  \n", limits); }).first == 400);
}

TEST_CASE("tokens compare equal only when equal, and never when none is configured") {
  CHECK(same_secret("0123456789abcdef", "0123456789abcdef"));
  CHECK_FALSE(same_secret("0123456789abcdeF", "0123456789abcdef"));
  CHECK_FALSE(same_secret("0123456789abcde", "0123456789abcdef"));
  CHECK_FALSE(same_secret("0123456789abcdef0", "0123456789abcdef"));
  CHECK_FALSE(same_secret("", ""));
}
