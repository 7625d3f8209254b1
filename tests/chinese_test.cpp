// Chinese as a user types it: mixed with English and digits, Traditional
// characters, full-width forms; the hits and highlights they see (issue 29).
#include <doctest/doctest.h>

#include "test_util.hpp"

using askalike::Analyzer;
using askalike::AnalyzerOptions;
using askalike::Searcher;
using askalike::SearchOptions;
using testutil::contains;
using testutil::ids;
using testutil::make_record;
using testutil::TempDir;

namespace {

// A few Chinese questions in Simplified characters, with the default settings.
struct Forum {
  TempDir dir;
  std::string db = dir / "db";
  explicit Forum(const AnalyzerOptions& analysis = AnalyzerOptions()) {
    askalike::IndexOptions o;
    o.analyzer = analysis;
    askalike::IndexWriter writer(db, o);
    writer.upsert(make_record("yogurt", "", "高血压患者能喝酸奶吗？"));
    writer.upsert(make_record("pressure", "", "血压135/80算高血压吗？"));
    writer.upsert(make_record("ct", "", "做CT检查有辐射吗？"));
    writer.upsert(make_record("dangshen", "", "我有高血压，可以吃党参泡水喝吗？"));
    writer.upsert(make_record("liver", "", "脂肪肝能喝酒吗？"));
    writer.upsert(make_record("cough", "", "咳嗽一个月不好怎么办？"));
    writer.upsert(make_record("hospital", "", "去哪家医院看病好？"));
    writer.commit();
  }
  std::vector<std::string> ask(const std::string& question, std::size_t k = 1) const {
    SearchOptions o;
    o.k = k;
    return ids(Searcher(db).similar(question, o));
  }
};

}  // namespace

TEST_CASE("Chinese mixed with English and digits") {
  auto terms = Analyzer().terms("高血压80/135能喝酸奶吗");
  CHECK(contains(terms, "高血压"));
  CHECK(contains(terms, "酸奶"));
  CHECK(contains(terms, "80"));
  CHECK(contains(terms, "135"));
  CHECK_FALSE(contains(terms, "吗"));  // a function word
  Forum forum;
  CHECK(forum.ask("高血压80/135能喝酸奶吗") == std::vector<std::string>{"yogurt"});
  CHECK(forum.ask("血压135/80高不高") == std::vector<std::string>{"pressure"});
  CHECK(forum.ask("ct检查辐射大吗") == std::vector<std::string>{"ct"});  // case folded
}

TEST_CASE("full-width letters and digits find their ASCII forms") {
  CHECK(Analyzer().terms("ＣＴ１３５") == Analyzer().terms("ct135"));
  Forum forum;
  CHECK(forum.ask("做ＣＴ检查有辐射吗") == std::vector<std::string>{"ct"});
  CHECK(forum.ask("血压１３５／８０算高吗") == std::vector<std::string>{"pressure"});
}

TEST_CASE("Traditional Chinese finds Simplified records, and back") {
  CHECK(AnalyzerOptions().traditional_to_simplified);  // the default of a new database
  CHECK(Analyzer().terms("高血壓患者能喝酸奶嗎") == Analyzer().terms("高血压患者能喝酸奶吗"));
  Forum forum;
  CHECK(forum.ask("高血壓患者能喝酸奶嗎？") == std::vector<std::string>{"yogurt"});
  CHECK(forum.ask("脂肪肝能喝酒嗎") == std::vector<std::string>{"liver"});
  CHECK(forum.ask("咳嗽一個月不好怎麼辦") == std::vector<std::string>{"cough"});
  CHECK(forum.ask("醫") == std::vector<std::string>{"hospital"});  // 醫 is 医
  // Japanese kanji are not Traditional Chinese: text with kana keeps them (東京, not 东京).
  CHECK(contains(Analyzer().terms("東京都に住んでいます"), "東京"));
  SUBCASE("a database built without the folding keeps its own setting") {
    AnalyzerOptions off;
    off.traditional_to_simplified = false;
    Forum old(off);
    CHECK_FALSE(Searcher(old.db).stats().analyzer.traditional_to_simplified);
    CHECK(old.ask("醫").empty());
  }
}

TEST_CASE("CJK n-gram weights are stored with the database") {
  AnalyzerOptions o;
  o.cjk_unigram_weight = 0.25;
  o.cjk_bigram_weight = 0.75;
  Forum forum(o);
  const AnalyzerOptions stored = Searcher(forum.db).stats().analyzer;
  CHECK(stored.cjk_unigram_weight == 0.25);
  CHECK(stored.cjk_bigram_weight == 0.75);
  CHECK(forum.ask("高血压能喝酸奶吗") == std::vector<std::string>{"yogurt"});
  SUBCASE("settings from before the weights read as the old behaviour (every term 1)") {
    const std::string before =
        R"({"fold_case":true,"fold_accents":true,"traditional_to_simplified":false,"stop_words":true,)"
        R"("stem":true,"cjk_bigrams":true,"cjk_unigrams":true,"default_language":"en","max_term_bytes":64})";
    const AnalyzerOptions old = AnalyzerOptions::deserialize(before);
    CHECK(old.cjk_unigram_weight == 1.0);
    CHECK(old.cjk_bigram_weight == 1.0);
    CHECK_FALSE(old.traditional_to_simplified);
  }
  SUBCASE("a weight outside 0..1 is refused") {
    AnalyzerOptions bad;
    bad.cjk_unigram_weight = 2.0;
    CHECK_THROWS_AS(Analyzer{bad}, askalike::Error);
  }
}

TEST_CASE("Chinese highlights cover whole words (issue 25)") {
  Forum forum;
  SearchOptions o;
  o.highlight_open = "[";
  o.highlight_close = "]";
  // The question's 所以 is a stop word, but its pair 以吃 is a term, and in
  // the record it crosses the words 可以|吃: the highlight takes the whole
  // word 可以 rather than start inside it ("可[以吃党参]" before).
  auto hit = Searcher(forum.db).similar("所以吃党参好吗", o).hits.at(0);
  CHECK(hit.id == "dangshen");
  CHECK(hit.question_snippet == "我有高血压，[可以吃党参]泡水喝吗？");
}
