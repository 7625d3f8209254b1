// Similar questions: ranking, filters, snippets, facets, threads.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <optional>
#include <thread>

#include "test_util.hpp"

using askalike::Record;
using askalike::Searcher;
using askalike::SearchOptions;
using testutil::contains;
using testutil::ids;
using testutil::make_record;
using testutil::TempDir;

namespace {

// A small clinic: a few departments, dates, tags, groups and two languages.
struct Clinic {
  TempDir dir;
  std::string db = dir / "db";
  Clinic() {
    askalike::IndexWriter writer(db);
    auto add = [&](Record r, const std::string& date, std::vector<std::string> tags, const std::string& group,
                   const std::string& lang = "en") {
      r.date = date;
      r.tags = std::move(tags);
      r.group = group;
      r.lang = lang;
      writer.upsert(r);
    };
    add(make_record("n1", "Facial twitching during sleep",
                    "My left cheek twitches from the corner of my eye to my mouth while I sleep. Is it a stroke?",
                    "Probably not a stroke; nerve conduction is unstable when you are tired.", "Neurology"),
        "2007-08-27", {"face", "sleep"}, "g1");
    add(make_record("n2", "Facial twitches before sleep",
                    "My cheekbone twitches to the corner of my mouth before I fall asleep.",
                    "This may be a facial nerve spasm; stress and fatigue make it worse.", "Neurology"),
        "2010-03-01", {"face"}, "g1");
    add(make_record("n3", "Eyelid twitching", "My eyelid keeps twitching all day. Should I worry?",
                    "Eyelid myokymia is common and harmless; sleep more and drink less coffee.", "Neurology"),
        "2015-06-30", {"eye"}, "g2");
    add(make_record("c1", "Chest pain when running", "I get chest pain when I run uphill.",
                    "Exertional chest pain needs a cardiac check.", "Cardiology"),
        "2012-01-15", {"heart"}, "g2");
    add(make_record("c2", "Palpitations at night", "My heart races at night and I cannot sleep.",
                    "Palpitations with anxiety are common; an ECG helps.", "Cardiology"),
        "2019-11-11", {"heart", "sleep"}, "g2");
    add(make_record("z1", "面部抽搐", "睡觉的时候左边脸从眼角到嘴角一直抽搐，是中风吗？", "多半不是中风，是疲劳引起的。",
                    "神经科"),
        "2020-05-05", {"face"}, "g3", "zh");
    add(make_record("z2", "高血压患者能吃党参吗？", "我有高血压，可以吃党参泡水喝吗？", "高血压病人可以吃党参。", "心血管科"),
        "2021-07-07", {"heart"}, "g3", "zh");
    writer.commit();
  }
};

}  // namespace

TEST_CASE("a long, noisy question finds the similar questions first") {
  Clinic clinic;
  Searcher searcher(clinic.db);
  // The sample page's question, as a patient types it.
  auto results = searcher.similar(
      "Recently, I have experienced slight twitching on the left side of my face while sleeping, from the corner "
      "of my eye to my mouth. I have seen a neurologist who mentioned that the muscle twitching at the corner of "
      "my eye is quite noticeable when I close my eyes tightly. I'm unsure if this is caused by sleep deprivation "
      "or if it could be a sign of a stroke.");
  REQUIRE(results.hits.size() >= 3);
  CHECK(results.hits[0].id == "n1");
  CHECK(results.hits[1].id == "n2");
  CHECK(results.hits[0].rank == 1);
  CHECK(results.hits[0].score > results.hits[1].score);
  CHECK(results.hits[0].confidence > 0.0);
  CHECK(results.hits[0].confidence <= 1.0);
  CHECK(results.hits[0].record.category == "Neurology");
  CHECK(contains(results.hits[0].matched_terms, "twitch"));
  CHECK(results.query_terms.size() <= SearchOptions().max_query_terms);
}

