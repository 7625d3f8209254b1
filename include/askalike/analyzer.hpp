// askalike: text analysis with ICU, the same for documents and queries.
//
//   askalike::Analyzer analyzer;                      // default options
//   for (const auto& t : analyzer.tokens("高血压患者能吃党参吗"))
//     std::cout << t.term << "\n";                   // 高血压, 患者, ...
//
// Steps, in order: NFKC (which also folds full-width and half-width forms),
// case folding, optional accent folding, Traditional -> Simplified Chinese,
// word segmentation with ICU's BreakIterator (dictionary-based for Chinese,
// Japanese, Thai, Khmer, ...), stop words, Snowball stemming for words in a
// script that has a stemmer for the text's language.
#ifndef ASKALIKE_ANALYZER_HPP_
#define ASKALIKE_ANALYZER_HPP_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "askalike/export.hpp"

namespace askalike {

struct ASKALIKE_EXPORT AnalyzerOptions {
  // Lower-case with Unicode case folding ("Straße" -> "strasse").
  bool fold_case = true;
  // Remove accents and other combining marks ("café" -> "cafe").
  bool fold_accents = true;
  // Map Traditional Chinese to Simplified ("醫生" -> "医生"), so that either
  // script finds the other (issue 29; on since then: databases made before
  // keep the setting they were built with).
  bool traditional_to_simplified = true;
  // Drop common words ("the", "what", "的", ...) of the text's language.
  bool stop_words = true;
  // Reduce words to their stem with Xapian's Snowball stemmers.
  bool stem = true;
  // Chinese text is indexed as the dictionary's words and, so that words the
  // dictionary splits differently still match, as character n-grams: each
  // Han character on its own (a character is often a word: 吃 "eat", 痛
  // "pain") and overlapping bigrams (phrases across word boundaries). See
  // benchmarks/quality/ABLATIONS.md, section 8.
  bool cjk_unigrams = true;
  bool cjk_bigrams = true;
  // What a question's character unigram or bigram counts for in its query
  // (its score is multiplied by this), a dictionary word counting 1: the
  // n-grams are a second, overlapping view of the same text, so at full
  // weight a three-character word matched counts six times. 0..1; chosen on
  // chip2019 (ABLATIONS.md, section 15). Databases from before issue 29 read
  // as 1 and 1.
  double cjk_unigram_weight = 0.3;
  double cjk_bigram_weight = 0.3;
  // Language of text whose record names none ("en", "fr", "zh", ...).
  std::string default_language = "en";
  // Longer words are cut to this many bytes (at a character boundary); Xapian
  // limits a term to 245 bytes.
  std::size_t max_term_bytes = 64;

  // The options as one line of text, and back (stored in each database).
  std::string serialize() const;
  // Throws Error(kIncompatibleVersion) on text it cannot read.
  static AnalyzerOptions deserialize(const std::string& text);
  bool operator==(const AnalyzerOptions& other) const;
};

// One word of the input: its index term and where it stands in the text.
struct ASKALIKE_EXPORT Token {
  std::string term;         // normalised (and stemmed) term
  std::size_t begin = 0;    // byte offset of the word in the original text
  std::size_t end = 0;      // one past its last byte
  bool bigram = false;      // a CJK character bigram or unigram rather than a word
};

// Not thread-safe: give each thread its own Analyzer (copies are independent
// and cheap). All methods take UTF-8; invalid UTF-8 is replaced by U+FFFD.
class ASKALIKE_EXPORT Analyzer {
 public:
  explicit Analyzer(const AnalyzerOptions& options = AnalyzerOptions());
  Analyzer(const Analyzer& other);
  Analyzer& operator=(const Analyzer& other);
  Analyzer(Analyzer&&) noexcept;
  Analyzer& operator=(Analyzer&&) noexcept;
  ~Analyzer();

  const AnalyzerOptions& options() const;

  // The text after NFKC, case, accent and script folding (no segmentation).
  std::string normalize(std::string_view text) const;

  // The index terms of `text`, in order, with their offsets. `lang` chooses the
  // stop words and stemmer ("" = options().default_language). Empty or
  // whitespace-only text gives no tokens.
  std::vector<Token> tokens(std::string_view text, std::string_view lang = "") const;

  // Only the terms of tokens().
  std::vector<std::string> terms(std::string_view text, std::string_view lang = "") const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace askalike

#endif  // ASKALIKE_ANALYZER_HPP_
