// libFuzzer target: the Q&A page reader.
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::read_all(data, size, askalike::InputFormat::kPage, "fuzz-page.txt");
  return 0;
}
