// What the libFuzzer targets share. A target's contract: any input gives
// records or an askalike::Error, never a crash, a leak, undefined behaviour
// or another exception; fuzz_check() turns a broken invariant into a crash
// that libFuzzer reports with the input.
#ifndef ASKALIKE_TESTS_FUZZ_FUZZ_UTIL_HPP_
#define ASKALIKE_TESTS_FUZZ_FUZZ_UTIL_HPP_

#include <askalike/askalike.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace fuzz {

inline void fuzz_check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
  }
}

inline bool valid_utf8(const std::string& s);

// The record as read equals the record as stored and read back: every
// field is the same text (valid UTF-8, so nothing is replaced on the way),
// and each extra field holds the same JSON value (RELIABILITY.md, F2: a
// page's objects keep their key order in memory, sorted keys when stored).
inline bool same_record(const askalike::Record& a, const askalike::Record& b) {
  if (a.id != b.id || a.title != b.title || a.question != b.question || a.answer != b.answer ||
      a.category != b.category || a.tags != b.tags || a.lang != b.lang || a.url != b.url || a.date != b.date ||
      a.group != b.group || a.extra.size() != b.extra.size())
    return false;
  for (auto i = a.extra.begin(), j = b.extra.begin(); i != a.extra.end(); ++i, ++j)
    if (i->first != j->first || nlohmann::json::parse(i->second) != nlohmann::json::parse(j->second)) return false;
  return true;
}

// Reads every record of `source`, checking what a user gets back: the
// stored form (to_json) is valid UTF-8 and reads back to the record as read
// (so no bad byte reached a record to be replaced when stored: finding F1),
// and is stable from then on (export, then import, then export again).
inline void drain(askalike::RecordSource& source) {
  askalike::Record r;
  for (int n = 0; n < 100000 && source.next(r); ++n) {
    const std::string stored = r.to_json();
    fuzz_check(valid_utf8(stored), "a record's stored form is not valid UTF-8");
    const askalike::Record back = askalike::Record::from_json(stored);
    fuzz_check(same_record(r, back), "the record stored differs from the record read");
    const std::string again = back.to_json();
    fuzz_check(askalike::Record::from_json(again).to_json() == again, "a record's stored form is not stable");
  }
}

// Opens `data` as `format` and reads it all, with bad records thrown and
// with bad records skipped. Only askalike::Error may come out. The readers'
// targets name the encoding: guessing it is slow, and fuzz_encoding's job.
inline void read_all(const uint8_t* data, size_t size, askalike::InputFormat format, const char* name,
                     const char* encoding = "UTF-8") {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  for (bool skip : {false, true}) {
    try {
      std::istringstream in(bytes);
      askalike::ReadOptions options;
      options.format = format;
      options.skip_bad_lines = skip;
      options.encoding = encoding;
      auto source = askalike::open_records(in, name, options);
      drain(*source);
    } catch (const askalike::Error&) {
    }
  }
}

// True when `s` is valid UTF-8 (shortest forms, no surrogates, <= U+10FFFF).
inline bool valid_utf8(const std::string& s) {
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t extra = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) extra = 1, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) extra = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) extra = 3, cp = c & 0x07;
    else return false;
    if (n - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
    if (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace fuzz

#endif  // ASKALIKE_TESTS_FUZZ_FUZZ_UTIL_HPP_
