// libFuzzer target: the analyzer (ICU normalisation, segmentation, stemming).
// The first byte picks the language; token offsets must lie in the text.
// Also the semantic stage's reading of a question's script (issue 28).
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const askalike::Analyzer analyzer;
  static const char* const kLanguages[] = {"", "en", "zh", "ja", "th", "de", "fr", "ru", "xx"};
  if (size == 0) return 0;
  const char* lang = kLanguages[data[0] % (sizeof kLanguages / sizeof *kLanguages)];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t depth = askalike::default_semantic_depth(text);
  fuzz::fuzz_check(depth == askalike::kSemanticDepth || depth == askalike::kSemanticDepthChinese,
                   "default_semantic_depth() gave neither default");
  try {
    std::string normal = analyzer.normalize(text);
    fuzz::fuzz_check(fuzz::valid_utf8(normal), "normalize() gave invalid UTF-8");
    for (const askalike::Token& t : analyzer.tokens(text, lang)) {
      fuzz::fuzz_check(t.begin <= t.end && t.end <= text.size(), "a token's offsets lie outside the text");
      fuzz::fuzz_check(!t.term.empty() && fuzz::valid_utf8(t.term), "a token's term is empty or invalid UTF-8");
    }
  } catch (const askalike::Error&) {
  }
  return 0;
}
