// Converting input in any encoding to UTF-8 as it is read, with ICU: byte
// order marks (ucnv_detectUnicodeSignature), conversion (ucnv_convertEx) and,
// for unlabelled legacy text, ICU's charset detector (ucsdet).
#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>

#include <unicode/utf8.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>
#include <string>
#include <utility>

#include "askalike/error.hpp"
#include "input/readers_internal.hpp"

namespace askalike::detail {

namespace {

constexpr std::size_t kChunk = 64 * 1024;      // bytes read from the input at a time
constexpr std::size_t kSample = 64 * 1024;     // bytes the detector looks at
constexpr std::size_t kPivotSize = 4096;       // UTF-16 units between the converters
constexpr std::size_t kBinaryProbe = 8 * 1024; // bytes looked at for binary data
constexpr std::size_t kMinGuessBytes = 4;      // non-ASCII bytes a guess needs

// ICU's C handles, closed however the scope is left.
struct CloseConverter {
  void operator()(UConverter* c) const { ucnv_close(c); }
};
struct CloseDetector {
  void operator()(UCharsetDetector* d) const { ucsdet_close(d); }
};
using ConverterHandle = std::unique_ptr<UConverter, CloseConverter>;
using DetectorHandle = std::unique_ptr<UCharsetDetector, CloseDetector>;

ConverterHandle open_converter(const char* name, UErrorCode* err) { return ConverterHandle(ucnv_open(name, err)); }

bool is_utf8_name(const std::string& name) {
  std::string n;
  for (char c : name)
    if (c != '-' && c != '_') n += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return n == "utf8";
}

// How `s` starts as UTF-8: `valid` bytes of well-formed UTF-8, then either
// the end, an incomplete sequence at the very end (`incomplete`), or an
// ill-formed byte (`bad`).
struct Utf8Scan {
  std::size_t valid = 0;
  bool incomplete = false;
  bool bad = false;
};

Utf8Scan scan_utf8(const char* data, std::size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  std::size_t i = 0;
  Utf8Scan scan;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      scan.valid = i;
      scan.bad = true;
      return scan;
    }
    for (std::size_t k = 1; k < len; ++k) {
      scan.valid = i;
      if (i + k >= n) {
        scan.incomplete = true;
        return scan;
      }
      unsigned char b = p[i + k];
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) {
        scan.bad = true;
        return scan;
      }
    }
    i += len;
  }
  scan.valid = n;
  return scan;
}

Utf8Scan scan_utf8(const std::string& s) { return scan_utf8(s.data(), s.size()); }

// The evidence a sample gives for UTF-8: well-formed multi-byte characters,
// ill-formed bytes, and the code points of the first few characters.
struct Utf8Evidence {
  std::size_t multibyte = 0;
  std::size_t bad = 0;
  std::size_t non_ascii_bytes = 0;
  std::vector<UChar32> first_chars;  // of the multi-byte characters, at most 8
};

// Counts over the whole of `s`; an incomplete character at the very end is
// neither (the sample was cut there, or the input ends there).
Utf8Evidence weigh_utf8(const std::string& s) {
  Utf8Evidence e;
  const char* p = s.data();
  std::size_t n = s.size(), i = 0;
  while (i < n) {
    Utf8Scan scan = scan_utf8(p + i, n - i);
    for (std::size_t k = i; k < i + scan.valid; ++k) {
      auto c = static_cast<unsigned char>(p[k]);
      if (c >= 0x80) ++e.non_ascii_bytes;
      if (c >= 0xC0) {  // a lead byte: one character
        ++e.multibyte;
        if (e.first_chars.size() < 8) {
          int32_t off = static_cast<int32_t>(k), len = static_cast<int32_t>(n);
          UChar32 cp;
          U8_NEXT(reinterpret_cast<const uint8_t*>(p), off, len, cp);
          e.first_chars.push_back(cp);
        }
      }
    }
    i += scan.valid;
    if (!scan.bad) break;
    ++e.bad;
    ++e.non_ascii_bytes;
    ++i;  // past the ill-formed byte
  }
  return e;
}