TEST_CASE("known words among hundreds of unknown ones are weighed as alone") {
  // Term frequencies are looked up in groups (issue 24): the known words
  // fall in the third group here, and must count as in a short question.
  Clinic clinic;
  Searcher searcher(clinic.db);
  SearchOptions o;
  o.spelling = false;
  std::string noise;
  for (int i = 0; i < 300; ++i) noise += "zq" + std::to_string(i * 7919) + "x ";
  auto alone = searcher.similar("eyelid twitching", o);
  auto among = searcher.similar(noise + "eyelid twitching", o);
  REQUIRE_FALSE(alone.hits.empty());
  REQUIRE(among.query_terms.size() == alone.query_terms.size());
  for (std::size_t i = 0; i < alone.query_terms.size(); ++i) {
    CHECK(among.query_terms[i].term == alone.query_terms[i].term);
    CHECK(among.query_terms[i].weight == doctest::Approx(alone.query_terms[i].weight));
  }
  REQUIRE(among.hits.size() == alone.hits.size());
  for (std::size_t i = 0; i < alone.hits.size(); ++i) CHECK(among.hits[i].id == alone.hits[i].id);
}

TEST_CASE("a query of only stop words or punctuation gives no hits and no error") {
  Clinic clinic;
  Searcher searcher(clinic.db);
  CHECK(searcher.similar("what is the ?").hits.empty());
  CHECK(searcher.similar("?!?! ...").hits.empty());
  CHECK(searcher.similar("").hits.empty());
  CHECK(searcher.similar("xylophone quasar").hits.empty());  // words no record has
}

TEST_CASE("filters") {
  Clinic clinic;
  Searcher searcher(clinic.db);
  SearchOptions o;
  const std::string q = "twitching at night, chest pain and heart racing while I sleep";

  SUBCASE("categories") {
    o.categories = {"Cardiology"};
    auto found = ids(searcher.similar(q, o));
    CHECK(found.size() == 2);
    for (const auto& id : found) CHECK(id[0] == 'c');
  }
  SUBCASE("tags: any of them") {
    o.tags = {"eye", "heart"};
    auto found = ids(searcher.similar(q, o));
    CHECK(contains(found, "n3"));
    CHECK(contains(found, "c2"));
    CHECK_FALSE(contains(found, "n1"));
  }
  SUBCASE("language") {
    o.lang = "zh";
    CHECK(ids(searcher.similar("脸 抽搐 中风", o)) == std::vector<std::string>{"z1"});
    o.lang = "en";
    CHECK(searcher.similar("脸 抽搐 中风", o).hits.empty());
  }
  SUBCASE("group") {
    o.group = "g1";
    auto found = ids(searcher.similar(q, o));
    CHECK(found.size() == 2);
    CHECK(contains(found, "n1"));
    CHECK(contains(found, "n2"));
  }
  SUBCASE("date range, a year prefix covering the whole year") {
    o.since = "2010-01-01";
    o.until = "2015";
    auto found = ids(searcher.similar(q, o));
    CHECK(contains(found, "n2"));
    CHECK(contains(found, "n3"));
    CHECK(contains(found, "c1"));
    CHECK_FALSE(contains(found, "n1"));  // 2007
    CHECK_FALSE(contains(found, "c2"));  // 2019
  }
  SUBCASE("only since") {
    o.since = "2016";
    CHECK(ids(searcher.similar(q, o)) == std::vector<std::string>{"c2"});
  }
  SUBCASE("exclude an id") {
    o.exclude_id = "n1";
    CHECK_FALSE(contains(ids(searcher.similar(q, o)), "n1"));
  }
  SUBCASE("filters combine") {
    o.categories = {"Neurology"};
    o.tags = {"face"};
    o.until = "2009";
    CHECK(ids(searcher.similar(q, o)) == std::vector<std::string>{"n1"});
  }
}

TEST_CASE("paging with k and offset") {
  Clinic clinic;
  Searcher searcher(clinic.db);
  SearchOptions o;
  o.k = 100;
  auto all = ids(searcher.similar("twitching sleep heart", o));
  REQUIRE(all.size() >= 4);
  o.k = 2;
  o.offset = 1;
  auto page = searcher.similar("twitching sleep heart", o);
  CHECK(ids(page) == std::vector<std::string>{all[1], all[2]});
  CHECK(page.hits[0].rank == 2);
}

