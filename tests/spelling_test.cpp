// Spelling correction from the collection's own words (issue 13): a
// misspelt question finds its record and says what it corrected.
#include <doctest/doctest.h>

#include <xapian.h>

#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <tuple>
#include <utility>

#include "search/spelling.hpp"
#include "test_util.hpp"

using askalike::SearchOptions;
using askalike::Searcher;
using testutil::TempDir;

namespace {

// The bundled MedQuAD sample plus real MedQuAD records about pneumonia and
// Alzheimer disease (tests/data/medquad-extra.jsonl: ids kept, answers cut to
// their first sentences).
const std::vector<std::string> kMedQuad = {std::string(ASKALIKE_CORPUS_DIR) + "/medquad-sample.jsonl",
                                           std::string(ASKALIKE_TEST_DATA_DIR) + "/medquad-extra.jsonl"};

const testutil::FilesDatabase& medquad() {
  static const testutil::FilesDatabase instance(kMedQuad);
  return instance;
}

std::string corrections_of(const askalike::Results& r) {
  std::string out;
  for (const auto& c : r.corrections) out += (out.empty() ? "" : ", ") + c.word + " -> " + c.correction;
  return out;
}

}  // namespace

TEST_CASE("a misspelt question finds its record and reports the correction") {
  Searcher searcher(medquad().db);
  CHECK(searcher.stats().spelling);
  SUBCASE("pnuemonia") {
    auto results = searcher.similar("what is pnuemonia?");
    REQUIRE_FALSE(results.hits.empty());
    CHECK(results.hits[0].id == "MPlusHealthTopics_0000723-1");
    CHECK(corrections_of(results) == "pnuemonia -> pneumonia");
  }
  SUBCASE("alzhimers, capitalised as typed") {
    auto results = searcher.similar("Is Alzhimers disease inherited?");
    REQUIRE_FALSE(results.hits.empty());
    CHECK(results.hits[0].id == "GHR_0000048-4");
    REQUIRE(results.corrections.size() == 1);
    CHECK(results.corrections[0].word == "Alzhimers");
    CHECK(results.corrections[0].correction.rfind("alzheimer", 0) == 0);
  }
  SUBCASE("without correction the misspelt word matches nothing") {
    SearchOptions o;
    o.spelling = false;
    auto results = searcher.similar("what is pnuemonia?", o);
    CHECK(results.corrections.empty());
    CHECK_FALSE(testutil::contains(testutil::ids(results), "MPlusHealthTopics_0000723-1"));
  }
}

TEST_CASE("a correctly spelt word is not corrected") {
  Searcher searcher(medquad().db);
  for (const char* q : {"what is pneumonia?", "Is Alzheimer disease inherited?",
                        "What are the treatments for Cowden syndrome?", "How do doctors treat myoclonus?"}) {
    CAPTURE(q);
    auto results = searcher.similar(q);
    CHECK(corrections_of(results) == "");
    CHECK_FALSE(results.hits.empty());
  }
}

TEST_CASE("a database without a spelling table corrects nothing and says how to enable it") {
  SUBCASE("built with IndexOptions::spelling off") {
    askalike::IndexOptions options;
    options.spelling = false;
    testutil::FilesDatabase off(kMedQuad, options);
    Searcher searcher(off.db);
    CHECK_FALSE(searcher.stats().spelling);
    CHECK(searcher.similar("what is pnuemonia?").corrections.empty());
  }
  SUBCASE("built before the spelling table existed (no features metadata): opens, searches, rebuilds") {
    TempDir dir;
    {
      askalike::IndexWriter writer(dir / "old");
      writer.upsert(testutil::make_record("p1", "Pneumonia", "What is (are) Pneumonia ?",
                                          "Pneumonia is an infection in one or both of the lungs."));
      writer.commit();
    }
    {
      // What a schema-3 database written before issue 13 lacks: the
      // features key and the spelling table.
      Xapian::WritableDatabase raw(dir / "old");
      raw.set_metadata("askalike.features", "");
      raw.remove_spelling("pneumonia", 100);
      raw.remove_spelling("infection", 100);
      raw.remove_spelling("lungs", 100);
      raw.commit();
    }
    Searcher old(dir / "old");
    CHECK_FALSE(old.stats().spelling);
    CHECK_FALSE(old.stats().question_types);
    auto results = old.similar("what is pneumonia");
    REQUIRE(results.hits.size() == 1);
    CHECK(old.similar("what is pnuemonia").corrections.empty());
    askalike::reindex_database(dir / "old", dir / "new");
    Searcher rebuilt(dir / "new");
    CHECK(rebuilt.stats().spelling);
    CHECK(rebuilt.stats().question_types);
  }
}

