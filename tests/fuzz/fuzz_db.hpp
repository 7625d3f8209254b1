// A small real database for the fuzz targets that search: built once, at
// start-up (LLVMFuzzerInitialize, below), from the bundled corpus (English and Chinese), in a temporary
// directory removed at exit. Answers are cut to kAnswerBytes: a snippet
// (about 200 characters) is still chosen from a longer text, but each hit
// no longer costs a whole MedQuAD answer (up to 17 KB) per search.
#ifndef ASKALIKE_TESTS_FUZZ_FUZZ_DB_HPP_
#define ASKALIKE_TESTS_FUZZ_FUZZ_DB_HPP_

#include <askalike/askalike.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fuzz {

class FuzzDatabase {
 public:
  FuzzDatabase() {
    char pattern[] = "/tmp/askalike-fuzz-XXXXXX";
    if (const char* d = ::mkdtemp(pattern)) dir_ = d;
    else std::abort();
    askalike::IndexWriter writer(db());
    for (const char* file : {"medquad-sample.jsonl", "cmd-zh.jsonl"}) {
      std::ifstream in(std::string(ASKALIKE_CORPUS_DIR) + "/" + file);
      std::string line;
      for (int n = 0; n < 300 && std::getline(in, line); ++n) {
        askalike::Record r = askalike::Record::from_json(line);
        r.answer = cut_utf8(r.answer, kAnswerBytes);
        writer.upsert(r);
      }
    }
    writer.commit();
  }
  ~FuzzDatabase() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string dir() const { return dir_; }
  std::string db() const { return dir_ + "/db"; }

 private:
  static constexpr std::size_t kAnswerBytes = 800;
  // At most `n` bytes of `s`, ending on a character boundary.
  static std::string cut_utf8(const std::string& s, std::size_t n) {
    if (s.size() <= n) return s;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
  }
  std::string dir_;
};

// The target's one database. Built before the first input: libFuzzer's
// -timeout (30 s in tools/fuzz.sh) counts only the inputs' runs, and building
// 600 records under ASan, niced on a loaded machine, took 32 s inside the
// first input's run (a false timeout of fuzz_query, 2026-11-30).
inline const FuzzDatabase& shared_database() {
  static const FuzzDatabase database;
  return database;
}

}  // namespace fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::shared_database();
  return 0;
}

#endif  // ASKALIKE_TESTS_FUZZ_FUZZ_DB_HPP_
