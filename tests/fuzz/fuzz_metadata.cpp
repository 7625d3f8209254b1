// libFuzzer target: the settings a database keeps in its metadata (the
// ranking settings, the field totals, the analyzer options, the spelling
// words' counts), which a database handed to askalike chooses. The first
// byte picks the key, the
// rest is its value, written into a real database with Xapian; then the
// database is searched, its stats read and a record indexed into it. Any
// value gives results or an askalike::Error that names the database and
// says to rebuild it, never a crash, a NaN score or a hang.
#include <xapian.h>

#include <cmath>
#include <string>

#include "fuzz_db.hpp"
#include "fuzz_util.hpp"

namespace {

// The settings, the index features (spelling table, question types), the
// learned word associations (their summary, and the list of one word) and
// [issue 27] a spelling word's record count (read when "presure" is
// corrected, and written when a record with the word is indexed).
const char* const kKeys[] = {"askalike.ranking",      "askalike.field_totals", "askalike.analyzer",
                             "askalike.features",     "askalike.associations", "askalike.assoc.pressur",
                             "XSpressure"};
constexpr int kKeyCount = sizeof kKeys / sizeof kKeys[0];

void set_metadata(const std::string& db, const std::string& key, const std::string& value) {
  Xapian::WritableDatabase w(db, Xapian::DB_OPEN | Xapian::DB_NO_SYNC);
  w.set_metadata(key, value);
  w.commit();
}

// What a user reads when the settings are unusable: which database, and what to do.
void check_refusal(const askalike::Error& e, const std::string& db) {
  const std::string message = e.what();
  fuzz::fuzz_check(e.code() == askalike::ErrorCode::kCorrupt || e.code() == askalike::ErrorCode::kIncompatibleVersion,
                   "hostile settings: neither a corrupt nor an incompatible database");
  fuzz::fuzz_check(message.find(db) != std::string::npos, "hostile settings: the error does not name the database");
  fuzz::fuzz_check(message.find("rebuild") != std::string::npos, "hostile settings: the error does not say rebuild");
}

void check_results(const askalike::Results& r) {
  for (size_t i = 0; i < r.hits.size(); ++i) {
    fuzz::fuzz_check(std::isfinite(r.hits[i].score), "a score is not finite");
    fuzz::fuzz_check(r.hits[i].confidence >= 0 && r.hits[i].confidence <= 1, "confidence outside 0..1");
    fuzz::fuzz_check(i == 0 || r.hits[i].score <= r.hits[i - 1].score, "scores do not decrease");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::FuzzDatabase& database = fuzz::shared_database();
  static const std::string db = database.db();
  static std::string original[kKeyCount];
  static const bool saved = [] {
    Xapian::Database d(db);
    for (int k = 0; k < kKeyCount; ++k) original[k] = d.get_metadata(kKeys[k]);
    return true;
  }();
  (void)saved;
  if (size < 1) return 0;
  const int key = data[0] % kKeyCount;
  set_metadata(db, kKeys[key], std::string(reinterpret_cast<const char*>(data + 1), size - 1));

  try {
    askalike::Searcher searcher(db);
    askalike::IndexStats s = searcher.stats();
    fuzz::fuzz_check(std::isfinite(s.average_length) && std::isfinite(s.average_title_length) &&
                         std::isfinite(s.average_question_length) && std::isfinite(s.average_answer_length),
                     "a stats average is not finite");
    askalike::SearchOptions options;
    options.k = 5;
    check_results(searcher.similar("what are the symptoms of high blood pressure", options));
    options.max_associations = 5;  // reads the learned associations
    check_results(searcher.similar("what are the symptoms of high blood pressure", options));
    options.max_associations = 0;
    check_results(searcher.similar("高血压的症状", options));
    check_results(searcher.similar("what are the symptoms of high blood presure", options));
    double similarity = searcher.similarity("knee pain after running", "pain in the knee when running");
    fuzz::fuzz_check(similarity >= 0 && similarity <= 1, "similarity outside 0..1");
  } catch (const askalike::Error& e) {
    check_refusal(e, db);
  }
  try {
    // Indexing reads the totals and the ranking settings to weigh a new record.
    askalike::IndexWriter writer(db);
    askalike::Record r;
    r.id = "fuzz-probe";
    r.title = "Knee pain";
    r.question = "Why does my knee hurt after running?";
    r.answer = "Often an overuse injury; rest and see a doctor if it lasts, or if the pressure grows.";
    writer.upsert(r);
    writer.commit();
  } catch (const askalike::Error& e) {
    check_refusal(e, db);
  }

  Xapian::WritableDatabase w(db, Xapian::DB_OPEN | Xapian::DB_NO_SYNC);
  for (int k = 0; k < kKeyCount; ++k) w.set_metadata(kKeys[k], original[k]);
  w.commit();
  return 0;
}
