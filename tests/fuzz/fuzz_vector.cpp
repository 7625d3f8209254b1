// libFuzzer target: a record's stored embedding (value slot 5), which a
// database handed to askalike chooses: float32s, or int8s and a scale
// (lib/embedding/vectors.cpp, compiled into this program: its names are
// hidden in the library). The first byte picks the dimension, the rest is
// the value. Any bytes give a vector of that many finite numbers, or
// nothing for an empty value, or an askalike::Error; never a crash. What is
// read is stored again the same way (export then index keeps vectors).
#include <cmath>

#include "embedding/vectors.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::size_t dimension = 1 + data[0] % 64;
  const std::string value(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<float> vector;
  try {
    if (!askalike::decode_vector(value, dimension, vector)) {
      fuzz::fuzz_check(value.empty(), "a value was taken for no vector");
      return 0;
    }
  } catch (const askalike::Error&) {
    return 0;
  }
  fuzz::fuzz_check(vector.size() == dimension, "a vector of the wrong length");
  for (float v : vector) fuzz::fuzz_check(std::isfinite(v), "a stored number that is not finite");
  for (auto precision : {askalike::VectorPrecision::kFloat32, askalike::VectorPrecision::kInt8}) {
    std::vector<float> again;
    fuzz::fuzz_check(askalike::decode_vector(askalike::encode_vector(vector, precision), dimension, again),
                     "an encoded vector does not decode");
    fuzz::fuzz_check(again.size() == dimension, "an encoded vector decodes to another length");
  }
  return 0;
}
