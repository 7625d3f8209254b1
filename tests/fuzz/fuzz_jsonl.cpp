// libFuzzer target: the JSON Lines reader and Record::from_json.
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::read_all(data, size, askalike::InputFormat::kJsonl, "fuzz.jsonl");
  return 0;
}