// Why `block` (the start of a text) looks like binary data, or "" when it
// does not: a NUL byte, or more than 1% control characters other than
// tab, line and page breaks. Text never has them; executables, images and
// archives have many within their first kilobytes.
std::string binary_reason(const char* data, std::size_t size) {
  const std::size_t n = std::min<std::size_t>(size, kBinaryProbe);
  std::size_t controls = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(data[i]);
    if (c == 0) return "a NUL byte at byte " + std::to_string(i + 1);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') || c == 0x7F) ++controls;
  }
  if (controls * 100 > n)
    return std::to_string(controls) + " control characters in the first " + std::to_string(n) + " bytes";
  return "";
}

[[noreturn]] void refuse_binary(const std::string& source, const std::string& reason) {
  throw Error(ErrorCode::kInvalidArgument,
              source + ": not text but binary data (" + reason + "); nothing was read from it");
}

// `s` read as GB18030 holds only CJK ideographs and CJK punctuation besides
// ASCII (then a short text that is also valid UTF-8 cannot be told apart).
bool reads_as_chinese(const std::string& s) {
  UErrorCode err = U_ZERO_ERROR;
  std::vector<UChar> u(s.size() + 1);
  ConverterHandle c = open_converter("GB18030", &err);
  if (U_FAILURE(err)) return false;
  int32_t len = ucnv_toUChars(c.get(), u.data(), static_cast<int32_t>(u.size()), s.data(),
                              static_cast<int32_t>(s.size()), &err);
  if (U_FAILURE(err)) return false;
  bool any = false;
  for (int32_t i = 0; i < len; ++i) {
    UChar ch = u[static_cast<std::size_t>(i)];
    if (ch < 0x80) continue;
    bool cjk = (ch >= 0x4E00 && ch <= 0x9FFF) || (ch >= 0x3000 && ch <= 0x303F) || (ch >= 0xFF00 && ch <= 0xFFEF);
    if (!cjk) return false;
    any = true;
  }
  return any;
}

// The legacy encoding `sample` (not UTF-8) is most likely in. Throws
// Error(kInvalidArgument) asking for --encoding when the sample has too few
// non-ASCII bytes for a guess to mean anything.
std::string guess_legacy_encoding(const std::string& sample, const std::string& source) {
  std::size_t non_ascii = 0;
  for (char c : sample) non_ascii += static_cast<unsigned char>(c) >= 0x80;
  if (non_ascii < kMinGuessBytes)
    throw Error(ErrorCode::kInvalidArgument,
                source + ": cannot tell the encoding: the text is not UTF-8, and its " + std::to_string(non_ascii) +
                    " non-ASCII bytes are too few to guess from; name it with --encoding (e.g. windows-1252, "
                    "GB18030, Big5, Shift_JIS)");
  UErrorCode err = U_ZERO_ERROR;
  DetectorHandle det(ucsdet_open(&err));
  if (U_FAILURE(err)) return "windows-1252";
  std::string name = "windows-1252";
  ucsdet_setText(det.get(), sample.data(), static_cast<int32_t>(sample.size()), &err);
  const UCharsetMatch* match = U_SUCCESS(err) ? ucsdet_detect(det.get(), &err) : nullptr;
  if (U_SUCCESS(err) && match) {
    const char* n = ucsdet_getName(match, &err);
    if (U_SUCCESS(err) && n && *n) name = n;
  }
  // Text that fails UTF-8 is never UTF-8, whatever the detector says.
  if (is_utf8_name(name)) name = "windows-1252";
  return name;
}

}  // namespace

struct Utf8Streambuf::Converter {
  ConverterHandle source;
  ConverterHandle utf8;
  UChar pivot[kPivotSize];
  UChar* pivot_source = pivot;
  UChar* pivot_target = pivot;
  bool reset = true;
};

void check_utf8_line(const std::string& text, const std::string& source, std::size_t line) {
  Utf8Scan scan = scan_utf8(text);
  if (!scan.bad && !scan.incomplete) return;
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[scan.valid]));
  throw ParseError(source, line,
                   std::string("invalid UTF-8 (byte ") + byte + " at byte " + std::to_string(scan.valid + 1) +
                       " of the line); the file is read as UTF-8: if it is in another encoding, name it with "
                       "--encoding");
}

