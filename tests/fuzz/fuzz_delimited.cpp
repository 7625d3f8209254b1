// libFuzzer target: the CSV and TSV readers (the same bytes read as both).
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::read_all(data, size, askalike::InputFormat::kCsv, "fuzz.csv");
  fuzz::read_all(data, size, askalike::InputFormat::kTsv, "fuzz.tsv");
  return 0;
}
