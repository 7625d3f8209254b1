// A small real database for the fuzz targets that search: built once, at
// start-up, from the bundled corpus (English and Chinese), in a temporary
// directory removed at exit.
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
      for (int n = 0; n < 300 && std::getline(in, line); ++n) writer.upsert(askalike::Record::from_json(line));
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
  std::string dir_;
};

}  // namespace fuzz

#endif  // ASKALIKE_TESTS_FUZZ_FUZZ_DB_HPP_