TEST_CASE("more_like finds similar records and never the record itself") {
  Clinic clinic;
  Searcher searcher(clinic.db);
  auto results = searcher.more_like("n1");
  REQUIRE_FALSE(results.hits.empty());
  CHECK(results.hits[0].id == "n2");
  CHECK_FALSE(contains(ids(results), "n1"));
  CHECK_THROWS_AS(searcher.more_like("no-such-id"), askalike::Error);
}

TEST_CASE("snippets highlight the matching words") {
  Clinic clinic;
  Searcher searcher(clinic.db);
  SearchOptions o;
  o.highlight_open = "[";
  o.highlight_close = "]";
  auto hit = searcher.similar("facial nerve spasm", o).hits.at(0);
  CHECK(hit.id == "n2");
  CHECK(hit.answer_snippet == "This may be a [facial] [nerve] [spasm]; stress and fatigue make it worse.");
  SUBCASE("a long field is cut around the matches") {
    askalike::IndexWriter writer(clinic.db);
    std::string filler;
    for (int i = 0; i < 60; ++i) filler += "Lorem ipsum dolor sit amet. ";
    writer.upsert(make_record("long", "Long answer", "A question about gallstones?",
                              filler + "Gallstones can block the bile duct and cause jaundice. " + filler));
    writer.commit();
    Searcher fresh(clinic.db);
    o.snippet_length = 80;
    auto h = fresh.similar("gallstones bile duct", o).hits.at(0);
    CHECK(h.id == "long");
    CHECK(h.answer_snippet.find("[Gallstones] can block the [bile] [duct]") != std::string::npos);
    CHECK(h.answer_snippet.rfind("…", 0) == 0);  // cut at the start
    CHECK(h.answer_snippet.size() < 150);
  }
  SUBCASE("Chinese") {
    auto zh = searcher.similar("高血压能吃党参吗", o).hits.at(0);
    CHECK(zh.id == "z2");
    CHECK(zh.question_snippet.find("[高血压]") != std::string::npos);
    INFO(zh.question_snippet);
    // Overlapping bigram matches merge into one highlight ("[吃党参]").
    CHECK(zh.question_snippet.find("党参]") != std::string::npos);
  }
  SUBCASE("control-character markers in the text are not highlights") {
    askalike::IndexWriter writer(clinic.db);
    writer.upsert(make_record("forged", "Forged", "\x01" "Forged\x02 question about zebrafish?", "No."));
    writer.commit();
    o.highlight_open = "\x01";
    o.highlight_close = "\x02";
    auto h = Searcher(clinic.db).similar("zebrafish", o).hits.at(0);
    CHECK(h.id == "forged");
    CHECK(h.question_snippet == "Forged question about \x01zebrafish\x02?");
  }
  SUBCASE("can be turned off") {
    o.snippets = false;
    CHECK(searcher.similar("facial nerve spasm", o).hits.at(0).answer_snippet.empty());
  }
}

TEST_CASE("category facets and related topics") {
  TempDir dir;
  {
    askalike::IndexWriter writer(dir / "db");
    // Three questions on one topic, two on another, one alone.
    writer.upsert(make_record("a1", "Tremor", "Why do my hands shake?", "", "Neurology"));
    writer.upsert(make_record("a2", "Tremor", "Hands shake when holding a cup", "", "Neurology"));
    writer.upsert(make_record("a3", "tremor", "Shaking hands in the morning", "", "Geriatrics"));
    writer.upsert(make_record("b1", "Anxiety", "My hands shake when I am anxious", "", "Psychiatry"));
    writer.upsert(make_record("b2", "Anxiety", "Shaking and sweating before exams, hands", "", "Psychiatry"));
    writer.upsert(make_record("c1", "Caffeine", "Coffee makes my hands shake", "", "Nutrition"));
    writer.commit();
  }
  Searcher searcher(dir / "db");
  auto results = searcher.similar("my hands shake");
  REQUIRE(results.hits.size() == 6);
  REQUIRE(results.categories.size() == 4);
  CHECK(results.categories[0].value == "Neurology");
  CHECK(results.categories[0].count == 2);
  CHECK(results.categories[1].value == "Psychiatry");
  REQUIRE(results.related_topics.size() == 2);  // Caffeine does not recur
  CHECK(results.related_topics[0].topic == "Tremor");
  CHECK(results.related_topics[0].count == 3);  // "tremor" counts as the same topic
  CHECK(results.related_topics[0].category == "Neurology");
  CHECK(results.related_topics[1].topic == "Anxiety");
  CHECK(results.related_topics[1].category == "Psychiatry");
  SUBCASE("can be turned off") {
    SearchOptions o;
    o.facets = false;
    auto plain = searcher.similar("my hands shake", o);
    CHECK(plain.categories.empty());
    CHECK(plain.related_topics.empty());
  }
}