TEST_CASE("a long message gets a bounded number of look-ups, unknown words first") {
  Searcher searcher(medquad().db);
  SUBCASE("six misspelt words: the first four typed are corrected") {
    auto results = searcher.similar(
        "My father has pnuemonia and diabetis, my mother arthritus and astma, and my son hypertenshun and "
        "migrane. What can we do?");
    CHECK(corrections_of(results) ==
          "pnuemonia -> pneumonia, diabetis -> diabetes, arthritus -> arthritis, astma -> asthma");
  }
  SUBCASE("a misspelt word after five rare but real ones is still corrected") {
    // Each drug name is in one record: rare enough to be asked about, but
    // a word the collection knows, so the unknown word goes first.
    auto results = searcher.similar(
        "Oxymetazoline, diphenhydramine, hyoscyamine, tadalafil and thermotherapy: can they cause pnuemonia?");
    CHECK(corrections_of(results) == "pnuemonia -> pneumonia");
  }
}

namespace {

// The spelling words as (word, records) pairs, read with Xapian itself:
// the counts each database (each shard) keeps in its metadata (issue 27),
// summed, and the records' "XS" terms of a database made before (issue 23;
// a stub of shards opens them as one database). Xapian's spelling table
// holds nothing in a database made since issue 23.
std::vector<std::pair<std::string, Xapian::doccount>> spelling_table(const std::string& path) {
  Xapian::Database db(path);
  std::vector<Xapian::Database> shards;  // a collection's "auto NAME" lines (shards.hpp), else the database
  std::ifstream stub(path + "/XAPIANDB");
  for (std::string kind, name; stub >> kind;) {
    if (kind == "#") {
      std::getline(stub, name);
      continue;
    }
    stub >> name;
    shards.emplace_back(path + "/" + name);
  }
  if (shards.empty()) shards.push_back(db);
  std::map<std::string, Xapian::doccount> words;
  for (auto it = db.allterms_begin("XS"); it != db.allterms_end("XS"); ++it) words[(*it).substr(2)] += it.get_termfreq();
  for (const Xapian::Database& shard : shards)
    for (auto it = shard.metadata_keys_begin("XS"); it != shard.metadata_keys_end("XS"); ++it)
      words[(*it).substr(2)] += static_cast<Xapian::doccount>(std::stoul(shard.get_metadata(*it)));
  CHECK(db.spellings_begin() == db.spellings_end());
  return {words.begin(), words.end()};
}

// Whether the database keeps its spelling words as terms (issue 23) and as
// metadata counts (issue 27).
std::pair<bool, bool> spelling_modes(const std::string& path) {
  Xapian::Database db(path);
  return {db.allterms_begin("XS") != db.allterms_end("XS"), db.metadata_keys_begin("XS") != db.metadata_keys_end("XS")};
}

askalike::Record pneumonia_record(const std::string& id) {
  return testutil::make_record(id, "Pneumonia", "What is (are) Pneumonia ?",
                               "Pneumonia is an infection in one or both of the lungs.");
}

askalike::Record bronchitis_record(const std::string& id) {
  return testutil::make_record(id, "Bronchitis", "What is (are) Bronchitis ?",
                               "Bronchitis is an inflammation of the tubes that carry air to the lungs.");
}

}  // namespace

