#include "search/spelling.hpp"

#include <algorithm>
#include <set>

namespace askalike {

namespace {

// Shorter words have too many neighbours one or two edits away to correct
// safely ("heat" / "hear" / "head").
constexpr std::size_t kMinimumWordLength = 4;
// Longer "words" (a base64 blob, a URL) are no one's misspelling, and Xapian
// refuses spelling keys over 245 bytes (the commit would fail).
constexpr std::size_t kMaximumWordLength = 64;
// Up to this length one edit, beyond it two (Xapian's default).
constexpr std::size_t kOneEditUpTo = 5;
// A word in at most this many records may be a misspelling of a close word...
constexpr Xapian::doccount kRareWordRecords = 2;
// ... in at least this many times as many records.
constexpr Xapian::doccount kCommonerBy = 50;
// Look-ups per query at most. Each is a walk over the spelling table's
// trigrams (about 0.15 ms on MedQuAD), and a consumer's long message can
// hold many rare words (names, drugs, typos): 17 in one of the speed
// benchmark's questions. Four cost no quality on any labelled set.
constexpr std::size_t kMaximumLookups = 4;

// The word lower-cased when it is ASCII letters (and apostrophes: "alzheimer's")
// and long enough, else "".
std::string spelling_word(std::string_view text) {
  if (text.size() < kMinimumWordLength || text.size() > kMaximumWordLength) return "";
  std::string word(text);
  for (char& c : word) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    else if ((c < 'a' || c > 'z') && c != '\'')
      return "";
  }
  return word;
}

// Records counted with `word` in the spelling table (Xapian 1.4 has no direct
// getter: the table's iterator, positioned on the word).
Xapian::doccount spelling_frequency(const Xapian::Database& db, const std::string& word) {
  Xapian::TermIterator it = db.spellings_begin();
  it.skip_to(word);
  return it != db.spellings_end() && *it == word ? it.get_termfreq() : 0;
}

std::string_view word_of(std::string_view text, const Token& t) {
  if (t.bigram || t.begin >= t.end || t.end > text.size()) return {};
  return text.substr(t.begin, t.end - t.begin);
}

}  // namespace

void collect_spelling_words(std::string_view text, const std::vector<Token>& tokens, std::vector<std::string>& out) {
  for (const Token& t : tokens) {
    std::string word = spelling_word(word_of(text, t));
    if (!word.empty()) out.push_back(std::move(word));
  }
}

namespace {

void distinct(std::vector<std::string>& words) {
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
}

}  // namespace

void SpellingChanges::add(std::vector<std::string> words) {
  distinct(words);
  for (std::string& w : words) ++changes_[std::move(w)];
}

void SpellingChanges::remove(std::vector<std::string> words) {
  distinct(words);
  for (std::string& w : words) --changes_[std::move(w)];
}

void SpellingChanges::apply(Xapian::WritableDatabase& db) {
  for (const auto& [word, change] : changes_) {
    if (change > 0) db.add_spelling(word, static_cast<Xapian::termcount>(change));
    if (change < 0) db.remove_spelling(word, static_cast<Xapian::termcount>(-change));
  }
  changes_.clear();
}

void correct_words(std::string_view text, std::vector<Token>& tokens, const Xapian::Database& db,
                   const Analyzer& analyzer, const std::string& lang, std::vector<SpellingCorrection>& out);

std::vector<SpellingCorrection> correct_spelling(std::string_view text, std::vector<Token>& tokens,
                                                 const Xapian::Database& db, const Analyzer& analyzer,
                                                 const std::string& lang) {
  std::vector<SpellingCorrection> out;
  try {
    correct_words(text, tokens, db, analyzer, lang, out);
  } catch (const Xapian::UnimplementedError&) {
    // A backend without a spelling table: nothing to correct with.
  }
  return out;
}

void correct_words(std::string_view text, std::vector<Token>& tokens, const Xapian::Database& db,
                   const Analyzer& analyzer, const std::string& lang, std::vector<SpellingCorrection>& out) {
  // The words worth a look-up: rare in the index by its own count of the
  // word's term (most query words are common and cost nothing here).
  struct Candidate {
    std::size_t token;
    std::string word;
    Xapian::doccount records;
  };
  std::vector<Candidate> candidates;
  std::set<std::string> asked;
  const std::size_t typed = tokens.size();
  for (std::size_t i = 0; i < typed; ++i) {
    std::string word = spelling_word(word_of(text, tokens[i]));
    if (word.empty() || !asked.insert(word).second) continue;
    const Xapian::doccount records = db.get_termfreq(tokens[i].term);
    if (records <= kRareWordRecords) candidates.push_back(Candidate{i, std::move(word), records});
  }
  // Within the budget, words the index does not know at all first (they
  // match nothing as typed), then in the order the user wrote them.
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.records < b.records; });
  if (candidates.size() > kMaximumLookups) candidates.resize(kMaximumLookups);
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.token < b.token; });
  for (const Candidate& c : candidates) {
    const unsigned edits = c.word.size() <= kOneEditUpTo ? 1 : 2;
    std::string suggestion = db.get_spelling_suggestion(c.word, edits);
    if (suggestion.empty() || suggestion == c.word) continue;
    const Xapian::doccount known = spelling_frequency(db, c.word);
    if (known > 0 && spelling_frequency(db, suggestion) < known * kCommonerBy) continue;
    std::vector<Token> corrected = analyzer.tokens(suggestion, lang);
    if (corrected.empty()) continue;  // a stop word: nothing to search
    const Token typed_token = tokens[c.token];
    for (Token& t : corrected) {
      // Where the typed word stands, so snippets and offsets stay in the text.
      t.begin = typed_token.begin;
      t.end = typed_token.end;
      tokens.push_back(std::move(t));
    }
    out.push_back(SpellingCorrection{std::string(word_of(text, typed_token)), suggestion});
  }
}

}  // namespace askalike
