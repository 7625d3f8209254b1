// The semantic stage (issue 28): records indexed with a model carry their
// embedding; a search re-ranks its best records by words by the cosine with
// the query's embedding. On a tiny random model written by the test (the
// numbers of the model itself are checked in embedding_test.cpp).
#include <doctest/doctest.h>
#include <xapian.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>

#include "compare_results.hpp"
#include "servers.hpp"
#include "test_util.hpp"
#include "tiny_bert.hpp"

using askalike::EmbeddingModel;
using askalike::Error;
using askalike::ErrorCode;
using askalike::IndexOptions;
using askalike::IndexWriter;
using askalike::Record;
using askalike::Results;
using askalike::SearchOptions;
using askalike::Searcher;
using askalike::SearcherOptions;
using testutil::error_of;
using testutil::TempDir;

namespace {

bool mentions(const Error& e, const std::string& text) { return std::string(e.what()).find(text) != std::string::npos; }

// A few records whose words and meaning the test controls.
std::vector<Record> small_records() {
  return {testutil::make_record("fever-rash", "Fever and rash in a child", "my child has a high fever and a red rash"),
          testutil::make_record("baby-fever", "Fever in babies", "when your baby or infant has a fever"),
          testutil::make_record("twitch", "Face twitching", "why does my face twitch when i sleep"),
          testutil::make_record("sleep", "Cannot sleep", "i cannot sleep, tips for a better night"),
          testutil::make_record("child-food", "Child nutrition", "what should my child eat"),
          testutil::make_record("hello", "Hello world", "hello world and the rest")};
}

// Writes the tiny model to `model` and indexes small_records() with it into
// `db`, its vectors as the model gives them (float32) unless told otherwise.
void index_with_model(const std::string& db, const std::string& model,
                      askalike::VectorPrecision precision = askalike::VectorPrecision::kFloat32) {
  testutil::write_tiny_bert(model);
  IndexOptions options;
  options.embedding_model = model;
  options.vector_precision = precision;
  IndexWriter writer(db, options);
  for (const Record& r : small_records()) writer.upsert(r);
  writer.commit();
}

// The corpus records in one database and in 3 shards, with the tiny model,
// made once per test process.
struct Built {
  TempDir dir;
  std::string model = dir / "tiny-model", db = dir / "db", collection = dir / "sharded";
  std::vector<Record> records = testutil::corpus_records();
  std::vector<std::string> queries = testutil::corpus_queries(records);
  Built() {
    testutil::write_tiny_bert(model);
    IndexOptions one_options, sharded;
    one_options.embedding_model = sharded.embedding_model = model;
    sharded.shards = 3;
    IndexWriter one(db, one_options), many(collection, sharded);
    for (const Record& r : records) one.upsert(r), many.upsert(r);
    one.commit();
    many.commit();
  }
};

const Built& built() {
  static const Built instance;
  return instance;
}

}  // namespace