void check_encoding_name(const std::string& name) {
  if (name.empty())
    throw Error(ErrorCode::kInvalidArgument, "empty encoding name (use \"auto\" or a name like \"GB18030\")");
  if (ascii_lower(name) == "auto" || is_utf8_name(name)) return;
  UErrorCode err = U_ZERO_ERROR;
  ConverterHandle c = open_converter(name.c_str(), &err);
  if (U_FAILURE(err) || !c)
    throw Error(ErrorCode::kInvalidArgument,
                "unknown encoding \"" + name + "\" (use \"auto\" or a name ICU knows, such as UTF-8, "
                "UTF-16, GB18030, Big5, Shift_JIS, EUC-KR, windows-1252)");
}

Utf8Streambuf::Utf8Streambuf(std::istream& in, std::string encoding, std::string source)
    : in_(in), source_(std::move(source)) {
  check_encoding_name(encoding);
  std::string chosen = encoding;
  if (ascii_lower(encoding) == "auto") {
    // Read a sample to decide on.
    pending_.resize(kSample);
    in_.read(&pending_[0], static_cast<std::streamsize>(kSample));
    pending_.resize(static_cast<std::size_t>(in_.gcount()));
    if (in_.bad()) throw Error(ErrorCode::kIO, source_ + ": read error");
    if (!in_) input_done_ = true;

    UErrorCode err = U_ZERO_ERROR;
    int32_t sig_len = 0;
    const char* sig = ucnv_detectUnicodeSignature(pending_.data(), static_cast<int32_t>(pending_.size()),
                                                  &sig_len, &err);
    // Only the UTF-8, UTF-16 and UTF-32 marks: the others ICU knows (UTF-7,
    // SCSU, BOCU-1, UTF-EBCDIC) are too easily mistaken for text.
    std::string sig_name = sig && U_SUCCESS(err) ? sig : "";
    if (sig_name != "UTF-8" && sig_name.rfind("UTF-16", 0) != 0 && sig_name.rfind("UTF-32", 0) != 0) sig = nullptr;
    if (U_SUCCESS(err) && sig) {
      chosen = sig;
      pending_.erase(0, static_cast<std::size_t>(sig_len));
      at_start_ = false;  // the mark is gone already
    } else {
      if (std::string why = binary_reason(pending_.data(), pending_.size()); !why.empty())
        refuse_binary(source_, why);
      Utf8Evidence e = weigh_utf8(pending_);
      if (e.bad == 0) {
        chosen = "UTF-8";
        // Checked as it goes on (see fill()).
        checking_ = true;
        utf8_evidence_ = e.multibyte > 0;
        at_start_ = false;  // no byte-order mark: there was no signature
        if (input_done_ && e.multibyte > 0 && e.multibyte < 4 && reads_as_chinese(pending_)) {
          bool latin = true;
          for (UChar32 c : e.first_chars) latin = latin && c < 0x250;
          if (!latin)
            throw Error(ErrorCode::kInvalidArgument,
                        source_ + ": cannot tell the encoding: the text is short, and it reads both as UTF-8 and "
                                  "as GB18030 (Chinese); name it with --encoding UTF-8 or --encoding GB18030");
        }
      } else if (e.multibyte >= 2 * e.bad) {
        // UTF-8 but for a few bytes: still UTF-8. The bad bytes reach the
        // record readers, which report (or skip) the lines holding them.
        chosen = "UTF-8";
        at_start_ = false;
      } else {
        chosen = guess_legacy_encoding(pending_, source_);
        guessed_ = true;
      }
    }
  }
  if (is_utf8_name(chosen)) {
    encoding_ = "UTF-8";
    passthrough_ = true;
    return;
  }
  start_converting(chosen);
}

void Utf8Streambuf::start_converting(const std::string& encoding) {
  encoding_ = encoding;
  passthrough_ = false;
  checking_ = false;
  conv_ = std::make_unique<Converter>();
  UErrorCode err = U_ZERO_ERROR;
  conv_->source = open_converter(encoding.c_str(), &err);
  if (U_SUCCESS(err)) conv_->utf8 = open_converter("UTF-8", &err);
  if (U_FAILURE(err))
    throw Error(ErrorCode::kInvalidArgument, source_ + ": cannot convert from encoding \"" + encoding +
                                                 "\": " + u_errorName(err));
}

