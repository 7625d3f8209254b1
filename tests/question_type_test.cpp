// Question types (issue 13): what a question asks about its subject, and the
// ranking bonus for records that ask the same.
#include <doctest/doctest.h>

#include "test_util.hpp"

using askalike::question_type;
using askalike::SearchOptions;
using askalike::Searcher;

namespace {

const std::vector<std::string> kSample = {std::string(ASKALIKE_CORPUS_DIR) + "/medquad-sample.jsonl"};

const testutil::FilesDatabase& sample() {
  static const testutil::FilesDatabase instance(kSample);
  return instance;
}

// The rank (1-based) of `id` among the hits, 0 when absent.
std::size_t rank_of(const askalike::Results& r, const std::string& id) {
  for (const auto& h : r.hits)
    if (h.id == id) return h.rank;
  return 0;
}

}  // namespace

TEST_CASE("the detector reads what English and Chinese questions ask") {
  CHECK(question_type("Is Cowden syndrome genetic?") == "inheritance");
  CHECK(question_type("Can FG syndrome be passed down from parents to their children?") == "inheritance");
  CHECK(question_type("What are the genetic changes related to Crohn disease ?") == "genetic changes");
  CHECK(question_type("What are the symptoms of Bartter syndrome ?") == "symptoms");
  CHECK(question_type("How do doctors treat central pontine myelinolysis?") == "treatment");
  CHECK(question_type("Why does my face twitch? What causes it?") == "causes");
  CHECK(question_type("my son was diagnosed with MSA, what is the life expectancy?") == "outlook");
  CHECK(question_type("How is rabies diagnosed?") == "exams and tests");
  CHECK(question_type("Please send me information about Fahr's syndrome.") == "information");
  CHECK(question_type("What is (are) Myoclonus ?") == "information");
  CHECK(question_type("What does the retreat because of testosterone mean") == "information");  // no "treat", "cause", "test"
  CHECK(question_type("pain") == "");
  CHECK(question_type("糖尿病怎么治疗") == "treatment");
  CHECK(question_type("高血压会遗传吗") == "inheritance");
  CHECK(question_type("胃痛是什么原因引起的") == "causes");
  CHECK(question_type("乙肝有什么症状") == "symptoms");
}

TEST_CASE("in a long message, the sentence that asks gives the type, not the story around it") {
  // Each story holds a cue that the rules rank before the type asked.
  CHECK(question_type("Pneumonia. My father had pneumonia and the antibiotics gave him side effects. "
                      "What damage should we expect to his lungs in the future?") == "outlook");
  // A question without its question mark still asks.
  CHECK(question_type("Macular degeneration. Could second hand smoke be a cause for getting it. "
                      "My genetic profile shows nothing else.") == "causes");
  // A request for information, as the last sentence, after a story full of other cues.
  CHECK(question_type("Schmorl's nodes. The doctor saw them on a test and prescribed medication for the pain. "
                      "I am trying to obtain information on this condition.") == "information");
  CHECK(question_type("我吃了药以后有副作用。这个病怎么治疗？") == "treatment");
}

TEST_CASE("records of the question's type rank first among the records about the same subject") {
  Searcher searcher(sample().db);
  CHECK(searcher.stats().question_types);
  SUBCASE("is X genetic? finds Is X inherited?") {
    for (const char* subject : {"Cowden syndrome", "Bartter syndrome"}) {
      CAPTURE(subject);
      auto results = searcher.similar(std::string("Is ") + subject + " genetic?");
      CHECK(results.question_type == "inheritance");
      REQUIRE_FALSE(results.hits.empty());
      CHECK(results.hits[0].record.question == std::string("Is ") + subject + " inherited ?");
    }
  }
  SUBCASE("a message asking for general information ranks What is X? first") {
    auto results = searcher.similar(
        "My father has just been told he has multiple system atrophy and we know nothing about it. "
        "Could you send us some information on this illness?");
    CHECK(results.question_type == "information");
    REQUIRE_FALSE(results.hits.empty());
    CHECK(results.hits[0].id == "NINDS_0000203-1");
  }
  SUBCASE("a message asking what damage or future to expect ranks What is the outlook for X? first") {
    for (auto entry : {std::pair<const char*, const char*>{"progressive supranuclear palsy", "NINDS_0000242-3"},
                       {"muscular dystrophy", "NINDS_0000205-3"}}) {
      const char* subject = entry.first;  // no structured binding: Clang 14 refuses one inside CAPTURE
      const char* id = entry.second;
      CAPTURE(subject);
      auto results = searcher.similar(std::string("Our son has ") + subject +
                                      ". What damage will it do to him, and what future can we expect?");
      CHECK(results.question_type == "outlook");
      REQUIRE_FALSE(results.hits.empty());
      CHECK(results.hits[0].id == id);
    }
  }
}

TEST_CASE("the type bonus is question_type_weight score units, and 0 turns it off") {
  Searcher searcher(sample().db);
  const std::string query = "Is Cowden syndrome genetic?";
  SearchOptions off;
  off.question_type_weight = 0;
  SearchOptions on;
  on.question_type_weight = 2.5;
  auto without = searcher.similar(query, off), with = searcher.similar(query, on);
  CHECK(without.question_type == "");
  CHECK(with.question_type == "inheritance");
  std::size_t compared = 0;
  for (const auto& hit : with.hits) {
    for (const auto& plain : without.hits) {
      if (plain.id != hit.id) continue;
      const bool agrees = question_type(hit.record.question) == "inheritance";
      CAPTURE(hit.record.question);
      CHECK(hit.score == doctest::Approx(plain.score + (agrees ? 2.5 : 0.0)).epsilon(1e-9));
      ++compared;
    }
  }
  CHECK(compared >= 5);
  // Without the bonus the inheritance question is not the first: the type is what moves it.
  CHECK(rank_of(without, "GARD_0001618-4") > rank_of(with, "GARD_0001618-4"));
}

TEST_CASE("a database built without question types gives no bonus") {
  askalike::IndexOptions options;
  options.question_types = false;
  testutil::FilesDatabase plain(kSample, options);
  Searcher searcher(plain.db);
  CHECK_FALSE(searcher.stats().question_types);
  auto results = searcher.similar("Is Cowden syndrome genetic?");
  CHECK(results.question_type == "");
  CHECK_FALSE(results.hits.empty());
}
