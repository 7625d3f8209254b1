// Spelling correction from the collection's own words (issue 13): Xapian's
// spelling table, filled at indexing with the records' unstemmed words, and
// asked at query time for the words the index does not know (or knows far
// less than a close spelling). A correction is searched as well as the word
// as typed, and reported ("did you mean").
//
// Scope: words of ASCII letters (English and other Latin-script text without
// accents). Chinese has no spelling table: its characters are indexed as
// unigrams and bigrams, so a wrong character already leaves the rest to match.
// [issue 23] The words are terms of their records ("XS" + word), not
// Xapian's spelling table, which is per shard and which a remote database
// (xapian-tcpsrv) does not serve: every layout then corrects alike. A word
// of the query language's Hunspell dictionary is never corrected (issue 25).
#ifndef ASKALIKE_LIB_SPELLING_HPP_
#define ASKALIKE_LIB_SPELLING_HPP_

#include <xapian.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "askalike/analyzer.hpp"
#include "askalike/search.hpp"

namespace askalike {

// Appends the words of `text` (tokens from analysing it) that belong in the
// spelling table, lower-cased as typed (not stemmed).
void collect_spelling_words(std::string_view text, const std::vector<Token>& tokens, std::vector<std::string>& out);

// [issue 27] The spelling-table changes of many records, applied at once: Xapian
// looks each add_spelling() word up in a sorted map of its pending changes,
// which cost a sixth of a one-thread load's CPU when called for every word
// of every record; gathered here, each distinct word is one call per batch.
// A word's frequency ends as the calls one by one would leave it.
class SpellingChanges {
 public:
  // One record's words, each counted once (a word's frequency is the number
  // of records with it) ...
  void add(std::vector<std::string> words);
  // ... and a replaced or removed record's, taken back off.
  void remove(std::vector<std::string> words);
  // Applies what was gathered to `db` (before its commit), and forgets it:
  // to its spelling table, or with `counts` (IndexFeatures::spelling_counts,
  // issue 27) to its words' record counts in its metadata.
  void apply(Xapian::WritableDatabase& db, bool counts);
  void clear() { changes_.clear(); }

 private:
  std::unordered_map<std::string, long long> changes_;  // word -> records gained (or lost)
};

// [issue 27] A filter before the edit distance, which a query pays for every
// spelling word near its unknown words' lengths (at 1M generated records,
// 162,683 words: a quarter of a search's time). The bytes of a word, folded
// onto 64 bits: a word within k edits of another has at most k bytes the
// other lacks, each way (an edit adds one byte and takes one away at most;
// folding only merges bytes), so the filter never rejects a true match.
inline std::uint64_t byte_set(std::string_view word) {
  std::uint64_t set = 0;
  for (unsigned char c : word) set |= std::uint64_t{1} << (c & 63);
  return set;
}
inline bool may_be_within_edits(std::uint64_t a, std::uint64_t b, unsigned edits) {
  return static_cast<unsigned>(__builtin_popcountll(a & ~b)) <= edits &&
         static_cast<unsigned>(__builtin_popcountll(b & ~a)) <= edits;
}

// [issue 23] The collection's spelling words (their "XS" terms, or since
// issue 27 the counts each shard keeps in its metadata, summed) with their
// record counts, read in one walk of the term list on first use and kept,
// by length, for the database state it was read from: a Searcher's context
// keeps one and clears it when it moves to a newer state. Over xapian-tcpsrv
// the walk is the whole vocabulary on the wire, which a query must not pay.
// [issue 27] A count kept in the metadata is read when first asked for
// (each is a round trip to a remote shard, and a query asks for the few
// words within its edits), then kept too.
// Not thread-safe (one per context).
class SpellingVocabulary {
 public:
  // Forgets what was read (the database moved to a newer state).
  void clear();
  // clear(), for a database made of `shards` (detail::open_database()'s
  // leaves), whose spelling counts are summed: each shard's are in its own
  // metadata. None: a database of one shard.
  void reset(std::vector<Xapian::Database> shards);
  // Where `db` keeps its spelling words, read once per state: Xapian's
  // spelling table (before issue 23), terms (IndexFeatures::spelling_terms)
  // or counts (IndexFeatures::spelling_counts).
  enum class Source { kTable, kTerms, kCounts };
  Source source(const Xapian::Database& db);
  // Calls visit(word, byte_set(word), records) for each word of `shortest`
  // to `longest` bytes (reading `db` when not loaded, or when too big to
  // keep); records() gives the number of records holding the word.
  template <typename Visit>
  void for_each(const Xapian::Database& db, std::size_t shortest, std::size_t longest, Visit&& visit);

 private:
  static constexpr Xapian::doccount kNotRead = static_cast<Xapian::doccount>(-1);
  struct Entry {
    std::string word;
    Xapian::doccount records;  // kNotRead: not read yet
    std::uint64_t bytes;       // byte_set(word)
  };
  void load(const Xapian::Database& db);
  // Calls visit(word, records) for each word of `shortest` to `longest`
  // bytes, read from `db`; records is kNotRead for a count in the metadata.
  template <typename Visit>
  void read(const Xapian::Database& db, std::size_t shortest, std::size_t longest, Visit&& visit);
  // A word's records: the sum of its counts in the shards' metadata.
  Xapian::doccount count(const Xapian::Database& db, std::string_view word);
  const std::vector<Xapian::Database>& leaves(const Xapian::Database& db);
  bool loaded_ = false, too_big_ = false;
  int source_ = -1;  // unknown, else a Source
  std::vector<Xapian::Database> shards_, one_;
  std::vector<std::vector<Entry>> by_length_;
};

// The corrections for the words of `text` (analysed into `tokens`) that `db`
// does not know, or knows far less than a close spelling; four words at
// most are looked up, the unknown ones first. The corrections' own tokens
// are appended to `tokens`, so the query searches both. `vocabulary`: kept
// for `db`'s state by the caller (null: read for this call alone).
std::vector<SpellingCorrection> correct_spelling(std::string_view text, std::vector<Token>& tokens,
                                                 const Xapian::Database& db, const Analyzer& analyzer,
                                                 const std::string& lang, SpellingVocabulary* vocabulary = nullptr);

}  // namespace askalike

#endif  // ASKALIKE_LIB_SPELLING_HPP_
