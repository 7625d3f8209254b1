// Analysis: what becomes a term, for documents and queries alike.
#include <doctest/doctest.h>

#include <algorithm>

#include "test_util.hpp"

using askalike::Analyzer;
using askalike::AnalyzerOptions;
using testutil::contains;

namespace {

std::vector<std::string> words(const std::string& text, AnalyzerOptions o = AnalyzerOptions()) {
  // Words only: the CJK n-grams are checked on their own below.
  o.cjk_bigrams = false;
  o.cjk_unigrams = false;
  return Analyzer(o).terms(text);
}

AnalyzerOptions plain() {
  AnalyzerOptions o;
  o.stem = false;
  o.stop_words = false;
  o.cjk_bigrams = false;
  o.cjk_unigrams = false;
  return o;
}

}  // namespace

TEST_CASE("NFKC folds compatibility characters") {
  CHECK(words("ﬁle", plain()) == std::vector<std::string>{"file"});       // ligature
  CHECK(words("Ⅻ ㎏", plain()) == std::vector<std::string>{"xii", "kg"});  // roman numeral, unit
  CHECK(Analyzer(plain()).normalize("ﬁ①") == "fi1");
}

TEST_CASE("case folding") {
  CHECK(words("HELLO World", plain()) == std::vector<std::string>{"hello", "world"});
  CHECK(words("Straße", plain()) == std::vector<std::string>{"strasse"});
  SUBCASE("can be turned off") {
    AnalyzerOptions o = plain();
    o.fold_case = false;
    CHECK(words("HELLO", o) == std::vector<std::string>{"HELLO"});
  }
}

TEST_CASE("accent folding makes café match cafe") {
  CHECK(words("café", plain()) == words("cafe", plain()));
  CHECK(words("Crème Brûlée", plain()) == std::vector<std::string>{"creme", "brulee"});
  SUBCASE("off: accents stay") {
    AnalyzerOptions o = plain();
    o.fold_accents = false;
    CHECK(words("café", o) == std::vector<std::string>{"café"});
  }
  SUBCASE("marks that carry meaning in other scripts stay") {
    // Japanese voiced mark: が must not become か.
    CHECK(contains(words("がん", plain()), "がん"));
  }
}

TEST_CASE("full-width and half-width forms fold") {
  CHECK(words("Ｆｕｌｌ ｗｉｄｔｈ １２３", plain()) == std::vector<std::string>{"full", "width", "123"});
  CHECK(words("ｶﾀｶﾅ", plain()) == std::vector<std::string>{"カタカナ"});
}

TEST_CASE("Chinese is segmented into words, not single characters") {
  auto terms = words("高血压患者能吃党参吗", plain());
  CHECK(contains(terms, "高血压"));
  CHECK(contains(terms, "患者"));
  CHECK(terms.size() < 10);  // ten characters did not become ten terms
  SUBCASE("bigrams beside the words catch other segmentations") {
    AnalyzerOptions o = plain();
    o.cjk_bigrams = true;
    auto all = Analyzer(o).terms("高血压患者能吃党参吗");
    CHECK(contains(all, "党参"));  // ICU's dictionary splits 党/参; the bigram joins them
    CHECK(contains(all, "高血压"));
  }
  SUBCASE("by default each character is a term too, once, beside the words and bigrams") {
    auto all = Analyzer(AnalyzerOptions()).terms("糖尿病人能吃开心果吗");
    CHECK(contains(all, "吃"));
    CHECK(contains(all, "果"));
    CHECK(contains(all, "吃开"));      // a bigram across a word boundary
    CHECK_FALSE(contains(all, "吗"));  // a function word, dropped as a stop word
    CHECK(std::count(all.begin(), all.end(), "吃") == 1);
    AnalyzerOptions no_unigrams;
    no_unigrams.cjk_unigrams = false;
    CHECK_FALSE(contains(Analyzer(no_unigrams).terms("糖尿病人能吃开心果吗"), "果"));
  }
  SUBCASE("Traditional Chinese folds to Simplified when asked") {
    AnalyzerOptions o = plain();
    o.traditional_to_simplified = true;
    CHECK(contains(Analyzer(o).terms("高血壓"), "高血压"));
  }
}

TEST_CASE("Japanese and Thai are segmented") {
  CHECK(contains(words("東京都に住んでいます", plain()), "東京"));
  auto thai = words("ผมชอบกินข้าว", plain());
  CHECK(contains(thai, "กิน"));
  CHECK(contains(thai, "ข้าว"));  // tone mark kept
}

TEST_CASE("Snowball stemming and stop words") {
  auto terms = words("What are the treatments for running injuries?");
  CHECK(terms == std::vector<std::string>{"treatment", "run", "injuri"});
  SUBCASE("other languages use their own stemmer") {
    CHECK(Analyzer().terms("maisons", "fr") == std::vector<std::string>{"maison"});
  }
  SUBCASE("Chinese function words are dropped") {
    auto zh = words("我的头很疼吗");
    CHECK_FALSE(contains(zh, "的"));
    CHECK_FALSE(contains(zh, "吗"));
  }
}

TEST_CASE("over-long words are cut at a character boundary") {
  std::string huge;
  for (int i = 0; i < 500; ++i) huge += "é";  // 1000 bytes, one word
  auto terms = words(huge);
  REQUIRE(terms.size() == 1);
  CHECK(terms[0].size() <= AnalyzerOptions().max_term_bytes);
  CHECK(terms[0] == std::string(terms[0].size(), 'e'));  // accents folded, whole characters
  SUBCASE("and indexing them works") {
    testutil::TempDir dir;
    askalike::IndexWriter writer(dir / "db");
    writer.upsert(testutil::make_record("long", huge, huge + " " + std::string(5000, 'x')));
    writer.commit();
    askalike::Searcher searcher(dir / "db");
    CHECK(testutil::ids(searcher.similar(huge)) == std::vector<std::string>{"long"});
  }
}

TEST_CASE("empty, blank and punctuation-only text gives no tokens") {
  Analyzer a;
  CHECK(a.tokens("").empty());
  CHECK(a.tokens(" \t\n  ").empty());
  CHECK(a.tokens("?!... —— 。，").empty());
  CHECK(a.tokens("the of and what is").empty());  // stop words only
}

TEST_CASE("token offsets point into the original text") {
  std::string text = "Ｃafé au LAIT, 高血压患者";
  for (const auto& t : Analyzer().tokens(text)) {
    REQUIRE(t.end <= text.size());
    CHECK(t.begin < t.end);
  }
  auto tokens = Analyzer(plain()).tokens(text);
  REQUIRE(tokens.size() >= 3);
  CHECK(text.substr(tokens[0].begin, tokens[0].end - tokens[0].begin) == "Ｃafé");
  CHECK(tokens[0].term == "cafe");
}

TEST_CASE("invalid UTF-8 does not break analysis") {
  std::string bad = "abc\xff\xfe def";
  auto terms = words(bad, plain());
  CHECK(contains(terms, "def"));
}

TEST_CASE("options survive serialisation") {
  AnalyzerOptions o;
  o.stem = false;
  o.default_language = "fr";
  o.max_term_bytes = 80;
  CHECK(AnalyzerOptions::deserialize(o.serialize()) == o);
  CHECK_THROWS_AS(AnalyzerOptions::deserialize("{nonsense"), askalike::Error);
}
