// Hostile input through the C++ API: deep JSON, huge records, bad options,
// over-long queries. Each case is something that crashed, hung or gave
// wrong results before.
#include <doctest/doctest.h>
#include <xapian.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <regex>
#include <sstream>
#include <utility>

#include "storage/schema.hpp"
#include "test_util.hpp"

using askalike::Error;
using askalike::ErrorCode;
using testutil::make_record;
using testutil::TempDir;

namespace {

// The message of the askalike::Error (of `code`) that `body` throws.
template <typename Body>
std::string error_text(Body&& body, ErrorCode code) {
  Error e = testutil::error_of(body);
  CHECK(e.code() == code);
  return e.what();
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("deeply nested JSON is a parse error naming the limit, not a crash") {
  const std::string deep = "{\"id\":\"x\",\"v\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  std::string m = error_text([&] { askalike::Record::from_json(deep, "in.jsonl", 7); }, ErrorCode::kParse);
  CHECK(m == "in.jsonl:7: JSON nested deeper than the limit of 100 arrays and objects");
  // Brackets inside strings do not count; 100 levels are fine.
  std::string ok = "{\"id\":\"y\",\"s\":\"" + std::string(500, '[') + "\",\"v\":" + std::string(99, '[') +
                   std::string(99, ']') + "}";
  CHECK(askalike::Record::from_json(ok).id == "y");

  SUBCASE("through the writer: the record before it is kept") {
    TempDir dir;
    askalike::IndexWriter w(dir / "db");
    std::istringstream in("{\"id\":\"ok\",\"question\":\"knee pain\"}\n" + deep + "\n");
    error_text([&] { w.add_jsonl(in, "deep.jsonl"); }, ErrorCode::kParse);
    askalike::Record r;
    CHECK(w.get("ok", r));
  }
}

TEST_CASE("a record with 200000 fields: refused by default, written whole when allowed") {
  std::string json = "{\"id\":\"wide\"";
  for (int i = 0; i < 200000; ++i) json += ",\"f" + std::to_string(i) + "\":" + std::to_string(i);
  json += "}";
  std::string m = error_text([&] { askalike::Record::from_json(json, "w.jsonl", 1); }, ErrorCode::kParse);
  CHECK(has(m, "more fields than the limit of 1000 (max_fields)"));
  askalike::InputLimits wide;
  wide.max_fields = 300000;
  askalike::Record r = askalike::Record::from_json(json, "w.jsonl", 1, wide);
  REQUIRE(r.extra.size() == 200000);
  CHECK(askalike::Record::from_json(r.to_json(), "<again>", 1, wide) == r);

  SUBCASE("stored with a raised limit, it reads back whole under the default one") {
    TempDir dir;
    askalike::Record some = askalike::Record::from_json(json.substr(0, json.find(",\"f2000\"")) + "}", "w", 1, wide);
    REQUIRE(some.extra.size() == 2000);
    askalike::IndexWriter w(dir / "db");
    w.upsert(some);
    w.commit();
    askalike::Record back;
    REQUIRE(w.get("wide", back));
    CHECK(back == some);
  }
}

TEST_CASE("JSON Lines: a line over max_line_bytes is a bad line, and reading goes on") {
  askalike::InputLimits limits;
  limits.max_line_bytes = 64;
  std::istringstream in("{\"id\":\"long\",\"question\":\"" + std::string(1000, 'x') + "\"}\n{\"id\":\"next\"}\n");
  askalike::JsonlReader reader(in, "l.jsonl", /*skip_bad_lines=*/true, limits);
  askalike::Record r;
  REQUIRE(reader.next(r));
  CHECK(r.id == "next");
  REQUIRE(reader.bad_lines().size() == 1);
  CHECK(reader.bad_lines()[0].line == 1);
  CHECK(reader.bad_lines()[0].reason == "the line is longer than the limit of 64 bytes (max_line_bytes)");
}

TEST_CASE("options are validated in the library, in one wording") {
  using askalike::SearchOptions;
  auto message = [](const SearchOptions& o) {
    return error_text([&] { askalike::validate(o); }, ErrorCode::kInvalidArgument);
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  SearchOptions o;
  o.bm25_k1 = nan;
  CHECK(message(o) == "bm25_k1 must be a finite number of at least 0, not nan");
  o = SearchOptions();
  o.bm25_k1 = inf;
  CHECK(message(o) == "bm25_k1 must be a finite number of at least 0, not inf");
  o = SearchOptions();
  o.min_score = -inf;
  CHECK(message(o) == "min_score must be a finite number, not -inf");
  o = SearchOptions();
  o.since = "2007-13-45";
  CHECK(message(o) == "since must be a date YYYY, YYYY-MM or YYYY-MM-DD, not '2007-13-45'");
  o = SearchOptions();
  o.k = 100001;
  CHECK(message(o) == "k must be between 1 and 100000, not 100001");
  o.k = 0;  // as the command line's -k and the service's k (issue 25)
  CHECK(message(o) == "k must be between 1 and 100000, not 0");
  o = SearchOptions();
  o.max_query_terms = 0;
  CHECK(message(o) == "max_query_terms must be between 1 and 1000, not 0");
  CHECK(error_text([] { askalike::checked_count("offset", -5, 0, 10); }, ErrorCode::kInvalidArgument) ==
        "offset must be between 0 and 10, not -5");
  askalike::IngestOptions ingest;
  ingest.threads = 100000;
  CHECK(error_text([&] { askalike::validate(ingest); }, ErrorCode::kInvalidArgument) ==
        "threads must be between 0 and 1024, not 100000");

  SUBCASE("searches refuse them, so no NaN score comes out") {
    TempDir dir;
    {
      askalike::IndexWriter w(dir / "db");
      w.upsert(make_record("knee", "Knee pain", "My knee hurts on stairs"));
      w.commit();
    }
    askalike::Searcher s(dir / "db");
    SearchOptions bad;
    bad.bm25_k1 = nan;
    error_text([&] { s.similar("knee pain", bad); }, ErrorCode::kInvalidArgument);
    error_text([&] { s.similar_batch({"knee pain"}, bad); }, ErrorCode::kInvalidArgument);
    error_text([&] { s.similar_batch({"knee pain"}, SearchOptions(), 5000); }, ErrorCode::kInvalidArgument);
    SearchOptions small;
    small.max_query_bytes = 8;
    CHECK(error_text([&] { s.similar("pain in the knee", small); }, ErrorCode::kInvalidArgument) ==
          "the query text is 16 bytes, more than the limit of 8 (max_query_bytes)");
    CHECK(std::isfinite(s.similar("knee pain").hits.at(0).score));
  }
}

TEST_CASE("a CSV whose header check fails frees its parser (run under LeakSanitizer)") {
  askalike::ReadOptions o;
  o.field_map["title"] = "nosuchcol";
  std::istringstream in("id,subject\n1,x\n");
  std::string m = error_text([&] { askalike::open_records(in, "x.csv", o); }, ErrorCode::kInvalidArgument);
  CHECK(has(m, "no column \"nosuchcol\""));
}

TEST_CASE("CSV and TSV: a column name with a bad byte is an error at the header line (fuzz finding F6)") {
  for (auto [format, text] : {std::pair{askalike::InputFormat::kTsv, "i\x99\ttitle\nq-1\tKnee pain\n"},
                              std::pair{askalike::InputFormat::kCsv, "id,ti\xfftle\nq-1,Knee pain\n"}}) {
    askalike::ReadOptions o;
    o.format = format;
    o.encoding = "UTF-8";
    std::istringstream in(text);
    std::string m = error_text(
        [&] {
          auto source = askalike::open_records(in, "h.txt", o);
          askalike::Record r;
          while (source->next(r)) {
          }
        },
        ErrorCode::kParse);
    CHECK(has(m, "h.txt:1: invalid UTF-8"));
  }
}

TEST_CASE("hostile settings in a database's metadata: an error that names it and says rebuild (fuzz finding F7)") {
  TempDir dir;
  const std::string db = dir / "db";
  {
    askalike::IndexWriter writer(db);
    writer.upsert(make_record("q-1", "Knee pain", "Why does my knee hurt after running?", "Rest it."));
    writer.upsert(make_record("q-2", "Back pain", "My lower back hurts when I sit", "Move more."));
    writer.commit();
  }
  std::string original[3];
  const char* const keys[] = {"askalike.ranking", "askalike.field_totals", "askalike.analyzer"};
  {
    Xapian::Database d(db);
    for (int k = 0; k < 3; ++k) original[k] = d.get_metadata(keys[k]);
  }
  const std::pair<int, std::string> hostile[] = {
      {0, ""},
      {0, "{"},
      {0, R"({"title_weight":-1,"question_weight":1,"answer_weight":0.1,"bm25_b":0.75,"scale":1000})"},
      {0, R"({"title_weight":1,"question_weight":1,"answer_weight":0.1,"bm25_b":7,"scale":1000})"},
      {0, R"({"title_weight":1,"question_weight":1,"answer_weight":0.1,"bm25_b":0.75,"scale":0.5})"},
      // A count that is not a whole number (fuzz finding F9: undefined behaviour converting it).
      {1, R"({"length":[4.6e22,10,10],"records":[1,1,1]})"},
      // A scale no termcount holds (fuzz finding F8: the question-type term's wdf overflowed).
      {0, R"({"title_weight":1e300,"question_weight":1,"answer_weight":0.1,"bm25_b":0.75,"scale":1e300})"},
      {1, R"({"length":[1,2],"records":[1,1,1]})"},
      {1, R"({"length":[-5,2,3],"records":[1,1,1]})"},
      {1, R"({"length":[9223372036854775807,2,3],"records":[1,1,1]})"},
      {2, "[]"},
      {2, R"({"fold_case":"yes"})"},
  };
  for (const auto& item : hostile) {
    const int key = item.first;
    const std::string& value = item.second;
    CAPTURE(value);
    {
      Xapian::WritableDatabase w(db, Xapian::DB_OPEN);
      for (int k = 0; k < 3; ++k) w.set_metadata(keys[k], k == key ? value : original[k]);
      w.commit();
    }
    // Searching reads the ranking and analyzer settings, stats and indexing
    // the field totals too.
    auto refused = [&](auto&& body) {
      std::string m = error_text(body, ErrorCode::kCorrupt);
      CHECK(has(m, db));
      CHECK(has(m, "damaged"));
      CHECK(has(m, "rebuild"));
    };
    refused([&] { askalike::Searcher(db, {}).stats(); });
    refused([&] {
      askalike::IndexWriter writer(db);
      writer.upsert(make_record("q-3", "Neck pain", "A stiff neck in the morning", ""));
      writer.commit();
    });
  }
  // Counts held as JSON floats no integer holds (fuzz finding F10: undefined
  // behaviour converting them), in the analyzer settings and in the summary
  // of the learned word associations.
  const std::string huge_term_bytes =
      std::regex_replace(original[2], std::regex(R"("max_term_bytes":[0-9]+)"), R"("max_term_bytes":3.3e55)");
  REQUIRE(huge_term_bytes != original[2]);
  const std::pair<std::string, std::string> huge_counts[] = {
      {"askalike.analyzer", huge_term_bytes},
      {"askalike.associations", R"({"records":3.3e55,"words":1})"},
  };
  for (const auto& item : huge_counts) {
    const std::string& key = item.first;
    const std::string& value = item.second;
    CAPTURE(value);
    {
      Xapian::WritableDatabase w(db, Xapian::DB_OPEN);
      for (int k = 0; k < 3; ++k) w.set_metadata(keys[k], original[k]);
      w.set_metadata(key, value);
      w.commit();
    }
    std::string m = error_text([&] { askalike::Searcher(db, {}).stats(); }, ErrorCode::kCorrupt);
    CHECK(has(m, db));
    CHECK(has(m, "rebuild"));
  }
}

// Issue 24, reproducer 12: an 8 MB answer was analysed whole (about 300 MB
// of tokens and ICU buffers at once); now in slices, with the same words and
// the same length as the whole text.
TEST_CASE("a long text is analysed in slices, with the words and length of the whole text") {
  const char* parts[] = {"Heart attack, ",   "myocardial infarction. ", "高血压患者能吃党参吗 ", "naïve café ",
                         "don't stop\n",     "x-ray 3.5mg ",            "Ελληνικά κείμενα ",   "e\u0301clair "};
  std::string text;
  for (std::size_t i = 0; text.size() < 600000; ++i) text += parts[i % 8];
  TempDir dir;
  const std::string db = dir.path() + "/db";
  {
    askalike::IndexWriter writer(db);
    askalike::Record r = make_record("long", "", "");
    r.answer = text;
    writer.upsert(r);
    writer.commit();
  }
  askalike::Analyzer analyzer;
  const std::vector<askalike::Token> tokens = analyzer.tokens(text);
  std::set<std::string> expected;
  for (const askalike::Token& t : tokens) expected.insert(t.term);
  Xapian::Database x(db);
  Xapian::Document doc = x.get_document(*x.postlist_begin(""));
  std::set<std::string> words;  // the ranking terms: no upper-case prefix
  for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it)
    if (!(*it).empty() && !std::isupper(static_cast<unsigned char>((*it)[0]))) words.insert(*it);
  CHECK(words == expected);
  // The answer's length in tokens (askalike.field_lengths: three varints).
  const std::string lengths = doc.get_value(askalike::schema::kFieldLengthsSlot);
  std::vector<std::uint32_t> n;
  for (std::size_t pos = 0; pos < lengths.size();) {
    std::uint32_t v = 0;
    for (int shift = 0; pos < lengths.size(); shift += 7) {
      const auto byte = static_cast<unsigned char>(lengths[pos++]);
      v |= static_cast<std::uint32_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) break;
    }
    n.push_back(v);
  }
  REQUIRE(n.size() == 3);
  CHECK(n[2] == tokens.size());
}