TEST_CASE("a replaced or removed record's words are no longer a correction") {
  TempDir dir;
  const std::string db = dir / "db";
  testutil::index_records(db, {pneumonia_record("p1"), bronchitis_record("b1")});
  CHECK(corrections_of(Searcher(db).similar("what is pnuemonia?")) == "pnuemonia -> pneumonia");
  SUBCASE("removed") {
    askalike::IndexWriter writer(db);
    CHECK(writer.remove("p1"));
    writer.commit();
  }
  SUBCASE("replaced by a record without the word") {
    askalike::IndexWriter writer(db);
    CHECK(writer.upsert(bronchitis_record("p1")));
    writer.commit();
  }
  SUBCASE("added and replaced again before a commit") {
    askalike::IndexWriter writer(db);
    writer.upsert(pneumonia_record("p2"));
    writer.upsert(bronchitis_record("p2"));
    CHECK(writer.remove("p1"));
    writer.commit();
  }
  Searcher searcher(db);
  auto results = searcher.similar("what is pnuemonia?");
  CHECK(corrections_of(results) == "");
  for (const auto& [word, records] : spelling_table(db)) CHECK(word != "pneumonia");
}

TEST_CASE("a record whose stored copy is damaged can still be replaced and removed") {
  TempDir dir;
  const std::string db = dir / "db";
  testutil::index_records(db, {pneumonia_record("p1"), pneumonia_record("p2"), bronchitis_record("b1")});
  for (const char* id : {"p1", "p2"}) {
    // Xapian itself is sound; the record it holds is not askalike's.
    Xapian::WritableDatabase x(db);
    const Xapian::docid did = *x.postlist_begin(std::string("Q") + id);
    Xapian::Document d = x.get_document(did);
    d.set_data("\x07garbage");
    x.replace_document(did, d);
    x.commit();
  }
  askalike::IndexWriter writer(db);
  CHECK(writer.remove("p1"));
  CHECK(writer.upsert(bronchitis_record("p2")));
  writer.commit();
  askalike::Record out;
  CHECK_FALSE(writer.get("p1", out));
  REQUIRE(writer.get("p2", out));
  CHECK(out.title == "Bronchitis");
}

TEST_CASE("after replacements and removals the spelling table is a fresh import's") {
  // The same final records, reached with replacements and removals (one
  // database or shards, one thread or several) and imported fresh: the
  // tables must be equal, words and counts.
  TempDir dir;
  std::string history, last;
  for (int i = 0; i < 60; ++i) {
    const std::string id = "r" + std::to_string(i % 20);
    const auto r = i % 3 == 0 ? pneumonia_record(id) : bronchitis_record(id);
    history += r.to_json() + "\n";
    if (i >= 40) last += r.to_json() + "\n";
  }
  auto import = [&](const std::string& path, const std::string& lines, std::optional<unsigned> shards,
                    unsigned threads) {
    askalike::IndexOptions options;
    options.shards = shards;
    askalike::IndexWriter writer(path, options);
    std::istringstream in(lines);
    askalike::IngestOptions ingest;
    ingest.threads = threads;
    ingest.batch_size = 7;  // replacements of committed records and of uncommitted ones
    writer.add_jsonl(in, "records.jsonl", ingest);
    return path;
  };
  const std::string fresh_db = import(dir / "fresh", last, std::nullopt, 1);
  const auto fresh = spelling_table(fresh_db);
  REQUIRE_FALSE(fresh.empty());
  CHECK(spelling_modes(fresh_db) == std::make_pair(false, true));  // [issue 27] counts, no terms
  // [issue 27] And the same corrections (the counts decide them).
  const char* misspelt = "what is pnuemonia, or bronchitsi of the lunggs?";
  const std::string corrected = corrections_of(Searcher(fresh_db).similar(misspelt));
  CHECK(corrected == "pnuemonia -> pneumonia, bronchitsi -> bronchitis, lunggs -> lungs");
  struct Layout {
    const char* name;
    std::optional<unsigned> shards;
    unsigned threads;
  };
  // (Not a structured binding: CAPTURE's lambda may not name one in C++17.)
  for (const Layout& layout : {Layout{"serial", std::nullopt, 1u}, Layout{"parallel", std::nullopt, 3u},
                               Layout{"shards", 3u, 3u}}) {
    CAPTURE(layout.name);
    const std::string db = import(dir / layout.name, history, layout.shards, layout.threads);
    CHECK(spelling_table(db) == fresh);
    CHECK(corrections_of(Searcher(db).similar(misspelt)) == corrected);
  }
}

