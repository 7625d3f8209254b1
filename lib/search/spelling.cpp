#include "search/spelling.hpp"

#include <hunspell/hunspell.hxx>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "storage/schema.hpp"

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

void SpellingChanges::apply(Xapian::WritableDatabase& db, bool counts) {
  for (const auto& [word, change] : changes_) {
    if (counts && change != 0) {
      const std::string key = schema::kSpellingCount + word;
      // A count that does not read (a damaged value) starts again from
      // this writer's changes rather than stopping the load.
      const long long records = schema::decode_count(db.get_metadata(key)).value_or(0) + change;
      db.set_metadata(key, records > 0 ? schema::encode_count(static_cast<std::uint64_t>(records)) : "");  // "": none
      continue;
    }
    if (change > 0) db.add_spelling(word, static_cast<Xapian::termcount>(change));
    if (change < 0) db.remove_spelling(word, static_cast<Xapian::termcount>(-change));
  }
  changes_.clear();
}

namespace {

// Below this many records a collection's words are too few to tell a typo
// from a word it happens not to hold: only one edit away, and only for words
// no record holds ("credit" is two edits from "edit", "getting" from
// "settings" on a 20-record FAQ: issue 25).
constexpr Xapian::doccount kSmallCollection = 1000;

// The optimal string alignment distance of a and b (an adjacent
// transposition is one edit, as in Xapian), or `limit` + 1 when over it.
unsigned edit_distance(std::string_view a, std::string_view b, unsigned limit) {
  const std::size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > limit) return limit + 1;
  // Rows on the stack: spelling words are at most kMaximumWordLength bytes,
  // and this runs for thousands of words per query.
  if (m > kMaximumWordLength) return limit + 1;
  std::array<unsigned, kMaximumWordLength + 1> rows[3]{};
  unsigned *before = rows[0].data(), *previous = rows[1].data(), *current = rows[2].data();
  for (std::size_t j = 0; j <= m; ++j) previous[j] = static_cast<unsigned>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    current[0] = static_cast<unsigned>(i);
    unsigned row_best = current[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
      unsigned d = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d = std::min(d, before[j - 2] + 1);
      current[j] = d;
      row_best = std::min(row_best, d);
    }
    if (row_best > limit) return limit + 1;
    unsigned* oldest = before;
    before = previous;
    previous = current;
    current = oldest;
  }
  return std::min(previous[m], limit + 1);
}

struct Suggestion {
  std::string word;
  unsigned edits = 0;
  Xapian::doccount records = 0;
};

// Whether `s` is a better correction than `best`: fewer edits, then more
// records, then the first word in byte order. Only collection-wide counts
// and the words themselves decide, so every layout picks the same.
bool better(const Suggestion& s, const Suggestion& best) {
  if (best.word.empty()) return true;
  if (s.edits != best.edits) return s.edits < best.edits;
  if (s.records != best.records) return s.records > best.records;
  return s.word < best.word;
}

// The language dictionary of `lang` (Hunspell, from Debian's hunspell-*
// packages), shared by all threads; null when none is installed.
class LanguageDictionary {
 public:
  static const LanguageDictionary* of(const std::string& lang) {
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<LanguageDictionary>> loaded;
    std::lock_guard<std::mutex> lock(mutex);
    auto [it, inserted] = loaded.try_emplace(lang);
    if (inserted) it->second = load(lang);
    return it->second.get();
  }
  bool knows(const std::string& word) const {
    std::lock_guard<std::mutex> lock(mutex_);  // Hunspell keeps state between calls
    // Hunspell takes microseconds a word, and a long question has dozens,
    // mostly the same from one question to the next: answers are kept.
    auto known = answers_.find(word);
    if (known != answers_.end()) return known->second;
    if (answers_.size() >= kMaximumAnswers) answers_.clear();
    const bool answer = hunspell_.spell(word);
    answers_.emplace(word, answer);
    return answer;
  }