TEST_CASE("a database built with a model re-ranks by cosine + 0.1 x score / best, and says so") {
  TempDir dir;
  const std::string model = dir / "model", db = dir / "db", plain = dir / "plain";
  testutil::write_tiny_bert(model);
  IndexOptions options;
  options.embedding_model = model;
  options.vector_precision = askalike::VectorPrecision::kFloat32;  // the cosines exactly as the model's
  {
    IndexWriter writer(db, options), words_only(plain);
    for (const Record& r : small_records()) writer.upsert(r), words_only.upsert(r);
    writer.commit();
    words_only.commit();
  }
  Searcher searcher(db), lexical(plain);
  const auto stats = searcher.stats();
  CHECK(stats.embedding_model == "model");
  CHECK(stats.embedding_dimension == 32);
  CHECK(lexical.stats().embedding_dimension == 0);

  const EmbeddingModel direct = EmbeddingModel::load(model);
  const std::string query = "my child has a fever";
  SearchOptions o;
  o.k = 6;
  Results r = searcher.similar(query, o);
  REQUIRE(r.semantic);
  REQUIRE(r.hits.size() >= 3);
  const double best = lexical.similar(query, o).hits.front().score;
  const std::vector<float> q = direct.embed(query);
  for (std::size_t i = 0; i < r.hits.size(); ++i) {
    const auto& hit = r.hits[i];
    CAPTURE(hit.id);
    Record rec;
    REQUIRE(searcher.get(hit.id, rec));
    // The cosine of the query and the record's title and question, as the model gives it.
    CHECK(hit.semantic_similarity == doctest::Approx(askalike::cosine(q, direct.embed(rec.title + "\n" + rec.question))).epsilon(1e-6));
    CHECK(hit.score == doctest::Approx(hit.semantic_similarity + o.semantic_lexical_weight * hit.lexical_score / best)
                           .epsilon(1e-9));
    if (i > 0) CHECK(hit.score <= r.hits[i - 1].score);
  }
  // The words' scores are those of a database without a model.
  std::vector<std::pair<std::string, double>> words_a, words_b;
  for (const auto& h : r.hits) words_a.emplace_back(h.id, h.lexical_score);
  for (const auto& h : lexical.similar(query, o).hits) words_b.emplace_back(h.id, h.score);
  std::sort(words_a.begin(), words_a.end());
  std::sort(words_b.begin(), words_b.end());
  REQUIRE(words_a.size() == words_b.size());
  for (std::size_t i = 0; i < words_a.size(); ++i) {
    CHECK(words_a[i].first == words_b[i].first);
    CHECK(testutil::same_score(words_a[i].second, words_b[i].second));
  }

  SUBCASE("semantic = false ranks by words alone, as a database without a model") {
    o.semantic = false;
    Results off = searcher.similar(query, o), plain_results = lexical.similar(query, o);
    CHECK_FALSE(off.semantic);
    CHECK(testutil::ids(off) == testutil::ids(plain_results));
    for (std::size_t i = 0; i < off.hits.size(); ++i) CHECK(off.hits[i].score == plain_results.hits[i].score);
  }
  SUBCASE("a record's own vector is the query of more_like") {
    Results like = searcher.more_like("fever-rash", o);
    CHECK(like.semantic);
    for (const auto& h : like.hits) CHECK(h.id != "fever-rash");
  }
  SUBCASE("records past semantic_depth follow in their order by words, below the re-ranked ones") {
    o.semantic_depth = 2;
    Results shallow = searcher.similar(query, o);
    Results words = lexical.similar(query, o);
    REQUIRE(shallow.hits.size() == words.hits.size());
    for (std::size_t i = 2; i < shallow.hits.size(); ++i) {
      CHECK(shallow.hits[i].id == words.hits[i].id);
      CHECK(shallow.hits[i].score < shallow.hits[1].score);
    }
  }
}

TEST_CASE("the depth follows the question's language unless set: 20, or 200 for Chinese") {
  CHECK(askalike::default_semantic_depth("why does my face twitch when I sleep?") == askalike::kSemanticDepth);
  CHECK(askalike::default_semantic_depth("高血压80/135能喝酸奶吗") == askalike::kSemanticDepthChinese);
  // More Han characters than letters of other scripts:
  CHECK(askalike::default_semantic_depth("糖尿病人能吃西瓜吗 diabetes") == askalike::kSemanticDepthChinese);
  CHECK(askalike::default_semantic_depth("糖尿病 diabetes") == askalike::kSemanticDepth);
  CHECK(askalike::default_semantic_depth("高血壓で頭痛がする") == askalike::kSemanticDepth);       // kana: Japanese
  CHECK(askalike::default_semantic_depth("") == askalike::kSemanticDepth);
  CHECK(askalike::default_semantic_depth("\xff\xfe 发烧") == askalike::kSemanticDepthChinese);  // bad UTF-8 skipped

  TempDir dir;
  const std::string model = dir / "model", db = dir / "db";
  testutil::write_tiny_bert(model);
  IndexOptions options;
  options.embedding_model = model;
  {
    IndexWriter writer(db, options);
    for (int i = 0; i < 30; ++i) {
      const std::string n = std::to_string(i);
      writer.upsert(testutil::make_record("zh-" + n, "发烧问题", "孩子发烧怎么办"));
      writer.upsert(testutil::make_record("en-" + n, "Fever question", "what to do about a fever"));
    }
    writer.commit();
  }
  Searcher searcher(db);
  SearchOptions o;
  o.k = 30;
  // Past the depth a hit has no cosine (0); within it, the tiny model's cosine is never exactly 0.
  auto reranked = [](const Results& r) {
    std::size_t n = 0;
    for (const auto& h : r.hits) n += h.semantic_similarity != 0.0;
    return n;
  };
  const Results zh = searcher.similar("孩子发烧", o), en = searcher.similar("fever", o);
  REQUIRE(zh.hits.size() == 30);
  REQUIRE(en.hits.size() == 30);
  CHECK(reranked(zh) == 30);
  CHECK(reranked(en) == 20);
  CHECK(reranked(searcher.more_like("zh-0", o)) == 29);
  CHECK(reranked(searcher.more_like("en-0", o)) == 20);
  o.semantic_depth = 5;  // a depth the caller sets holds for every language
  CHECK(reranked(searcher.similar("孩子发烧", o)) == 5);
  CHECK(reranked(searcher.similar("fever", o)) == 5);
}