TEST_CASE("a schema 4 database (spelling words as terms) still corrects, and what is added to it stays terms") {
  // [issue 27] Made as askalike made it before: its features say terms.
  TempDir dir;
  const std::string old = dir / "old";
  { askalike::IndexWriter create(old); }
  {
    Xapian::WritableDatabase raw(old);
    raw.set_metadata("askalike.features", R"({"spelling":true,"question_types":true,"spelling_terms":true})");
    raw.set_metadata("askalike.schema", "4");
    raw.commit();
  }
  // Enough records for the records' dictionary, which must not make it
  // say schema 5.
  std::vector<askalike::Record> records = {pneumonia_record("p1"), bronchitis_record("b1")}, more;
  for (int i = 0; i < 70; ++i) more.push_back(i % 2 ? pneumonia_record("m" + std::to_string(i)) : bronchitis_record("m" + std::to_string(i)));
  records.insert(records.end(), more.begin(), more.end());
  testutil::index_records(old, records);
  CHECK(Xapian::Database(old).get_metadata("askalike.schema") == "4");
  CHECK(spelling_modes(old) == std::make_pair(true, false));
  CHECK(corrections_of(Searcher(old).similar("what is pnuemonia?")) == "pnuemonia -> pneumonia");
  {
    // Appended to: a replacement, new records, a removal.
    askalike::IndexWriter writer(old);
    CHECK(writer.upsert(bronchitis_record("p1")));
    writer.upsert(pneumonia_record("p2"));
    writer.upsert(pneumonia_record("p3"));
    CHECK(writer.remove("b1"));
    writer.commit();
  }
  const std::string fresh = dir / "fresh";
  more.insert(more.end(), {bronchitis_record("p1"), pneumonia_record("p2"), pneumonia_record("p3")});
  testutil::index_records(fresh, more);
  CHECK(Xapian::Database(old).get_metadata("askalike.schema") == "4");
  CHECK(Xapian::Database(fresh).get_metadata("askalike.schema") == std::to_string(askalike::schema_version()));
  CHECK(spelling_modes(old) == std::make_pair(true, false));
  CHECK(spelling_modes(fresh) == std::make_pair(false, true));
  CHECK(spelling_table(old) == spelling_table(fresh));
  const char* misspelt = "what is pnuemonia or bronchitsi?";
  CHECK(corrections_of(Searcher(old).similar(misspelt)) == "pnuemonia -> pneumonia, bronchitsi -> bronchitis");
  CHECK(corrections_of(Searcher(fresh).similar(misspelt)) == corrections_of(Searcher(old).similar(misspelt)));
}

