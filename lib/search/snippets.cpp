#include "search/snippets.hpp"

#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

namespace askalike {

namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Byte offset `chars` characters after `from` (or the end).
std::size_t advance_chars(const std::string& s, std::size_t from, std::size_t chars) {
  std::size_t i = from;
  while (i < s.size() && chars > 0) {
    ++i;
    while (i < s.size() && is_continuation(static_cast<unsigned char>(s[i]))) ++i;
    --chars;
  }
  return i;
}

// Appends text[from, to) without the control characters the markers are
// made of: a record holding them must not show as highlighted (issue 24).
// Printable markers ("**") stay, as dropping them would change the text.
void append_text(std::string& out, const std::string& text, std::size_t from, std::size_t to,
                 const SnippetStyle& style) {
  auto is_marker = [&](char c) {
    return static_cast<unsigned char>(c) < 0x20 &&
           (style.open.find(c) != std::string::npos || style.close.find(c) != std::string::npos);
  };
  for (std::size_t i = from; i < to; ++i)
    if (!is_marker(text[i])) out += text[i];
}

std::size_t count_chars(const std::string& s, std::size_t from, std::size_t to) {
  std::size_t n = 0;
  for (std::size_t i = from; i < to; ++i)
    if (!is_continuation(static_cast<unsigned char>(s[i]))) ++n;
  return n;
}

struct Span {
  std::size_t begin, end;
  std::string term;
  double weight;
  bool ngram;
};

// Widens each CJK n-gram match to the words of `text` it touches, so that a
// highlight never starts or ends inside a word ("可**以吃党参**" was one,
// the bigram 以吃 crossing 可以|吃; issue 25). Words here are ICU's, stop
// words included, on the original UTF-8, whose offsets are bytes.
void widen_to_words(const std::string& text, std::vector<Span>& hits) {
  if (std::none_of(hits.begin(), hits.end(), [](const Span& h) { return h.ngram; })) return;
  thread_local std::unique_ptr<icu::BreakIterator> words;
  UErrorCode st = U_ZERO_ERROR;
  if (!words) words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), st));
  UText* ut = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &st);
  if (U_FAILURE(st) || !words) {
    utext_close(ut);
    return;  // highlights as the n-grams are
  }
  words->setText(ut, st);
  const auto size = static_cast<int32_t>(text.size());
  for (Span& h : hits) {
    if (!h.ngram || U_FAILURE(st)) continue;
    auto begin = static_cast<int32_t>(h.begin), end = static_cast<int32_t>(h.end);
    if (!words->isBoundary(begin)) begin = words->preceding(begin);
    if (end < size && !words->isBoundary(end)) end = words->following(end);
    if (begin != icu::BreakIterator::DONE) h.begin = static_cast<std::size_t>(begin);
    if (end != icu::BreakIterator::DONE) h.end = static_cast<std::size_t>(end);
  }
  words->setText(icu::UnicodeString());  // forget `ut` before it closes
  utext_close(ut);
  std::stable_sort(hits.begin(), hits.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
}

}  // namespace

std::string make_snippet(const std::string& text, const std::string& lang, Analyzer& analyzer,
                         const std::unordered_map<std::string, double>& weights, const SnippetStyle& style) {
  if (text.empty()) return {};
  std::vector<Span> hits;
  for (const Token& t : analyzer.tokens(text, lang)) {
    auto w = weights.find(t.term);
    if (w != weights.end()) hits.push_back(Span{t.begin, t.end, t.term, w->second, t.bigram});
  }
  widen_to_words(text, hits);

  std::size_t best_start = 0;
  if (count_chars(text, 0, text.size()) > style.length && !hits.empty()) {
    // Candidate starts: the text's start and each match; keep the one whose
    // window holds the most distinct query weight (the earliest on ties).
    double best = -1.0;
    for (std::size_t i = 0; i < hits.size(); ++i) {
      std::size_t start = i == 0 ? 0 : hits[i].begin;
      std::size_t window_end = advance_chars(text, start, style.length);
      std::set<std::string> seen;
      double score = 0.0;
      for (std::size_t j = i; j < hits.size() && hits[j].begin < window_end; ++j)
        if (hits[j].end <= window_end && seen.insert(hits[j].term).second) score += hits[j].weight;
      if (score > best + 1e-9) {
        best = score;
        best_start = start;
      }
    }
    // Step back to the start of the sentence or a few words, when it fits.
    if (best_start > 0) {
      std::size_t back = best_start, steps = 0;
      while (back > 0 && steps < 40) {
        char c = text[back - 1];
        if (c == '.' || c == '?' || c == '!' || c == '\n') break;
        --back;
        if (!is_continuation(static_cast<unsigned char>(text[back]))) ++steps;
      }
      if (steps < 40) best_start = back;
      while (best_start < text.size() && text[best_start] == ' ') ++best_start;
    }
  }
  std::size_t end = advance_chars(text, best_start, style.length);
  // Do not cut a word in two: end at the last space, if one is near.
  if (end < text.size()) {
    std::size_t space = text.rfind(' ', end);
    if (space != std::string::npos && space > best_start && end - space < 30) end = space;
  }

  // Merge overlapping highlight spans (CJK bigrams overlap each other).
  std::vector<std::pair<std::size_t, std::size_t>> marks;
  for (const Span& h : hits) {
    if (h.begin < best_start || h.end > end) continue;
    if (!marks.empty() && h.begin <= marks.back().second)
      marks.back().second = std::max(marks.back().second, h.end);
    else
      marks.emplace_back(h.begin, h.end);
  }

  std::string out;
  if (best_start > 0) out += "…";
  std::size_t pos = best_start;
  for (const auto& [b, e] : marks) {
    append_text(out, text, pos, b, style);
    out += style.open;
    append_text(out, text, b, e, style);
    out += style.close;
    pos = e;
  }
  append_text(out, text, pos, end, style);
  if (end < text.size()) out += "…";
  return out;
}

}  // namespace askalike