TEST_CASE("one collection, one answer with the semantic stage: one database, 3 local shards, 3 over xapian-tcpsrv") {
  const Built& b = built();
  SearcherOptions in_turn;
  in_turn.parallel_shards = false;
  Searcher one(b.db), local(b.collection, in_turn), at_once(b.collection, testutil::every_query_at_once());
  SearchOptions o;
  REQUIRE(one.similar(b.queries.front(), o).semantic);
  testutil::check_same_results(one, local, b.queries, o, 150);
  testutil::check_same_results(one, at_once, b.queries, o, 150);  // [issue 27] a thread per shard
  std::vector<std::unique_ptr<testutil::Server>> servers;
  std::string stub;
  for (unsigned i = 0; i < 3; ++i) {
    servers.push_back(testutil::tcp_server(b.collection + "/shard-" + std::to_string(i)));
    stub += "remote 127.0.0.1:" + std::to_string(servers.back()->port()) + "\n";
  }
  const std::string stub_path = b.dir / "remote.stub";
  testutil::write_text(stub_path, stub);
  // The remote stub records no model folder of its own: the database's metadata names it.
  Searcher remote(stub_path);
  CHECK(remote.similar(b.queries.front(), o).semantic);
  o.records = o.snippets = o.facets = false;  // every record fetched over xapian-tcpsrv is a round trip
  std::vector<std::string> some(b.queries.begin(), b.queries.begin() + 60);
  testutil::check_same_results(one, remote, some, o, 50);
  // Chinese questions (the corpus's last, from cmd-zh) re-rank 200 records
  // deep, each a document the servers send; misspelt ones are corrected
  // before the words' ranking. Alike on every layout.
  std::vector<std::string> more(b.queries.end() - 20, b.queries.end());
  for (const char* q : {"what is pnuemonia?", "symptoms of diabetis", "treatmant for asthma", "Is migrane hereditary?",
                        "高血压能吃党参吗"})
    more.push_back(q);
  REQUIRE(askalike::default_semantic_depth(more.front()) == askalike::kSemanticDepthChinese);
  testutil::check_same_results(one, remote, more, o, 20);
  testutil::check_same_results(one, at_once, more, o, 20);
}

TEST_CASE("a model that is not the database's is refused; a moved one is named with what to do") {
  TempDir dir;
  const std::string model = dir / "model", other = dir / "other", db = dir / "db";
  testutil::write_tiny_bert(model);
  testutil::TinyBertOptions different;
  different.seed = 99;
  testutil::write_tiny_bert(other, different);
  IndexOptions options;
  options.embedding_model = model;
  {
    IndexWriter writer(db, options);
    for (const Record& r : small_records()) writer.upsert(r);
    writer.commit();
  }
  SearcherOptions wrong;
  wrong.embedding_model = other;
  Error e = error_of([&] { Searcher(db, wrong).similar("fever"); });
  CHECK(e.code() == ErrorCode::kInvalidArgument);
  CHECK(mentions(e, "not the one"));
  IndexOptions wrong_writer;
  wrong_writer.embedding_model = other;
  CHECK(error_of([&] { IndexWriter(db, wrong_writer).upsert(small_records()[0]); }).code() ==
        ErrorCode::kInvalidArgument);

  // Moved: searching fails with what to do; the same model from its new folder works.
  const std::string moved = dir / "moved";
  std::filesystem::rename(model, moved);
  Error gone = error_of([&] { Searcher(db).similar("fever"); });
  CHECK(gone.code() == ErrorCode::kNotFound);
  CHECK(mentions(gone, "--model"));
  SearchOptions words_only;
  words_only.semantic = false;
  CHECK_FALSE(Searcher(db).similar("fever", words_only).hits.empty());
  SearcherOptions found;
  found.embedding_model = moved;
  CHECK(Searcher(db, found).similar("fever").semantic);
  // A writer adding a record needs the model too; removing one does not.
  CHECK(error_of([&] { IndexWriter(db).upsert(small_records()[0]); }).code() == ErrorCode::kNotFound);
  {
    IndexWriter writer(db);
    CHECK(writer.remove("hello"));
    writer.commit();
  }
}

