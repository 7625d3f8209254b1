// Text analysis with ICU: one code path for documents and queries.
#include "askalike/analyzer.hpp"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>
#include <xapian.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "askalike/error.hpp"
#include "analysis/scripts.hpp"
#include "analysis/stopwords.hpp"
#include "util/stored_json.hpp"

namespace askalike {

// ---------------------------------------------------------------- options

std::string AnalyzerOptions::serialize() const {
  nlohmann::ordered_json j;
  j["fold_case"] = fold_case;
  j["fold_accents"] = fold_accents;
  j["traditional_to_simplified"] = traditional_to_simplified;
  j["stop_words"] = stop_words;
  j["stem"] = stem;
  j["cjk_bigrams"] = cjk_bigrams;
  j["cjk_unigrams"] = cjk_unigrams;
  j["cjk_unigram_weight"] = cjk_unigram_weight;
  j["cjk_bigram_weight"] = cjk_bigram_weight;
  j["default_language"] = default_language;
  j["max_term_bytes"] = max_term_bytes;
  return j.dump();
}

AnalyzerOptions AnalyzerOptions::deserialize(const std::string& text) {
  AnalyzerOptions o;
  try {
    auto j = nlohmann::json::parse(text);
    o.fold_case = j.at("fold_case").get<bool>();
    o.fold_accents = j.at("fold_accents").get<bool>();
    o.traditional_to_simplified = j.at("traditional_to_simplified").get<bool>();
    o.stop_words = j.at("stop_words").get<bool>();
    o.stem = j.at("stem").get<bool>();
    o.cjk_bigrams = j.at("cjk_bigrams").get<bool>();
    o.cjk_unigrams = j.value("cjk_unigrams", false);
    // Databases from before issue 29 weighed every term alike.
    o.cjk_unigram_weight = j.value("cjk_unigram_weight", 1.0);
    o.cjk_bigram_weight = j.value("cjk_bigram_weight", 1.0);
    o.default_language = j.at("default_language").get<std::string>();
    o.max_term_bytes = stored_json::count(j.at("max_term_bytes"));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kIncompatibleVersion, std::string("unreadable analyzer settings in the database: ") + e.what());
  }
  return o;
}

bool AnalyzerOptions::operator==(const AnalyzerOptions& o) const {
  return serialize() == o.serialize();
}

// ---------------------------------------------------------------- analyzer

namespace {

enum class Script { kLatinLike, kHan, kOtherAsian, kNumber };

bool is_han(UChar32 c) {
  UErrorCode st = U_ZERO_ERROR;
  return uscript_getScript(c, &st) == USCRIPT_HAN;
}

bool has_han(const icu::UnicodeString& s) {
  for (int32_t i = 0; i < s.length(); i = s.moveIndex32(i, 1))
    if (is_han(s.char32At(i))) return true;
  return false;
}

// Kana (full- or half-width) say the text is Japanese.
bool has_kana(const uint8_t* bytes, int32_t length) {
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) || (c >= 0xFF66 && c <= 0xFF9F)) return true;
  }
  return false;
}

}  // namespace

bool written_in_chinese(std::string_view text) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(std::min<std::size_t>(text.size(), INT32_MAX));
  if (has_kana(bytes, length)) return false;
  std::size_t han = 0, other_letters = 0;
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c >= 0 && u_isalpha(c)) ++(is_han(c) ? han : other_letters);
  }
  return han > other_letters;
}