TEST_CASE("field weights are database settings: set on a new database, changed by reindex") {
  TempDir dir;
  auto build = [&](const std::string& name, const std::optional<askalike::RankingOptions>& ranking) {
    askalike::IndexOptions options;
    options.ranking = ranking;
    askalike::IndexWriter writer(dir / name, options);
    writer.upsert(make_record("t", "Kidney stones", "What is this?", "Drink water."));
    writer.upsert(make_record("a", "Diet", "What should I eat?", "Kidney stones form from calcium oxalate."));
    writer.commit();
  };
  build("default", std::nullopt);
  askalike::RankingOptions answers;
  answers.title_weight = 0.1;
  answers.answer_weight = 2.0;
  build("answers", answers);
  CHECK(ids(Searcher(dir / "default").similar("kidney stones")) == std::vector<std::string>{"t", "a"});
  CHECK(ids(Searcher(dir / "answers").similar("kidney stones")) == std::vector<std::string>{"a", "t"});
  CHECK(Searcher(dir / "answers").stats().ranking.answer_weight == 2.0);

  // reindex: the records of one database ranked with other settings.
  askalike::reindex_database(dir / "default", dir / "reindexed", answers);
  CHECK(ids(Searcher(dir / "reindexed").similar("kidney stones")) == std::vector<std::string>{"a", "t"});
  askalike::RankingOptions nothing = answers;
  nothing.title_weight = nothing.question_weight = nothing.answer_weight = 0.0;
  askalike::reindex_database(dir / "default", dir / "nothing", nothing);
  CHECK(Searcher(dir / "nothing").similar("kidney stones").hits.empty());
  CHECK(Searcher(dir / "default").stats().ranking.answer_weight == askalike::RankingOptions().answer_weight);
  CHECK_THROWS_AS(askalike::reindex_database(dir / "default", dir / "nothing"), askalike::Error);  // exists

  // An existing database keeps its settings: asking for others is an error.
  CHECK_THROWS_AS(askalike::IndexWriter(dir / "default", askalike::IndexOptions{{}, answers, true}), askalike::Error);
  askalike::IndexOptions same;
  same.ranking = askalike::RankingOptions();
  CHECK_NOTHROW(askalike::IndexWriter(dir / "default", same));
  askalike::RankingOptions bad;
  bad.bm25_b = 2.0;
  CHECK_THROWS_AS(askalike::reindex_database(dir / "default", dir / "bad", bad), askalike::Error);
  SearchOptions bad_k1;
  bad_k1.bm25_k1 = -1.0;
  CHECK_THROWS_AS(Searcher(dir / "default").similar("kidney", bad_k1), askalike::Error);
}