Utf8Streambuf::~Utf8Streambuf() = default;

void Utf8Streambuf::refuse_binary_text() {
  if (gptr() == egptr() && traits_type::eq_int_type(underflow(), traits_type::eof())) return;
  std::string why = binary_reason(gptr(), static_cast<std::size_t>(egptr() - gptr()));
  if (!why.empty()) refuse_binary(source_, why);
}

Utf8Streambuf::int_type Utf8Streambuf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  if (!fill()) return traits_type::eof();
  setg(out_.data(), out_.data(), out_.data() + out_.size());
  return traits_type::to_int_type(*gptr());
}

bool Utf8Streambuf::fill() {
  out_.clear();
  while (out_.empty()) {
    if (pending_.empty() && !input_done_) {
      pending_.resize(kChunk);
      in_.read(&pending_[0], static_cast<std::streamsize>(kChunk));
      pending_.resize(static_cast<std::size_t>(in_.gcount()));
      if (in_.bad()) throw Error(ErrorCode::kIO, source_ + ": read error");
      if (!in_) input_done_ = true;
    }
    if (passthrough_ && checking_ && !pending_.empty()) {
      Utf8Scan scan = scan_utf8(pending_);
      if (!utf8_evidence_)
        utf8_evidence_ = std::any_of(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(scan.valid),
                                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
      if ((scan.bad || (scan.incomplete && input_done_)) && utf8_evidence_) {
        // UTF-8 with a bad byte: it stays UTF-8 (the record readers report
        // the line that holds it), and the rest is no longer checked.
        checking_ = false;
      } else if (scan.bad || (scan.incomplete && input_done_)) {
        // Only ASCII until here, then not UTF-8: a legacy encoding. Pass on
        // what was valid, convert the rest.
        out_.assign(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(scan.valid));
        pending_.erase(0, scan.valid);
        start_converting(guess_legacy_encoding(pending_, source_));
        guessed_ = true;
        if (!out_.empty()) break;
        continue;
      }
      if (checking_ && scan.incomplete && !input_done_) {
        // Keep the start of a character for the next chunk.
        out_.assign(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(scan.valid));
        pending_.erase(0, scan.valid);
        std::string more(kChunk, '\0');
        in_.read(&more[0], static_cast<std::streamsize>(kChunk));
        more.resize(static_cast<std::size_t>(in_.gcount()));
        if (in_.bad()) throw Error(ErrorCode::kIO, source_ + ": read error");
        if (!in_) input_done_ = true;
        pending_ += more;
        if (out_.empty()) continue;
        break;
      }
    }
    if (passthrough_) {
      if (pending_.empty()) return false;  // input_done_
      out_.assign(pending_.begin(), pending_.end());
      pending_.clear();
    } else {
      if (pending_.empty() && input_done_ && flushed_) return false;
      out_.resize(pending_.size() * 3 + 256);
      const char* src = pending_.data();
      const char* src_limit = src + pending_.size();
      char* target = out_.data();
      UErrorCode err = U_ZERO_ERROR;
      bool flush = input_done_;
      ucnv_convertEx(conv_->utf8.get(), conv_->source.get(), &target, out_.data() + out_.size(), &src, src_limit,
                     conv_->pivot, &conv_->pivot_source, &conv_->pivot_target, conv_->pivot + kPivotSize,
                     conv_->reset, flush, &err);
      conv_->reset = false;
      bool overflow = err == U_BUFFER_OVERFLOW_ERROR;
      if (U_FAILURE(err) && !overflow)
        throw Error(ErrorCode::kIO, source_ + ": cannot convert from " + encoding_ + ": " + u_errorName(err));
      pending_.erase(0, static_cast<std::size_t>(src - pending_.data()));
      out_.resize(static_cast<std::size_t>(target - out_.data()));
      if (flush && !overflow && pending_.empty()) flushed_ = true;
    }
    if (at_start_ && !out_.empty()) {
      at_start_ = false;
      if (out_.size() >= 3 && std::memcmp(out_.data(), "\xEF\xBB\xBF", 3) == 0)
        out_.erase(out_.begin(), out_.begin() + 3);
    }
  }
  return true;
}

}  // namespace askalike::detail