 private:
  LanguageDictionary(const std::string& aff, const std::string& dic) : hunspell_(aff.c_str(), dic.c_str()) {}
  static std::unique_ptr<LanguageDictionary> load(const std::string& lang) {
    if (lang.size() != 2 || !std::islower(static_cast<unsigned char>(lang[0])) ||
        !std::islower(static_cast<unsigned char>(lang[1])))
      return nullptr;
    // "en" is Debian's hunspell-en-us; another language its own country's.
    const std::string name =
        lang == "en" ? "en_US" : lang + "_" + static_cast<char>(std::toupper(lang[0])) + static_cast<char>(std::toupper(lang[1]));
    for (const char* dir : {"/usr/share/hunspell/", "/usr/share/myspell/dicts/"}) {
      const std::string base = dir + name;
      if (std::ifstream(base + ".aff") && std::ifstream(base + ".dic"))
        return std::unique_ptr<LanguageDictionary>(new LanguageDictionary(base + ".aff", base + ".dic"));
    }
    return nullptr;
  }
  static constexpr std::size_t kMaximumAnswers = 100000;
  mutable std::mutex mutex_;
  mutable Hunspell hunspell_;
  mutable std::unordered_map<std::string, bool> answers_;
};

struct Candidate {
  std::size_t token;
  std::string word;
  Xapian::doccount records;  // of the word's indexed term
  unsigned edits = 0;        // at most
  Xapian::doccount known = 0;  // records with the word as typed
  Suggestion best;
  std::uint64_t bytes = 0;  // byte_set(word), set by closest_words()
};

// Words kept in memory at most: beyond, each query walks the term list (the
// same answers, slower) rather than a context holding a huge vocabulary.
constexpr std::size_t kMaximumKeptWords = 1000000;

}  // namespace

void SpellingVocabulary::clear() {
  loaded_ = too_big_ = false;
  source_ = -1;
  by_length_.clear();
}

void SpellingVocabulary::reset(std::vector<Xapian::Database> shards) {
  clear();
  shards_ = std::move(shards);
}

SpellingVocabulary::Source SpellingVocabulary::source(const Xapian::Database& db) {
  if (source_ < 0) {
    const schema::IndexFeatures features = schema::read_features(db, "the database");
    source_ = static_cast<int>(features.spelling_counts  ? Source::kCounts
                               : features.spelling_terms ? Source::kTerms
                                                         : Source::kTable);
  }
  return static_cast<Source>(source_);
}

const std::vector<Xapian::Database>& SpellingVocabulary::leaves(const Xapian::Database& db) {
  if (!shards_.empty()) return shards_;
  if (db.size() != 1)
    throw Error(ErrorCode::kInternal, "the spelling counts of a database of shards are read from each shard");
  one_.assign(1, db);
  return one_;
}

Xapian::doccount SpellingVocabulary::count(const Xapian::Database& db, std::string_view word) {
  // A count that does not read (a damaged database) counts nothing.
  Xapian::doccount records = 0;
  const std::string key = schema::kSpellingCount + std::string(word);
  for (const Xapian::Database& leaf : leaves(db)) records += schema::decode_count(leaf.get_metadata(key)).value_or(0);
  return records;
}

template <typename Visit>
void SpellingVocabulary::read(const Xapian::Database& db, std::size_t shortest, std::size_t longest, Visit&& visit) {
  const std::string prefix = schema::kSpellingWord;
  auto wanted = [&](std::size_t size) { return size >= shortest && size <= longest; };
  if (source(db) == Source::kTerms) {
    for (auto t = db.allterms_begin(prefix), end = db.allterms_end(prefix); t != end; ++t) {
      const std::string term = *t;
      if (!wanted(term.size() - prefix.size())) continue;
      visit(std::string_view(term).substr(prefix.size()), t.get_termfreq());
    }
    return;
  }
  // [issue 27] The words are the shards' metadata keys (one list per shard,
  // streamed by a remote one); their counts are read when asked for.
  const std::vector<Xapian::Database>& all = leaves(db);
  std::unordered_set<std::string> seen;
  for (const Xapian::Database& leaf : all)
    for (auto k = leaf.metadata_keys_begin(prefix), end = leaf.metadata_keys_end(prefix); k != end; ++k) {
      const std::string key = *k;
      if (!wanted(key.size() - prefix.size())) continue;
      if (all.size() > 1 && !seen.insert(key).second) continue;  // in an earlier shard too
      visit(std::string_view(key).substr(prefix.size()), kNotRead);
    }
}