TEST_CASE("a long answer does not weaken its record's question matches (per-field lengths)") {
  TempDir dir;
  std::string long_answer;
  for (int i = 0; i < 60; ++i) long_answer += "Eye drops, laser surgery and regular checks at the clinic help. ";
  {
    askalike::IndexWriter writer(dir / "db");
    // The exact question, with a long answer that never names the disease.
    writer.upsert(make_record("exact", "", "How is glaucoma treated?", long_answer));
    // A question that adds words, with a short answer.
    writer.upsert(make_record("longer", "", "How is glaucoma in small children treated at home?", "Ask a doctor."));
    for (int i = 0; i < 8; ++i)
      writer.upsert(make_record("other" + std::to_string(i), "", "Why do I sneeze in the morning?", "Allergies."));
    writer.commit();
  }
  Searcher searcher(dir / "db");
  auto results = searcher.similar("How is glaucoma treated?");
  REQUIRE(results.hits.size() == 2);
  // With one length per record (plain BM25) the long answer's 600 words
  // would divide down the exact question's match and "longer" would win.
  CHECK(ids(results) == std::vector<std::string>{"exact", "longer"});
  CHECK(results.hits[0].matched_terms == std::vector<std::string>{"glaucoma", "treat"});
}

TEST_CASE("hits carry only what the caller asks for") {
  Clinic clinic;
  Searcher searcher(clinic.db);
  SearchOptions full;
  SearchOptions lean;
  lean.records = false;
  lean.snippets = false;
  lean.match_details = false;
  lean.facets = false;
  const std::string q = "facial twitching at night";
  auto a = searcher.similar(q, full);
  auto b = searcher.similar(q, lean);
  CHECK(ids(a) == ids(b));  // the same ranking
  REQUIRE_FALSE(b.hits.empty());
  CHECK(b.hits[0].score == a.hits[0].score);
  CHECK(b.hits[0].record.id.empty());
  CHECK(b.hits[0].matched_terms.empty());
  CHECK(b.hits[0].question_snippet.empty());
  CHECK_FALSE(a.hits[0].matched_terms.empty());
}

TEST_CASE("max_query_terms keeps the strongest terms") {
  Clinic clinic;
  Searcher searcher(clinic.db);
  SearchOptions o;
  o.max_query_terms = 2;
  auto results = searcher.similar("twitching eyelid coffee sleep heart chest", o);
  REQUIRE(results.query_terms.size() == 2);
  CHECK(results.query_terms[0].weight >= results.query_terms[1].weight);
}

TEST_CASE("similarity of two texts") {
  Clinic clinic;
  Searcher searcher(clinic.db);
  double same = searcher.similarity("facial twitching during sleep", "Facial twitching during sleep!");
  double close = searcher.similarity("facial twitching during sleep", "my face twitches when I sleep");
  double far = searcher.similarity("facial twitching during sleep", "chest pain when running uphill");
  CHECK(same == doctest::Approx(1.0));
  CHECK(close > far);
  CHECK(far == doctest::Approx(0.0));
  CHECK(searcher.similarity("", "anything") == 0.0);
}

TEST_CASE("similarity: questions asking different things about the same words are less alike") {
  Clinic clinic;
  Searcher searcher(clinic.db);
  // The same two content words each time; only what is asked differs.
  const std::string cause = "What causes eyelid twitching?";
  double also_cause = searcher.similarity(cause, "Why does my eyelid keep twitching?");
  double treatment = searcher.similarity(cause, "How is eyelid twitching treated?");
  CHECK(also_cause > treatment);
  CHECK(searcher.similarity(cause, "How is eyelid twitching treated?") ==
        doctest::Approx(searcher.similarity("How is eyelid twitching treated?", cause)));
}

TEST_CASE("a searcher serves many threads at once, and batches equal single calls") {
  Clinic clinic;
  Searcher searcher(clinic.db);
  const std::vector<std::string> questions = {"twitching face at night", "chest pain running", "高血压 党参",
                                              "eyelid twitch coffee", "heart racing sleep"};
  std::vector<std::vector<std::string>> expected;
  for (const auto& q : questions) expected.push_back(ids(searcher.similar(q)));

  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::size_t q = static_cast<std::size_t>(t + i) % questions.size();
        if (ids(searcher.similar(questions[q])) != expected[q]) ++mismatches;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(mismatches == 0);

  auto batch = searcher.similar_batch(questions, SearchOptions(), 4);
  REQUIRE(batch.size() == questions.size());
  for (std::size_t i = 0; i < questions.size(); ++i) CHECK(ids(batch[i]) == expected[i]);
}
