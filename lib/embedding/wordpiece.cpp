#include "embedding/wordpiece.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/ustring.h>

#include "askalike/error.hpp"

namespace askalike {
namespace embedding {
namespace {

// Words longer than this (in characters) become [UNK], as in BERT.
constexpr std::size_t kMaxWordChars = 100;

bool is_control(UChar32 c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  switch (u_charType(c)) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_PRIVATE_USE_CHAR:
    case U_SURROGATE:
    case U_UNASSIGNED:
      return true;
    default:
      return false;
  }
}

bool is_punctuation(UChar32 c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  switch (u_charType(c)) {
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
      return true;
    default:
      return false;
  }
}

// The CJK Unified Ideographs blocks BERT splits into single characters.
bool is_cjk(UChar32 c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

void append_utf8(std::string& out, UChar32 c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Lower-cases one character with the full (not the simple) mapping and no
// context, as `tokenizers` does character by character.
void append_lower(icu::UnicodeString& out, UChar32 c) {
  if (c < 0x80) {
    out.append(static_cast<UChar32>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    return;
  }
  UChar in[2];
  int32_t n = 0;
  U16_APPEND_UNSAFE(in, n, c);
  UChar lowered[8];
  UErrorCode status = U_ZERO_ERROR;
  const int32_t length = u_strToLower(lowered, 8, in, n, "", &status);
  if (U_FAILURE(status) || length > 8) {
    out.append(c);
  } else {
    out.append(lowered, 0, length);
  }
}

}  // namespace

std::unordered_map<std::string, int> parse_vocab_txt(const std::string& bytes) {
  std::unordered_map<std::string, int> vocab;
  std::size_t start = 0;
  int id = 0;
  while (start < bytes.size()) {
    std::size_t end = bytes.find('\n', start);
    if (end == std::string::npos) end = bytes.size();
    std::size_t stop = end;
    while (stop > start && (bytes[stop - 1] == '\r' || bytes[stop - 1] == ' ')) --stop;
    vocab[bytes.substr(start, stop - start)] = id++;  // a later duplicate wins, as in BERT
    start = end + 1;
  }
  return vocab;
}

WordPiece::WordPiece(std::unordered_map<std::string, int> vocab, const WordPieceOptions& options,
                     const std::string& source)
    : vocab_(std::move(vocab)), options_(options) {
  for (const char* special : {"[CLS]", "[SEP]", "[UNK]"})
    if (!vocab_.count(special))
      throw Error(ErrorCode::kInvalidArgument, source + ": the vocabulary has no " + special + " token");
  cls_ = vocab_.at("[CLS]");
  sep_ = vocab_.at("[SEP]");
  unk_ = vocab_.at("[UNK]");
  for (const auto& [token, id] : vocab_) {
    if (id < 0) throw Error(ErrorCode::kInvalidArgument, source + ": the token \"" + token + "\" has a negative id");
    tokens_[id] = token;
    if (id > max_id_) max_id_ = id;
  }
}

const std::string& WordPiece::token(int id) const {
  static const std::string unknown = "[UNK]";
  const auto it = tokens_.find(id);
  return it == tokens_.end() ? unknown : it->second;
}

void WordPiece::add_word(const std::string& word, std::vector<int>& out, std::size_t limit) const {
  // Character boundaries of the word (it is valid UTF-8: we wrote it).
  std::vector<std::size_t> bounds;
  for (std::size_t i = 0; i < word.size(); ++i)
    if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80) bounds.push_back(i);
  bounds.push_back(word.size());
  const std::size_t chars = bounds.size() - 1;
  if (chars > kMaxWordChars) {
    if (out.size() < limit) out.push_back(unk_);
    return;
  }
  const std::size_t first = out.size();
  std::string key;
  std::size_t start = 0;
  while (start < chars) {
    std::size_t end = chars;
    int found = -1;
    for (; end > start; --end) {
      key.assign(start > 0 ? "##" : "");
      key.append(word, bounds[start], bounds[end] - bounds[start]);
      const auto it = vocab_.find(key);
      if (it != vocab_.end()) {
        found = it->second;
        break;
      }
    }
    if (found < 0) {  // one piece missing: the whole word is unknown
      out.resize(first);
      out.push_back(unk_);
      break;
    }
    out.push_back(found);
    start = end;
  }
  if (out.size() > limit) out.resize(limit);
}

std::vector<int> WordPiece::encode(const std::string& text, std::size_t max_tokens) const {
  if (max_tokens < 2) max_tokens = 2;
  const std::size_t limit = max_tokens - 1;  // room for [SEP]
  const icu::UnicodeString input = icu::UnicodeString::fromUTF8(text);

  // Clean (drop NUL, U+FFFD, controls; whitespace becomes a space) and put
  // spaces around CJK ideographs.
  icu::UnicodeString clean;
  for (int32_t i = 0; i < input.length();) {
    const UChar32 c = input.char32At(i);
    i = input.moveIndex32(i, 1);
    if (c == 0 || c == 0xFFFD || is_control(c)) continue;
    if (u_isUWhiteSpace(c)) {
      clean.append(static_cast<UChar>(' '));
    } else if (options_.split_chinese && is_cjk(c)) {
      clean.append(static_cast<UChar>(' ')).append(c).append(static_cast<UChar>(' '));
    } else {
      clean.append(c);
    }
  }
  if (options_.strip_accents) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
    if (U_SUCCESS(status)) {
      const icu::UnicodeString decomposed = nfd->normalize(clean, status);
      if (U_SUCCESS(status)) {
        clean.remove();
        for (int32_t i = 0; i < decomposed.length();) {
          const UChar32 c = decomposed.char32At(i);
          i = decomposed.moveIndex32(i, 1);
          if (u_charType(c) != U_NON_SPACING_MARK) clean.append(c);
        }
      }
    }
  }
  if (options_.lower_case) {
    icu::UnicodeString lowered;
    for (int32_t i = 0; i < clean.length();) {
      const UChar32 c = clean.char32At(i);
      i = clean.moveIndex32(i, 1);
      append_lower(lowered, c);
    }
    clean = lowered;
  }

  std::vector<int> ids{cls_};
  std::string word;
  for (int32_t i = 0; i < clean.length() && ids.size() < limit;) {
    const UChar32 c = clean.char32At(i);
    i = clean.moveIndex32(i, 1);
    const bool space = u_isUWhiteSpace(c);
    if (space || is_punctuation(c)) {
      if (!word.empty()) add_word(word, ids, limit);
      word.clear();
      if (!space && ids.size() < limit) {
        append_utf8(word, c);
        add_word(word, ids, limit);
        word.clear();
      }
    } else {
      append_utf8(word, c);
    }
  }
  if (!word.empty() && ids.size() < limit) add_word(word, ids, limit);
  ids.push_back(sep_);
  return ids;
}

}  // namespace embedding
}  // namespace askalike
