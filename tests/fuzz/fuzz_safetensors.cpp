// libFuzzer target: the safetensors reader of embedding models
// (lib/embedding/safetensors.cpp, compiled into this program: its names are
// hidden in the library). Any bytes give tensors whose every byte lies
// inside the input, or an askalike::Error; never a crash.
#include "embedding/safetensors.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const askalike::embedding::SafeTensors tensors(bytes, "fuzz.safetensors");
    for (const auto& [name, t] : tensors.tensors()) {
      fuzz::fuzz_check(t.begin <= t.end && t.end <= bytes.size(), "a tensor reaches outside the file");
      try {
        const std::vector<float> values = tensors.floats(name, t.shape);
        fuzz::fuzz_check(values.size() * (t.dtype == "F32" ? 4 : 2) == t.end - t.begin, "a tensor read to the wrong size");
        // A shape of the wrong rank is refused, never read.
        std::vector<std::size_t> other = t.shape;
        other.push_back(1);
        tensors.floats(name, other);
        fuzz::fuzz_check(false, "a tensor of another shape was read");
      } catch (const askalike::Error&) {
      }
    }
  } catch (const askalike::Error&) {
  }
  return 0;
}
