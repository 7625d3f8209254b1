// libFuzzer target: the one-question-per-line reader, and the look at a .txt
// file's start that tells a page from a list of lines.
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::read_all(data, size, askalike::InputFormat::kLines, "fuzz-lines.list");
  fuzz::read_all(data, size, askalike::InputFormat::kAuto, "fuzz-lines.txt");
  return 0;
}