TEST_CASE("reindex keeps the records' vectors, or embeds them anew with a model; a plain database takes none") {
  TempDir dir;
  const std::string model = dir / "model", plain = dir / "plain", with = dir / "with", copy = dir / "copy";
  testutil::write_tiny_bert(model);
  {
    IndexWriter writer(plain);
    for (const Record& r : small_records()) writer.upsert(r);
    writer.commit();
  }
  IndexOptions options;
  options.embedding_model = model;
  Error e = error_of([&] { IndexWriter writer(plain, options); });
  CHECK(e.code() == ErrorCode::kInvalidArgument);
  CHECK(mentions(e, "reindex"));
  SearcherOptions searcher_model;
  searcher_model.embedding_model = model;
  CHECK(error_of([&] { Searcher s(plain, searcher_model); }).code() == ErrorCode::kInvalidArgument);

  askalike::reindex_database(plain, with, std::nullopt, nullptr, model);
  askalike::reindex_database(with, copy);
  Searcher a(with), b(copy);
  CHECK(b.stats().embedding_dimension == 32);
  for (const std::string q : {"my child has a fever", "why does my face twitch", "sleep"}) {
    Results ra = a.similar(q), rb = b.similar(q);
    REQUIRE(ra.semantic);
    REQUIRE(ra.hits.size() == rb.hits.size());
    for (std::size_t i = 0; i < ra.hits.size(); ++i) {
      CHECK(ra.hits[i].id == rb.hits[i].id);
      CHECK(ra.hits[i].semantic_similarity == rb.hits[i].semantic_similarity);
    }
  }
}

TEST_CASE("a stored vector of the wrong length is a damaged database, not a crash") {
  TempDir dir;
  const std::string model = dir / "model", db = dir / "db";
  index_with_model(db, model);
  {
    Xapian::WritableDatabase raw(db);
    Xapian::PostingIterator p = raw.postlist_begin("Qfever-rash");
    Xapian::Document doc = raw.get_document(*p);
    doc.add_value(5, "short");
    raw.replace_document(*p, doc);
    raw.commit();
  }
  Error e = error_of([&] { Searcher(db).similar("my child has a high fever and a red rash"); });
  CHECK(e.code() == ErrorCode::kCorrupt);
}

