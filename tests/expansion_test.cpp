// Query expansion (issue 13): word associations learned from a collection's
// questions and answers, and pseudo-relevance feedback.
#include <doctest/doctest.h>

#include <xapian.h>

#include <fstream>

#include "test_util.hpp"

using askalike::Error;
using askalike::ErrorCode;
using askalike::IndexWriter;
using askalike::Record;
using askalike::Searcher;
using askalike::SearchOptions;
using testutil::contains;
using testutil::error_of;
using testutil::ids;
using testutil::make_record;
using testutil::TempDir;

namespace {

// A small collection whose answers teach that a heart attack is a myocardial
// infarction; "mi-recovery" says only the clinical words.
std::vector<Record> heart_records() {
  return {
      make_record("ha-what", "Heart attack", "What is a heart attack?",
                  "A heart attack, also called a myocardial infarction, happens when blood flow to part of the "
                  "heart muscle is blocked."),
      make_record("ha-signs", "Heart attack warning signs", "What are the warning signs of a heart attack?",
                  "Chest pain and shortness of breath are the usual signs of a myocardial infarction."),
      make_record("ha-risk", "Heart attack risk", "Who is at risk of a heart attack?",
                  "The risk of myocardial infarction rises with age, smoking and high cholesterol."),
      make_record("ha-exercise", "Exercise after a heart attack", "How soon after a heart attack can I exercise?",
                  "After a myocardial infarction, cardiac rehabilitation starts with short walks."),
      make_record("mi-recovery", "Myocardial infarction recovery",
                  "How long does recovery from a myocardial infarction take?",
                  "Most patients return to work within weeks; the infarction leaves a scar that heals slowly."),
      make_record("flu-what", "Influenza", "What is the flu?", "Influenza is a contagious viral infection."),
      make_record("flu-shot", "Flu vaccine", "Who should get a flu shot?", "Everyone older than six months."),
      make_record("asthma", "Asthma", "What triggers asthma?", "Pollen, dust, smoke and cold air."),
      make_record("diabetes", "Diabetes", "What is diabetes?", "A disease in which blood sugar is too high."),
      make_record("sugar", "Sugar and diabetes", "Does eating sugar cause diabetes?",
                  "Sugar alone does not, but being overweight raises the risk."),
      make_record("sleep", "Sleep", "How much sleep do adults need?", "Seven to nine hours a night."),
      make_record("back", "Back pain", "What helps lower back pain?", "Gentle exercise and heat."),
  };
}

void build(const std::string& db, const std::vector<Record>& records, bool learn) {
  IndexWriter writer(db);
  for (const Record& r : records) writer.upsert(r);
  writer.commit();
  if (learn) writer.learn_associations();
}

SearchOptions with_associations(std::size_t n = 5) {
  SearchOptions o;
  o.max_associations = n;
  return o;
}

std::vector<std::string> terms_of(const std::vector<askalike::QueryTerm>& terms) {
  std::vector<std::string> out;
  for (const auto& t : terms) out.push_back(t.term);
  return out;
}

void check_same(const askalike::Results& a, const askalike::Results& b) {
  REQUIRE(a.hits.size() == b.hits.size());
  for (std::size_t i = 0; i < a.hits.size(); ++i) {
    CHECK(a.hits[i].id == b.hits[i].id);
    CHECK(a.hits[i].score == b.hits[i].score);
  }
}

}  // namespace

TEST_CASE("once the collection teaches it, 'heart attack' finds a record that only says 'myocardial infarction'") {
  TempDir dir;
  const std::string db = dir / "db";
  build(db, heart_records(), true);
  Searcher searcher(db);

  auto plain = searcher.similar("heart attack", SearchOptions());
  CHECK_FALSE(contains(ids(plain), "mi-recovery"));
  CHECK(plain.added_terms.empty());

  auto expanded = searcher.similar("heart attack", with_associations());
  CHECK(contains(ids(expanded), "mi-recovery"));
  askalike::Analyzer analyzer(searcher.stats().analyzer);
  const std::string myocardial = analyzer.tokens("myocardial").at(0).term;
  const std::string infarction = analyzer.tokens("infarction").at(0).term;
  CHECK(contains(terms_of(expanded.added_terms), myocardial));
  CHECK(contains(terms_of(expanded.added_terms), infarction));
  // Small weights: the records that say "heart attack" stay first.
  REQUIRE(expanded.hits.size() >= 5);
  CHECK(expanded.hits[0].id.rfind("ha-", 0) == 0);
  CHECK(ids(expanded).back() != "ha-what");

  // What was learned can be shown: strongest first, each in (0, 1].
  auto learned = searcher.associations("Heart");
  std::vector<std::string> words;
  for (const auto& a : learned) {
    words.push_back(a.term);
    CHECK(a.strength > 0.0);
    CHECK(a.strength <= 1.0);
  }
  CHECK(contains(words, myocardial));
  for (std::size_t i = 1; i < learned.size(); ++i) CHECK(learned[i - 1].strength >= learned[i].strength);
  CHECK(searcher.associations("sleep").empty());  // in too few records to teach anything
  CHECK(searcher.associations("").empty());

  auto stats = searcher.stats();
  CHECK(stats.associations_learned_from == heart_records().size());
  CHECK(stats.association_words > 0);
}

