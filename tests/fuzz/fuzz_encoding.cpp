// libFuzzer target: encoding detection and conversion, under the readers
// (JSON Lines and CSV), guessed ("auto") and named. Whatever the bytes,
// every record read is valid UTF-8 (drain() checks) or an askalike::Error.
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  for (const char* encoding : {"auto", "GB18030", "UTF-16", "Shift_JIS"}) {
    for (askalike::InputFormat format : {askalike::InputFormat::kJsonl, askalike::InputFormat::kCsv}) {
      try {
        std::istringstream in(bytes);
        askalike::ReadOptions options;
        options.format = format;
        options.encoding = encoding;
        auto source = askalike::open_records(in, "fuzz-input", options);
        fuzz::drain(*source);
      } catch (const askalike::Error&) {
      }
    }
  }
  return 0;
}
