// Converting input in any encoding to UTF-8 as it is read, with ICU: byte
// order marks (ucnv_detectUnicodeSignature), conversion (ucnv_convertEx) and,
// for unlabelled legacy text, ICU's charset detector (ucsdet).
#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>

#include <cstring>
#include <string>
#include <utility>

#include "askalike/error.hpp"
#include "readers_internal.hpp"

namespace askalike::detail {

namespace {

constexpr std::size_t kChunk = 64 * 1024;      // bytes read from the input at a time
constexpr std::size_t kSample = 64 * 1024;     // bytes the detector looks at
constexpr std::size_t kPivotSize = 4096;       // UTF-16 units between the converters

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

Utf8Scan scan_utf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size(), i = 0;
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

// True when `s` is well-formed UTF-8; an incomplete sequence at the very end
// is accepted when `truncated` (the sample was cut there).
bool valid_utf8(const std::string& s, bool truncated) {
  Utf8Scan scan = scan_utf8(s);
  return !scan.bad && (!scan.incomplete || truncated);
}

std::string guess_legacy_encoding(const std::string& sample) {
  UErrorCode err = U_ZERO_ERROR;
  UCharsetDetector* det = ucsdet_open(&err);
  if (U_FAILURE(err)) return "windows-1252";
  std::string name = "windows-1252";
  ucsdet_setText(det, sample.data(), static_cast<int32_t>(sample.size()), &err);
  const UCharsetMatch* match = U_SUCCESS(err) ? ucsdet_detect(det, &err) : nullptr;
  if (U_SUCCESS(err) && match) {
    const char* n = ucsdet_getName(match, &err);
    if (U_SUCCESS(err) && n && *n) name = n;
  }
  ucsdet_close(det);
  // Text that fails UTF-8 is never UTF-8, whatever the detector says.
  if (is_utf8_name(name)) name = "windows-1252";
  return name;
}

}  // namespace

struct Utf8Streambuf::Converter {
  UConverter* source = nullptr;
  UConverter* utf8 = nullptr;
  UChar pivot[kPivotSize];
  UChar* pivot_source = pivot;
  UChar* pivot_target = pivot;
  bool reset = true;

  ~Converter() {
    if (source) ucnv_close(source);
    if (utf8) ucnv_close(utf8);
  }
};

void check_encoding_name(const std::string& name) {
  if (name.empty())
    throw Error(ErrorCode::kInvalidArgument, "empty encoding name (use \"auto\" or a name like \"GB18030\")");
  if (ascii_lower(name) == "auto" || is_utf8_name(name)) return;
  UErrorCode err = U_ZERO_ERROR;
  UConverter* c = ucnv_open(name.c_str(), &err);
  if (c) ucnv_close(c);
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
    } else if (valid_utf8(pending_, !input_done_)) {
      chosen = "UTF-8";
      // Checked as it goes on: text that turns out not to be UTF-8 after
      // the sample (a legacy file whose first part is ASCII) is converted
      // from there on with the encoding its rest looks like.
      checking_ = true;
      at_start_ = false;  // no byte-order mark: there was no signature
    } else {
      chosen = guess_legacy_encoding(pending_);
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
  conv_->source = ucnv_open(encoding.c_str(), &err);
  if (U_SUCCESS(err)) conv_->utf8 = ucnv_open("UTF-8", &err);
  if (U_FAILURE(err))
    throw Error(ErrorCode::kInvalidArgument, source_ + ": cannot convert from encoding \"" + encoding +
                                                 "\": " + u_errorName(err));
}

Utf8Streambuf::~Utf8Streambuf() = default;

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
      if (scan.bad || (scan.incomplete && input_done_)) {
        // Not UTF-8 after all: pass on what was valid, convert the rest.
        out_.assign(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(scan.valid));
        pending_.erase(0, scan.valid);
        start_converting(guess_legacy_encoding(pending_));
        if (!out_.empty()) break;
        continue;
      }
      if (scan.incomplete && !input_done_) {
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
      ucnv_convertEx(conv_->utf8, conv_->source, &target, out_.data() + out_.size(), &src, src_limit,
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