TEST_CASE("associations are per database, and a query with them off is unchanged") {
  TempDir dir;
  build(dir / "learned", heart_records(), true);
  build(dir / "plain", heart_records(), false);
  Searcher learned(dir / "learned"), plain(dir / "plain");
  CHECK(plain.stats().associations_learned_from == 0);
  CHECK(plain.associations("heart").empty());
  // The database that learned nothing adds nothing, asked or not.
  auto asked = plain.similar("heart attack", with_associations());
  CHECK(asked.added_terms.empty());
  CHECK_FALSE(contains(ids(asked), "mi-recovery"));
  for (const char* q : {"heart attack", "what is the flu", "sugar diabetes risk", "chest pain after exercise"}) {
    CAPTURE(q);
    check_same(learned.similar(q, SearchOptions()), plain.similar(q, SearchOptions()));
    check_same(plain.similar(q, with_associations()), plain.similar(q, SearchOptions()));
  }
}

TEST_CASE("learning again replaces the table, and records added since count then") {
  TempDir dir;
  const std::string db = dir / "db";
  auto records = heart_records();
  records.erase(records.begin() + 1, records.begin() + 4);  // one lesson only: chance
  build(db, records, true);
  CHECK(Searcher(db).associations("heart").empty());
  {
    IndexWriter writer(db);
    for (const Record& r : heart_records()) writer.upsert(r);
    writer.commit();
    CHECK(writer.stats().associations_learned_from == records.size());  // not renewed by adding
    auto report = writer.learn_associations();
    CHECK(report.records == heart_records().size());
    CHECK(report.words > 0);
    CHECK(report.bytes > 0);
  }
  CHECK_FALSE(Searcher(db).associations("heart").empty());
}

TEST_CASE("associations work for Chinese: 心脏病发作 finds a record that only says 肌梗死") {
  TempDir dir;
  const std::string db = dir / "db";
  auto zh = [](const std::string& id, const std::string& q, const std::string& a) {
    Record r = make_record(id, "", q, a);
    r.lang = "zh";
    return r;
  };
  build(db,
        {
            zh("1", "心脏病发作是什么？", "心脏病发作在医学上称为心肌梗死，是冠状动脉堵塞引起的。"),
            zh("2", "心脏病发作有哪些症状？", "心肌梗死的症状有胸痛和出汗。"),
            zh("3", "哪些人容易心脏病发作？", "吸烟和高血压的人心肌梗死的风险高。"),
            zh("4", "心脏病发作后能运动吗？", "心肌梗死以后应在医生指导下慢慢恢复运动。"),
            zh("target", "急性肌梗死以后多久能上班？", "一般几周以后可以回去上班。"),
            zh("6", "感冒了怎么办？", "多喝水，多休息。"),
            zh("7", "糖尿病能吃水果吗？", "可以适量吃，注意血糖。"),
            zh("8", "失眠怎么办？", "规律作息，睡前不要喝咖啡。"),
            zh("9", "头痛吃什么药？", "可以吃布洛芬，但要遵医嘱。"),
            zh("10", "孩子发烧怎么办？", "体温超过三十八度五要就医。"),
        },
        true);
  Searcher searcher(db);
  SearchOptions plain;
  plain.lang = "zh";
  CHECK_FALSE(contains(ids(searcher.similar("心脏病发作", plain)), "target"));
  SearchOptions expanded = with_associations();
  expanded.lang = "zh";
  auto results = searcher.similar("心脏病发作", expanded);
  CHECK(contains(ids(results), "target"));
  CHECK_FALSE(results.added_terms.empty());
}