TEST_CASE("embed_database adds vectors in place: the same ranking as a database indexed with the model") {
  TempDir dir;
  const std::string model = dir / "model", plain = dir / "plain", with = dir / "with";
  testutil::write_tiny_bert(model);
  IndexOptions options;
  options.embedding_model = model;
  {
    IndexWriter a(plain), b(with, options);
    for (const Record& r : small_records()) a.upsert(r), b.upsert(r);
    a.commit();
    b.commit();
  }
  std::size_t calls = 0;
  askalike::EmbedReport report = askalike::embed_database(plain, model, [&](std::size_t done, std::size_t total) {
    ++calls;
    CHECK(done <= total);
  });
  CHECK(report.embedded == small_records().size());
  CHECK(calls > 0);
  Searcher a(plain), b(with);
  for (const std::string q : {"my child has a fever", "why does my face twitch", "sleep"}) {
    Results ra = a.similar(q), rb = b.similar(q);
    REQUIRE(ra.semantic);
    REQUIRE(ra.hits.size() == rb.hits.size());
    for (std::size_t i = 0; i < ra.hits.size(); ++i) {
      CHECK(ra.hits[i].id == rb.hits[i].id);
      CHECK(ra.hits[i].score == rb.hits[i].score);
    }
  }
  // Run again: nothing left to do. Another model: refused.
  CHECK(askalike::embed_database(plain, model).kept == small_records().size());
  testutil::TinyBertOptions different;
  different.seed = 5;
  const std::string other = dir / "other";
  testutil::write_tiny_bert(other, different);
  CHECK(error_of([&] { askalike::embed_database(plain, other); }).code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("a caller's own query vector is used instead of the text's, and its length is checked") {
  TempDir dir;
  const std::string model = dir / "model", db = dir / "db";
  index_with_model(db, model);
  Searcher searcher(db);
  const EmbeddingModel direct = EmbeddingModel::load(model);
  SearchOptions o;
  o.query_vector = direct.embed("when your baby or infant has a fever");
  Results own = searcher.similar("fever", o), text = searcher.similar("when your baby or infant has a fever");
  // The words come from the text, the meaning from the vector.
  REQUIRE(own.semantic);
  for (const auto& h : own.hits) {
    Record r;
    REQUIRE(searcher.get(h.id, r));
    CHECK(h.semantic_similarity == doctest::Approx(askalike::cosine(o.query_vector, direct.embed(r.title + "\n" + r.question))).epsilon(1e-6));
  }
  o.query_vector.resize(5);
  CHECK(error_of([&] { searcher.similar("fever", o); }).code() == ErrorCode::kInvalidArgument);
  CHECK(!text.hits.empty());
}

TEST_CASE("records' own vectors: export then index keeps them, with or without the model; wrong ones refused") {
  TempDir dir;
  const std::string model = dir / "model", db = dir / "db", again = dir / "again", own = dir / "own";
  index_with_model(db, model);
  Searcher searcher(db);
  std::vector<Record> exported;
  searcher.for_each([&](const Record& r) { exported.push_back(r); });
  REQUIRE(exported.size() == small_records().size());
  const EmbeddingModel direct = EmbeddingModel::load(model);
  for (const Record& r : exported) {
    CAPTURE(r.id);
    REQUIRE(r.vector.size() == 32);
    // Through JSON and back, as `askalike export | askalike index` does.
    const Record parsed = Record::from_json(r.to_json());
    CHECK(parsed.vector == r.vector);
    const std::vector<float> fresh = direct.embed(r.title + "\n" + r.question);
    for (std::size_t i = 0; i < fresh.size(); ++i) CHECK(r.vector[i] == fresh[i]);
  }
  Record one;
  REQUIRE(searcher.get("twitch", one));
  CHECK(one.vector.size() == 32);

  IndexOptions options, own_vectors;
  options.embedding_model = model;
  own_vectors.embedding_dimension = 32;
  options.vector_precision = own_vectors.vector_precision = askalike::VectorPrecision::kFloat32;
  {
    IndexWriter a(again, options), b(own, own_vectors);
    for (const Record& r : exported) {
      a.upsert(Record::from_json(r.to_json()));
      b.upsert(Record::from_json(r.to_json()));
    }
    a.commit();
    b.commit();
  }
  Searcher with_model(again), without_model(own);
  SearchOptions o;
  o.query_vector = direct.embed("my child has a fever");
  for (const std::string q : {"my child has a fever", "sleep"}) {
    Results expected = searcher.similar(q, o), a = with_model.similar(q, o), b = without_model.similar(q, o);
    REQUIRE(expected.semantic);
    REQUIRE(b.semantic);
    REQUIRE(a.hits.size() == expected.hits.size());
    REQUIRE(b.hits.size() == expected.hits.size());
    for (std::size_t i = 0; i < expected.hits.size(); ++i) {
      CHECK(a.hits[i].id == expected.hits[i].id);
      CHECK(b.hits[i].id == expected.hits[i].id);
      CHECK(b.hits[i].score == expected.hits[i].score);
    }
  }
  // Without the query's vector a database of its records' own vectors ranks by words.
  CHECK_FALSE(without_model.similar("my child has a fever").semantic);

  // A vector of the wrong length, or for a database that keeps none, is refused.
  Record wrong = small_records()[0];
  wrong.vector.assign(5, 0.5f);
  CHECK(error_of([&] { IndexWriter(own).upsert(wrong); }).code() == ErrorCode::kInvalidArgument);
  wrong.vector.assign(32, 0.5f);
  const std::string plain = dir / "plain";
  CHECK(error_of([&] { IndexWriter(plain).upsert(wrong); }).code() == ErrorCode::kInvalidArgument);
  // "vector" must be numbers.
  for (const char* bad : {R"({"id":"x","vector":"abc"})", R"({"id":"x","vector":[1,"a"]})",
                          R"({"id":"x","vector":[1e300]})", R"({"id":"x","vector":{"a":1}})"}) {
    CAPTURE(bad);
    CHECK(error_of([&] { Record::from_json(bad); }).code() == ErrorCode::kParse);
  }
}

TEST_CASE("int8 vectors (the default): a quarter of the size, the cosines of float32 within 0.01, stable through export") {
  TempDir dir;
  const std::string model = dir / "model", exact = dir / "exact", small = dir / "small", again = dir / "again";
  index_with_model(exact, model, askalike::VectorPrecision::kFloat32);
  index_with_model(small, model, IndexOptions().vector_precision);
  CHECK(IndexOptions().vector_precision == askalike::VectorPrecision::kInt8);
  Searcher f(exact), q(small);
  CHECK(f.stats().vector_precision == askalike::VectorPrecision::kFloat32);
  CHECK(q.stats().vector_precision == askalike::VectorPrecision::kInt8);
  {
    // What the database holds: 32 floats against a scale and 32 bytes.
    Xapian::Database raw_f(exact), raw_q(small);
    CHECK(raw_f.get_document(*raw_f.postlist_begin("Qtwitch")).get_value(5).size() == 32 * 4);
    CHECK(raw_q.get_document(*raw_q.postlist_begin("Qtwitch")).get_value(5).size() == 32 + 4);
  }
  SearchOptions o;
  o.k = 6;
  for (const std::string text : {"my child has a fever", "why does my face twitch", "sleep", "a red rash"}) {
    CAPTURE(text);
    Results a = f.similar(text, o), b = q.similar(text, o);
    REQUIRE(b.semantic);
    REQUIRE(a.hits.size() == b.hits.size());
    std::map<std::string, double> cosines;
    for (const auto& h : a.hits) cosines[h.id] = h.semantic_similarity;
    for (const auto& h : b.hits) {
      CAPTURE(h.id);
      REQUIRE(cosines.count(h.id) == 1);
      CHECK(std::abs(h.semantic_similarity - cosines[h.id]) < 0.01);
    }
  }
  // Exported (as numbers) and indexed again as int8: the same bytes, so the same scores.
  {
    IndexOptions options;
    options.embedding_model = model;
    IndexWriter writer(again, options);
    q.for_each([&](const Record& r) { writer.upsert(Record::from_json(r.to_json())); });
    writer.commit();
  }
  Searcher r(again);
  for (const std::string text : {"my child has a fever", "sleep"}) {
    Results a = q.similar(text, o), b = r.similar(text, o);
    REQUIRE(a.hits.size() == b.hits.size());
    for (std::size_t i = 0; i < a.hits.size(); ++i) {
      CHECK(a.hits[i].id == b.hits[i].id);
      CHECK(a.hits[i].score == b.hits[i].score);
    }
  }
  // A scale that is not a number is a damaged database.
  {
    Xapian::WritableDatabase raw(small);
    Xapian::PostingIterator p = raw.postlist_begin("Qfever-rash");
    Xapian::Document doc = raw.get_document(*p);
    std::string value = doc.get_value(5);
    value[0] = value[1] = '\xff';
    value[2] = '\xc0', value[3] = '\x7f';  // NaN
    doc.add_value(5, value);
    raw.replace_document(*p, doc);
    raw.commit();
  }
  CHECK(error_of([&] { Searcher(small).similar("my child has a high fever and a red rash"); }).code() ==
        ErrorCode::kCorrupt);
}

TEST_CASE("a record's own vector of extreme numbers is stored as int8 and read back finite") {
  TempDir dir;
  const std::string db = dir / "db";
  IndexOptions options;
  options.embedding_dimension = 4;
  {
    IndexWriter writer(db, options);
    Record huge = testutil::make_record("huge", "Huge numbers", "a vector near the largest float");
    huge.vector = {3.4e38f, -3.4e38f, 1.0f, 0.0f};
    Record tiny = testutil::make_record("tiny", "Tiny numbers", "a vector near the smallest float");
    tiny.vector = {1e-44f, 0.0f, -1e-44f, 0.0f};
    writer.upsert(huge);
    writer.upsert(tiny);
    writer.commit();
  }
  Searcher searcher(db);
  SearchOptions o;
  o.query_vector = {1.0f, 0.0f, 0.0f, 0.0f};
  Results r = searcher.similar("a vector near the largest float", o);
  REQUIRE(r.semantic);
  REQUIRE(!r.hits.empty());
  for (const auto& h : r.hits) {
    CAPTURE(h.id);
    CHECK(std::isfinite(h.score));
    CHECK(std::isfinite(h.semantic_similarity));
  }
  CHECK(r.hits.front().id == "huge");
}

TEST_CASE("with a group, its records that share no word with the query are ranked by meaning too") {
  TempDir dir;
  const std::string model = dir / "model", db = dir / "db", sharded = dir / "sharded";
  testutil::write_tiny_bert(model);
  std::vector<Record> records = small_records();
  for (Record& r : records) r.group = r.id == "hello" ? "other" : "g";
  IndexOptions options, three;
  options.embedding_model = three.embedding_model = model;
  options.vector_precision = three.vector_precision = askalike::VectorPrecision::kFloat32;
  three.shards = 3;
  {
    IndexWriter one(db, options), many(sharded, three);
    for (const Record& r : records) one.upsert(r), many.upsert(r);
    one.commit();
    many.commit();
  }
  Searcher searcher(db), shards(sharded);
  const EmbeddingModel direct = EmbeddingModel::load(model);
  const std::string query = "fever";  // words of two of the group's five records only
  SearchOptions o;
  o.group = "g";
  Results r = searcher.similar(query, o);
  REQUIRE(r.semantic);
  std::map<std::string, const askalike::Hit*> by_id;
  for (const auto& h : r.hits) by_id[h.id] = &h;
  CHECK(by_id.size() == 5);  // the whole group, and nothing of another
  CHECK(by_id.count("hello") == 0);
  const std::vector<float> q = direct.embed(query);
  for (const std::string id : {"twitch", "sleep", "child-food"}) {
    CAPTURE(id);
    REQUIRE(by_id.count(id));
    Record rec;
    REQUIRE(searcher.get(id, rec));
    CHECK(by_id[id]->lexical_score == 0.0);
    CHECK(by_id[id]->score == doctest::Approx(askalike::cosine(q, direct.embed(rec.title + "\n" + rec.question))).epsilon(1e-6));
  }
  CHECK(by_id["fever-rash"]->lexical_score > 0);
  CHECK(by_id["baby-fever"]->lexical_score > 0);
  // The same on 3 shards.
  Results s = shards.similar(query, o);
  REQUIRE(s.hits.size() == r.hits.size());
  for (std::size_t i = 0; i < r.hits.size(); ++i) {
    CHECK(s.hits[i].id == r.hits[i].id);
    CHECK(testutil::same_score(s.hits[i].score, r.hits[i].score));
  }
  // And over xapian-tcpsrv (the weight-0 part of the query crosses the remote protocol).
  std::vector<std::unique_ptr<testutil::Server>> servers;
  std::string stub;
  for (unsigned i = 0; i < 3; ++i) {
    servers.push_back(testutil::tcp_server(sharded + "/shard-" + std::to_string(i)));
    stub += "remote 127.0.0.1:" + std::to_string(servers.back()->port()) + "\n";
  }
  const std::string stub_path = dir / "remote.stub";
  testutil::write_text(stub_path, stub);
  Results remote = Searcher(stub_path).similar(query, o);
  REQUIRE(remote.hits.size() == r.hits.size());
  for (std::size_t i = 0; i < r.hits.size(); ++i) {
    CHECK(remote.hits[i].id == r.hits[i].id);
    CHECK(testutil::same_score(remote.hits[i].score, r.hits[i].score));
  }
  // By words alone, or without a group, only the records with a word of the query.
  o.semantic = false;
  CHECK(searcher.similar(query, o).hits.size() == 2);
  o.semantic = true;
  o.group.clear();
  CHECK(searcher.similar(query, o).hits.size() == 2);
}