void SpellingVocabulary::load(const Xapian::Database& db) {
  by_length_.clear();
  loaded_ = true;
  too_big_ = false;
  std::size_t count = 0;
  read(db, 0, SIZE_MAX, [&](std::string_view word, Xapian::doccount records) {
    if (too_big_ || ++count > kMaximumKeptWords) {
      by_length_.clear();
      too_big_ = true;
      return;
    }
    if (by_length_.size() <= word.size()) by_length_.resize(word.size() + 1);
    by_length_[word.size()].push_back(Entry{std::string(word), records, byte_set(word)});
  });
}

template <typename Visit>
void SpellingVocabulary::for_each(const Xapian::Database& db, std::size_t shortest, std::size_t longest,
                                  Visit&& visit) {
  if (!loaded_) load(db);
  if (too_big_) {
    read(db, shortest, longest, [&](std::string_view word, Xapian::doccount records) {
      visit(word, byte_set(word), [&] { return records == kNotRead ? count(db, word) : records; });
    });
    return;
  }
  for (std::size_t size = shortest; size <= longest && size < by_length_.size(); ++size)
    for (Entry& e : by_length_[size])
      visit(std::string_view(e.word), e.bytes, [&] {
        if (e.records == kNotRead) e.records = count(db, e.word);
        return e.records;
      });
}

namespace {

// [issue 23] The closest spelling word of each candidate from the
// collection's spelling words: merged over local shards, and carried by the
// stock remote protocol.
void closest_words(const Xapian::Database& db, SpellingVocabulary& vocabulary, std::vector<Candidate>& candidates) {
  std::size_t shortest = SIZE_MAX, longest = 0;
  for (const Candidate& c : candidates) {
    shortest = std::min(shortest, c.word.size() > c.edits ? c.word.size() - c.edits : 0);
    longest = std::max(longest, c.word.size() + c.edits);
  }
  for (Candidate& c : candidates) c.bytes = byte_set(c.word);
  vocabulary.for_each(db, shortest, longest, [&](std::string_view word, std::uint64_t bytes, auto&& records) {
    for (Candidate& c : candidates) {
      if (word == c.word) {
        c.known = records();
        continue;
      }
      if (!may_be_within_edits(bytes, c.bytes, c.edits)) continue;
      const unsigned edits = edit_distance(c.word, word, c.edits);
      if (edits > c.edits) continue;
      Suggestion s{std::string(word), edits, records()};
      if (s.records == 0) continue;  // a count that does not read
      if (better(s, c.best)) c.best = std::move(s);
    }
  });
}

}  // namespace

void correct_words(std::string_view text, std::vector<Token>& tokens, const Xapian::Database& db,
                   const Analyzer& analyzer, const std::string& lang, SpellingVocabulary& vocabulary,
                   std::vector<SpellingCorrection>& out);



std::vector<SpellingCorrection> correct_spelling(std::string_view text, std::vector<Token>& tokens,
                                                 const Xapian::Database& db, const Analyzer& analyzer,
                                                 const std::string& lang, SpellingVocabulary* vocabulary) {
  std::vector<SpellingCorrection> out;
  SpellingVocabulary once;
  try {
    correct_words(text, tokens, db, analyzer, lang, vocabulary ? *vocabulary : once, out);
  } catch (const Xapian::UnimplementedError&) {
    // A backend without a spelling table: nothing to correct with.
  }
  return out;
}