TEST_CASE("a damaged association table gives a clear error, never a crash") {
  TempDir dir;
  const std::string db = dir / "db";
  build(db, heart_records(), true);
  askalike::Analyzer analyzer(Searcher(db).stats().analyzer);
  const std::string heart = analyzer.tokens("heart").at(0).term;
  const std::vector<std::string> damage = {
      "myocardi\n",                         // no strength
      "myocardi\t0.5",                      // unterminated
      "myocardi\tnan\n",                    // not a number
      "myocardi\t7\n",                      // out of (0, 1]
      "\t0.5\n",                            // no word
      std::string(40000, 'x'),              // too long
  };
  std::string many;
  for (int i = 0; i < 100; ++i) many += "w" + std::to_string(i) + "\t0.5\n";
  std::vector<std::string> all = damage;
  all.push_back(many);  // more words than any table keeps
  for (const std::string& value : all) {
    CAPTURE(value.substr(0, 40));
    {
      Xapian::WritableDatabase raw(db);
      raw.set_metadata("askalike.assoc." + heart, value);
      raw.commit();
    }
    Searcher searcher(db);
    Error e = error_of([&] { searcher.similar("heart attack", with_associations()); });
    CHECK(e.code() == ErrorCode::kCorrupt);
    CHECK(std::string(e.what()).find("word associations") != std::string::npos);
    // The database is named, and what to do about it said.
    CHECK(std::string(e.what()).find(db) != std::string::npos);
    CHECK(std::string(e.what()).find("rebuild") != std::string::npos);
    CHECK(error_of([&] { searcher.associations("heart"); }).code() == ErrorCode::kCorrupt);
    // Without associations the search does not read the table.
    CHECK_FALSE(searcher.similar("heart attack").hits.empty());
  }
  {
    Xapian::WritableDatabase raw(db);
    raw.set_metadata("askalike.associations", "{not json");
    raw.commit();
  }
  CHECK(error_of([&] { Searcher(db).stats(); }).code() == ErrorCode::kCorrupt);
}

TEST_CASE("pseudo-relevance feedback: 'heart attack' finds the myocardial infarction record from its top hits' words") {
  TempDir dir;
  const std::string db = dir / "db";
  build(db, heart_records(), false);  // nothing learned: feedback needs no table
  Searcher searcher(db);
  SearchOptions feedback;
  feedback.feedback_terms = 5;
  feedback.feedback_documents = 4;
  auto results = searcher.similar("heart attack", feedback);
  CHECK(contains(ids(results), "mi-recovery"));
  CHECK(results.hits.at(0).id.rfind("ha-", 0) == 0);
  askalike::Analyzer analyzer(searcher.stats().analyzer);
  auto added = terms_of(results.added_terms);
  CHECK(contains(added, analyzer.tokens("myocardial").at(0).term));
  for (const auto& t : results.added_terms) {
    CHECK(t.weight > 0.0);
    CHECK(t.weight <= feedback.feedback_weight);
    CHECK(t.term[0] != 'Q');  // no filter term (ids, categories, ...) is added
  }
  CHECK_FALSE(contains(added, analyzer.tokens("heart").at(0).term));  // nor a query word
  CHECK_FALSE(contains(ids(searcher.similar("heart attack")), "mi-recovery"));

  // Filters hold in both searches.
  SearchOptions filtered = feedback;
  filtered.exclude_id = "mi-recovery";
  CHECK_FALSE(contains(ids(searcher.similar("heart attack", filtered)), "mi-recovery"));
  // No hit in the first search: nothing added, no hit.
  auto none = searcher.similar("zebra", feedback);
  CHECK(none.hits.empty());
  CHECK(none.added_terms.empty());
}

TEST_CASE("expansion options are checked, in the words of every option") {
  TempDir dir;
  const std::string db = dir / "db";
  build(db, heart_records(), false);
  Searcher searcher(db);
  auto message = [&](const SearchOptions& o) {
    Error e = error_of([&] { searcher.similar("heart", o); });
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    return std::string(e.what());
  };
  SearchOptions o;
  o.max_associations = 101;
  CHECK(message(o) == "max_associations must be between 0 and 100, not 101");
  o = SearchOptions();
  o.association_weight = 2;
  CHECK(message(o).find("association_weight must be between 0 and 1") == 0);
  o = SearchOptions();
  o.feedback_documents = 0;
  CHECK(message(o) == "feedback_documents must be between 1 and 1000, not 0");
  o = SearchOptions();
  o.feedback_weight = -0.5;
  CHECK(message(o).find("feedback_weight must be between 0 and 1") == 0);
  askalike::LearnOptions learn;
  learn.per_word = 0;
  IndexWriter writer(db);
  Error e = error_of([&] { writer.learn_associations(learn); });
  CHECK(e.code() == ErrorCode::kInvalidArgument);
  CHECK(std::string(e.what()) == "per_word must be between 1 and 64, not 0");
}