namespace {

// Scripts whose accents are marks that can go (café -> cafe). Elsewhere marks
// carry meaning (Japanese dakuten, Thai tone marks, Devanagari vowels).
bool accents_foldable(UChar32 c) {
  UErrorCode st = U_ZERO_ERROR;
  UScriptCode s = uscript_getScript(c, &st);
  return s == USCRIPT_LATIN || s == USCRIPT_GREEK || s == USCRIPT_CYRILLIC;
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
void truncate_utf8(std::string& s, std::size_t max) {
  if (s.size() <= max) return;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
}

}  // namespace

struct Analyzer::Impl {
  AnalyzerOptions options;
  const icu::Normalizer2* nfkc = nullptr;      // NFKC, or NFKC + case folding
  const icu::Normalizer2* nfd = nullptr;       // for accent folding
  const icu::Normalizer2* nfc = nullptr;
  std::unique_ptr<icu::BreakIterator> words;   // a private clone: not shareable
  std::unique_ptr<icu::Transliterator> to_simplified;
  std::map<std::string, std::unique_ptr<Xapian::Stem>, std::less<>> stemmers;
  mutable bool simplify = true;  // this text: Traditional -> Simplified (not Japanese)

  explicit Impl(const AnalyzerOptions& o) : options(o) {
    UErrorCode st = U_ZERO_ERROR;
    nfkc = o.fold_case ? icu::Normalizer2::getNFKCCasefoldInstance(st) : icu::Normalizer2::getNFKCInstance(st);
    nfd = icu::Normalizer2::getNFDInstance(st);
    nfc = icu::Normalizer2::getNFCInstance(st);
    words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), st));
    if (U_FAILURE(st) || !words)
      throw Error(ErrorCode::kInternal, std::string("ICU could not load its word-break rules: ") + u_errorName(st));
    if (o.traditional_to_simplified) {
      to_simplified.reset(icu::Transliterator::createInstance("Traditional-Simplified", UTRANS_FORWARD, st));
      if (U_FAILURE(st) || !to_simplified)
        throw Error(ErrorCode::kInternal, std::string("ICU has no Traditional-Simplified transform: ") + u_errorName(st));
    }
    if (o.max_term_bytes < 4 || o.max_term_bytes > 200)
      throw Error(ErrorCode::kInvalidArgument, "max_term_bytes must be between 4 and 200");
    for (double w : {o.cjk_unigram_weight, o.cjk_bigram_weight})
      if (!(w >= 0.0 && w <= 1.0))
        throw Error(ErrorCode::kInvalidArgument, "cjk_unigram_weight and cjk_bigram_weight must be between 0 and 1");
  }

  // NFKC (+ case fold) + accent and script folding of one piece of text.
  icu::UnicodeString fold(const icu::UnicodeString& in) const {
    UErrorCode st = U_ZERO_ERROR;
    icu::UnicodeString s = nfkc->normalize(in, st);
    if (options.fold_accents) {
      icu::UnicodeString decomposed = nfd->normalize(s, st);
      icu::UnicodeString kept;
      UChar32 base = 0;
      for (int32_t i = 0; i < decomposed.length();) {
        UChar32 c = decomposed.char32At(i);
        i += U16_LENGTH(c);
        if (u_charType(c) == U_NON_SPACING_MARK && accents_foldable(base)) continue;
        if (u_charType(c) != U_NON_SPACING_MARK) base = c;
        kept.append(c);
      }
      s = nfc->normalize(kept, st);
    }
    // Only text with Han characters (the transform is slow, and leaves the
    // rest), and not Japanese: its kanji are not Traditional Chinese (東京).
    if (to_simplified && simplify && has_han(s)) to_simplified->transliterate(s);
    // Typographic apostrophes match typed ones ("don’t" = "don't").
    s.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x2019)), icu::UnicodeString("'"));
    return s;
  }

  const Xapian::Stem* stemmer_for(std::string_view lang) {
    auto it = stemmers.find(lang);
    if (it != stemmers.end()) return it->second.get();
    std::unique_ptr<Xapian::Stem> stem;
    try {
      stem = std::make_unique<Xapian::Stem>(std::string(lang));
    } catch (const Xapian::Error&) {
      stem.reset();  // no Snowball stemmer for this language: leave words as they are
    }
    auto* raw = stem.get();
    stemmers.emplace(std::string(lang), std::move(stem));
    return raw;
  }

  // The term of one word, or "" when the word is dropped.
  std::string term_of(std::string folded, Script script, std::string_view lang) {
    if (options.stop_words) {
      if (script == Script::kHan && is_chinese_stop_word(folded)) return {};
      if (script == Script::kLatinLike && is_english_stop_word(folded)) return {};
    }
    if (options.stem && script == Script::kLatinLike) {
      // Chinese or Japanese text with English words in it: stem those as English.
      std::string_view stem_lang = (lang == "zh" || lang == "ja" || lang == "ko" || lang == "th") ? "en" : lang;
      if (const Xapian::Stem* stem = stemmer_for(stem_lang)) folded = (*stem)(folded);
    }
    truncate_utf8(folded, options.max_term_bytes);
    return folded;
  }

  // The folded text, and for each of its UTF-16 units the bytes of the
  // original text it came from.
  struct Folded {
    icu::UnicodeString text;
    std::vector<std::size_t> begin, end;
  };

  // Folds the whole text before segmentation (so that "ﬁle" or "Ⅻ" segment
  // as the words they stand for), one normalisation segment at a time, so
  // that every folded unit knows its place in the original bytes. Invalid
  // UTF-8 becomes U+FFFD and keeps its place.
  Folded fold_with_offsets(std::string_view text) const {
    Folded out;
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    int32_t length = static_cast<int32_t>(text.size());
    simplify = to_simplified && !has_kana(bytes, length);
    icu::UnicodeString segment;
    std::size_t segment_begin = 0;
    auto flush = [&](std::size_t segment_end) {
      if (segment.isEmpty()) return;
      UChar32 only = segment.length() == 1 ? segment.charAt(0) : -1;
      if (only >= 0 && only < 0x80) {  // ASCII: NFKC leaves it, folding only lowers it
        if (options.fold_case && only >= 'A' && only <= 'Z') only += 'a' - 'A';
        out.text.append(static_cast<UChar>(only));
      } else {
        out.text.append(fold(segment));
      }
      out.begin.resize(static_cast<std::size_t>(out.text.length()), segment_begin);
      out.end.resize(static_cast<std::size_t>(out.text.length()), segment_end);
      segment.remove();
    };
    for (int32_t i = 0; i < length;) {
      std::size_t at = static_cast<std::size_t>(i);
      UChar32 c;
      U8_NEXT(bytes, i, length, c);
      if (c < 0) c = 0xFFFD;
      if (!segment.isEmpty() && (c < 0x80 || nfkc->hasBoundaryBefore(c))) {
        flush(at);
        segment_begin = at;
      }
      if (segment.isEmpty()) segment_begin = at;
      segment.append(c);
    }
    flush(text.size());
    return out;
  }

  std::vector<Token> tokens(std::string_view text, std::string_view lang) {
    if (lang.empty()) lang = options.default_language;
    std::vector<Token> out;
    Folded folded = fold_with_offsets(text);
    const icu::UnicodeString& u = folded.text;
    if (u.isEmpty()) return out;
    auto bytes_of = [&](int32_t from, int32_t to) {
      return std::make_pair(folded.begin[static_cast<std::size_t>(from)], folded.end[static_cast<std::size_t>(to - 1)]);
    };

    // Runs of Han characters across word boundaries, for bigrams.
    std::vector<std::pair<int32_t, int32_t>> han_chars;  // [start, end) of each character
    auto flush_han = [&]() {
      if (options.cjk_unigrams)
        for (const auto& [from, to] : han_chars) {
          std::string term;
          u.tempSubStringBetween(from, to).toUTF8String(term);
          if (options.stop_words && is_chinese_stop_word(term)) continue;
          auto [b, e] = bytes_of(from, to);
          out.push_back(Token{std::move(term), b, e, true});
        }
      if (options.cjk_bigrams)
        for (std::size_t k = 0; k + 1 < han_chars.size(); ++k) {
          std::string term;
          u.tempSubStringBetween(han_chars[k].first, han_chars[k + 1].second).toUTF8String(term);
          auto [b, e] = bytes_of(han_chars[k].first, han_chars[k + 1].second);
          out.push_back(Token{std::move(term), b, e, true});
        }
      han_chars.clear();
    };

    words->setText(u);
    int32_t start = words->first();
    for (int32_t end = words->next(); end != icu::BreakIterator::DONE; start = end, end = words->next()) {
      int32_t status = words->getRuleStatus();
      if (status < UBRK_WORD_NONE_LIMIT) {  // spaces and punctuation
        flush_han();
        continue;
      }
      UChar32 first = u.char32At(start);
      Script script = Script::kLatinLike;
      if (status >= UBRK_WORD_IDEO) {
        script = is_han(first) ? Script::kHan : Script::kOtherAsian;
      } else if (status >= UBRK_WORD_KANA) {
        script = Script::kOtherAsian;
      } else if (status < UBRK_WORD_NUMBER_LIMIT) {
        script = Script::kNumber;
      } else {
        UErrorCode st = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript(first, &st);
        if (sc == USCRIPT_THAI || sc == USCRIPT_LAO || sc == USCRIPT_KHMER || sc == USCRIPT_MYANMAR ||
            sc == USCRIPT_HANGUL)
          script = Script::kOtherAsian;
      }
      if (script == Script::kHan) {
        for (int32_t i = start; i < end;) {
          int32_t next = u.moveIndex32(i, 1);
          han_chars.emplace_back(i, next);
          i = next;
        }
      } else {
        flush_han();
      }
      std::string word;
      u.tempSubStringBetween(start, end).toUTF8String(word);
      std::string term = term_of(std::move(word), script, lang);
      if (term.empty()) continue;
      auto [b, e] = bytes_of(start, end);
      out.push_back(Token{std::move(term), b, e, false});
    }
    flush_han();

    if (options.cjk_bigrams || options.cjk_unigrams) {
      // A one- or two-character word is its own n-gram: keep it once. Then restore
      // text order, words before the bigrams that start with them.
      std::vector<std::pair<std::size_t, std::size_t>> word_spans;
      for (const Token& t : out)
        if (!t.bigram) word_spans.emplace_back(t.begin, t.end);
      std::sort(word_spans.begin(), word_spans.end());
      out.erase(std::remove_if(out.begin(), out.end(),
                               [&](const Token& t) {
                                 return t.bigram && std::binary_search(word_spans.begin(), word_spans.end(),
                                                                       std::make_pair(t.begin, t.end));
                               }),
                out.end());
      std::stable_sort(out.begin(), out.end(), [](const Token& a, const Token& b) { return a.begin < b.begin; });
    }
    return out;
  }
};

Analyzer::Analyzer(const AnalyzerOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Analyzer::Analyzer(const Analyzer& other) : impl_(std::make_unique<Impl>(other.impl_->options)) {}
Analyzer& Analyzer::operator=(const Analyzer& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(other.impl_->options);
  return *this;
}
Analyzer::Analyzer(Analyzer&&) noexcept = default;
Analyzer& Analyzer::operator=(Analyzer&&) noexcept = default;
Analyzer::~Analyzer() = default;

const AnalyzerOptions& Analyzer::options() const { return impl_->options; }

std::string Analyzer::normalize(std::string_view text) const {
  std::string out;
  impl_->fold_with_offsets(text).text.toUTF8String(out);
  return out;
}

std::vector<Token> Analyzer::tokens(std::string_view text, std::string_view lang) const {
  return impl_->tokens(text, lang);
}

std::vector<std::string> Analyzer::terms(std::string_view text, std::string_view lang) const {
  std::vector<std::string> out;
  for (auto& t : impl_->tokens(text, lang)) out.push_back(std::move(t.term));
  return out;
}

}  // namespace askalike