namespace {

// Searches `correction` as well as the typed word of tokens[token].
void add_correction(std::string_view text, std::vector<Token>& tokens, std::size_t token, const std::string& correction,
                    const Analyzer& analyzer, const std::string& lang, std::vector<SpellingCorrection>& out) {
  std::vector<Token> corrected = analyzer.tokens(correction, lang);
  if (corrected.empty()) return;  // a stop word: nothing to search
  const Token typed_token = tokens[token];
  for (Token& t : corrected) {
    // Where the typed word stands, so snippets and offsets stay in the text.
    t.begin = typed_token.begin;
    t.end = typed_token.end;
    tokens.push_back(std::move(t));
  }
  out.push_back(SpellingCorrection{std::string(word_of(text, typed_token)), correction});
}

}  // namespace

void correct_words(std::string_view text, std::vector<Token>& tokens, const Xapian::Database& db,
                   const Analyzer& analyzer, const std::string& lang, SpellingVocabulary& vocabulary,
                   std::vector<SpellingCorrection>& out) {
  // The words worth a look-up: rare in the index by its own count of the
  // word's term (most query words are common and cost nothing here), and
  // not words of the language's dictionary (issue 25: a word the collection
  // does not hold is no misspelling when it is English).
  const std::string& language = lang.empty() ? analyzer.options().default_language : lang;
  const LanguageDictionary* dictionary = nullptr;
  bool dictionary_loaded = false;
  std::vector<Candidate> candidates;
  std::set<std::string> asked;
  const std::size_t typed = tokens.size();
  for (std::size_t i = 0; i < typed; ++i) {
    std::string word = spelling_word(word_of(text, tokens[i]));
    if (word.empty() || !asked.insert(word).second) continue;
    // The dictionary first: it is in memory, a term's count may be a round
    // trip to each remote shard.
    if (!dictionary_loaded) dictionary = LanguageDictionary::of(language), dictionary_loaded = true;
    if (dictionary && (dictionary->knows(word) || dictionary->knows(std::string(word_of(text, tokens[i]))))) continue;
    const Xapian::doccount records = db.get_termfreq(tokens[i].term);
    if (records > kRareWordRecords) continue;
    candidates.push_back(Candidate{i, std::move(word), records, 0, 0, Suggestion{}});
  }
  if (candidates.empty()) return;
  // Within the budget, words the index does not know at all first (they
  // match nothing as typed), then in the order the user wrote them.
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.records < b.records; });
  if (candidates.size() > kMaximumLookups) candidates.resize(kMaximumLookups);
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.token < b.token; });

  if (vocabulary.source(db) == SpellingVocabulary::Source::kTable) {
    // A database from before issue 23: Xapian's spelling table (local only).
    for (const Candidate& c : candidates) {
      const unsigned edits = c.word.size() <= kOneEditUpTo ? 1 : 2;
      std::string suggestion = db.get_spelling_suggestion(c.word, edits);
      if (suggestion.empty() || suggestion == c.word) continue;
      const Xapian::doccount known = spelling_frequency(db, c.word);
      if (known > 0 && spelling_frequency(db, suggestion) < known * kCommonerBy) continue;
      add_correction(text, tokens, c.token, suggestion, analyzer, lang, out);
    }
    return;
  }
  const bool small = db.get_doccount() < kSmallCollection;
  std::vector<Candidate> asked_words;
  for (Candidate& c : candidates) {
    if (small && c.records > 0) continue;
    c.edits = small || c.word.size() <= kOneEditUpTo ? 1 : 2;
    asked_words.push_back(std::move(c));
  }
  if (asked_words.empty()) return;
  closest_words(db, vocabulary, asked_words);
  for (const Candidate& c : asked_words) {
    if (c.best.word.empty()) continue;
    if (c.known > 0 && c.best.records < c.known * kCommonerBy) continue;
    add_correction(text, tokens, c.token, c.best.word, analyzer, lang, out);
  }
}

}  // namespace askalike