TEST_CASE("a spelling count that is not a count corrects nothing with the word, and check names it") {
  // [issue 27] The counts are read from the database: any bytes may be there.
  TempDir dir;
  const std::string db = dir / "db";
  testutil::index_records(db, {pneumonia_record("p1"), bronchitis_record("b1")});
  CHECK(askalike::check_database(db).sound);
  int round = 0;
  for (const std::string& value : std::vector<std::string>{"x", "-1", "0", "99999999999", std::string("\0\xff", 2)}) {
    CAPTURE(value);
    {
      Xapian::WritableDatabase raw(db);
      raw.set_metadata("XSpneumonia", value);
      raw.commit();
    }
    Searcher searcher(db);
    CHECK(corrections_of(searcher.similar("what is pnuemonia?")) == "");
    CHECK(corrections_of(searcher.similar("what is bronchitsi?")) == "bronchitsi -> bronchitis");
    const askalike::CheckReport report = askalike::check_database(db);
    CHECK_FALSE(report.sound);
    CHECK(report.details.find("the spelling count of 'pneumonia' is not a count of records") != std::string::npos);
    // A writer counting the word again starts from its own records.
    testutil::index_records(db, {pneumonia_record("new-" + std::to_string(++round))});
    CHECK(Xapian::Database(db).get_metadata("XSpneumonia") == "1");
  }
}

TEST_CASE("shards merged into one database by compaction correct as one build of the same records") {
  // [issue 27] Each shard counts its own records; the merge sums them
  // (askalike index --parts builds this way).
  askalike::IndexOptions sharded;
  sharded.shards = 3;
  const testutil::FilesDatabase parts(kMedQuad, sharded);
  TempDir dir;
  const std::string merged = dir / "merged";
  askalike::merge_shards(parts.db, merged);
  const auto serial = spelling_table(medquad().db);
  REQUIRE(serial.size() > 1000);
  CHECK(spelling_table(parts.db) == serial);
  CHECK(spelling_table(merged) == serial);
  CHECK(spelling_modes(merged) == std::make_pair(false, true));
  Searcher one(medquad().db), shards(parts.db), compacted(merged);
  for (const char* q : {"what is pnuemonia?", "Is Alzhimers disease inherited?",
                        "My father has pnuemonia and diabetis, my mother arthritus and astma"}) {
    CAPTURE(q);
    const auto expected = one.similar(q);
    CHECK_FALSE(expected.corrections.empty());
    for (Searcher* s : {&shards, &compacted}) {
      const auto got = s->similar(q);
      CHECK(corrections_of(got) == corrections_of(expected));
      CHECK(testutil::ids(got) == testutil::ids(expected));
    }
  }
}

TEST_CASE("the byte-set filter before the edit distance never rejects a word within the edits") {
  // Every word made from another by at most k random edits (insert, delete,
  // substitute, swap two neighbours) passes; the filter only skips work.
  std::mt19937 rng(27);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  const std::string letters = "abcdefghijklmnopqrstuvwxyz'-0123456789";
  for (int round = 0; round < 20000; ++round) {
    std::string a;
    for (std::size_t n = 1 + pick(14); n > 0; --n) a += letters[pick(letters.size())];
    const unsigned k = 1 + static_cast<unsigned>(pick(2));
    std::string b = a;
    for (unsigned e = 0; e < k; ++e) {
      const std::size_t kind = pick(4), at = b.empty() ? 0 : pick(b.size());
      if (kind == 0) b.insert(b.begin() + static_cast<std::ptrdiff_t>(b.empty() ? 0 : pick(b.size() + 1)), letters[pick(letters.size())]);
      else if (kind == 1 && !b.empty()) b.erase(at, 1);
      else if (kind == 2 && !b.empty()) b[at] = letters[pick(letters.size())];
      else if (b.size() > 1 && at + 1 < b.size()) std::swap(b[at], b[at + 1]);
    }
    CAPTURE(a);
    CAPTURE(b);
    REQUIRE(askalike::may_be_within_edits(askalike::byte_set(a), askalike::byte_set(b), k));
  }
  // ... and it does skip words that share few letters.
  CHECK_FALSE(askalike::may_be_within_edits(askalike::byte_set("diabetes"), askalike::byte_set("hypoxia"), 2));
  CHECK(askalike::may_be_within_edits(askalike::byte_set("diabetis"), askalike::byte_set("diabetes"), 1));
}
