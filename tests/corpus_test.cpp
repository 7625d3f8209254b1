// End to end on the bundled corpus: a question asked in other words finds
// the record it paraphrases among the first three.
#include <doctest/doctest.h>

#include <fstream>

#include "test_util.hpp"

namespace {

struct Paraphrase {
  const char* id;        // the record paraphrased
  const char* question;  // written by hand, in other words
};

// Builds a database from one corpus file in a temporary directory.
struct CorpusIndex {
  testutil::TempDir dir;
  std::string db = dir / "db";
  explicit CorpusIndex(const std::string& file) {
    std::string path = std::string(ASKALIKE_CORPUS_DIR) + "/" + file;
    std::ifstream in(path);
    REQUIRE_MESSAGE(in, "cannot read " << path);
    askalike::IndexWriter writer(db);
    auto report = writer.add_jsonl(in, path);
    REQUIRE(report.skipped == 0);
  }
};

void check_top3(const askalike::Searcher& searcher, const Paraphrase& p) {
  askalike::SearchOptions o;
  o.k = 3;
  o.snippets = false;
  auto found = testutil::ids(searcher.similar(p.question, o));
  INFO("question: " << std::string(p.question));
  INFO("expected " << std::string(p.id) << " in the top 3, got: " << (found.empty() ? "" : found[0]) << " "
                   << (found.size() > 1 ? found[1] : "") << " " << (found.size() > 2 ? found[2] : ""));
  CHECK(testutil::contains(found, p.id));
}

}  // namespace

TEST_CASE("English paraphrases find their MedQuAD record in the top 3") {
  CorpusIndex corpus("medquad-sample.jsonl");
  askalike::Searcher searcher(corpus.db);
  CHECK(searcher.stats().documents == 3009);
  const Paraphrase cases[] = {
      {"GHR_0000373-4", "Can FG syndrome be passed down from parents to their children?"},
      {"MPlusDrugs_0000099-2", "How much atorvastatin should I take and how do I use it?"},
      {"MPlusDrugs_0001158-7", "Does tamoxifen have adverse effects or dangers?"},
      {"GARD_0002167-1", "What signs and symptoms does Escobar syndrome type B have?"},
      {"NINDS_0000275-4", "Is anyone doing research or trials on Williams syndrome?"},
      {"NINDS_0000063-2", "How do doctors treat central pontine myelinolysis?"},
      {"ADAM_0000605-1", "My child swallowed some bug spray, what should I know about this kind of poisoning?"},
      {"MPlusDrugs_0000648-4", "I was prescribed isosorbide, are there precautions I should be careful about?"},
      {"ADAM_0001644-8", "Our newborn baby broke his collarbone during delivery. Should we take him to a doctor?"},
      {"MPlusDrugs_0000973-8", "What side effects can pertuzumab injections cause?"},
  };
  for (const auto& p : cases) check_top3(searcher, p);
}

// The README's first English example and the service page's sample question:
// the sample carries MedQuAD's twitching pages for them (corpus/make_corpus.py).
TEST_CASE("The README's twitch questions find the twitching pages, by words alone") {
  CorpusIndex corpus("medquad-sample.jsonl");
  askalike::Searcher searcher(corpus.db);
  askalike::SearchOptions o;
  o.k = 3;
  o.snippets = false;
  auto about_twitching = [](const askalike::Hit& hit) {
    return hit.record.title == "Eyelid twitch" || hit.record.title == "Muscle twitching";
  };
  const auto face = searcher.similar("why does my face twitch when I sleep?", o).hits;
  REQUIRE(face.size() == 3);
  for (const auto& hit : face) CHECK_MESSAGE(about_twitching(hit), hit.record.title);
  // Words alone put a page that shares "cheek" first here (the model does
  // better: README, "Meaning, not just words"); the twitching pages follow.
  const auto cheek = searcher.similar("my left cheek twitches when I sleep, is it a stroke?", o).hits;
  REQUIRE(cheek.size() == 3);
  CHECK(about_twitching(cheek[1]));
  CHECK(about_twitching(cheek[2]));
}

TEST_CASE("Chinese paraphrases find their cmd-zh record in the top 3") {
  CorpusIndex corpus("cmd-zh.jsonl");
  askalike::Searcher searcher(corpus.db);
  CHECK(searcher.stats().documents == 7644);
  const Paraphrase cases[] = {
      {"cmd-4513", "我是乙肝小三阳，肝功能检查正常，HBV-DNA是1.42E+03，需不需要吃药治疗？"},
      {"cmd-6853", "老公得糖尿病一年了，一直在吃药，这种情况下还能同房吗"},
      {"cmd-5875", "体检时发现有点脂肪肝，也没什么症状，脂肪肝会传染吗"},
      {"cmd-1465", "工作应酬多经常喝酒，体检查出酒精肝，身体抵抗力也变差了，酒精肝应该怎么治疗"},
      {"cmd-1571", "五十岁体检查出高血压，可是自己一点感觉都没有，为什么会这样"},
      {"cmd-1920", "小叔有高血压，喝了点酒以后头痛得厉害，高血压头痛该吃什么药"},
      {"cmd-4503", "肝癌病人能不能吃海带"},
  };
  for (const auto& p : cases) check_top3(searcher, p);

  // The README's question: its highlights cover whole words, no longer
  // "可[以吃党参]" (a character pair across 可以|吃; issue 25).
  askalike::SearchOptions marked;
  marked.highlight_open = "[";
  marked.highlight_close = "]";
  const auto hit = searcher.similar("我有高血压，最近头痛得厉害，可以吃党参泡水喝吗？", marked).hits.at(0);
  CHECK(hit.id == "cmd-1");
  INFO(hit.question_snippet);
  CHECK(hit.question_snippet.find("可[以") == std::string::npos);
  CHECK(hit.question_snippet.find("党参]") != std::string::npos);

  SUBCASE("related categories come with the hits") {
    auto results = searcher.similar("乙肝小三阳需要治疗吗");
    REQUIRE_FALSE(results.categories.empty());
    CHECK(results.categories[0].value == "肝病科");
  }
}
