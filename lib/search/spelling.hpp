// Spelling correction from the collection's own words (issue 13): Xapian's
// spelling table, filled at indexing with the records' unstemmed words, and
// asked at query time for the words the index does not know (or knows far
// less than a close spelling). A correction is searched as well as the word
// as typed, and reported ("did you mean").
//
// Scope: words of ASCII letters (English and other Latin-script text without
// accents). Chinese has no spelling table: its characters are indexed as
// unigrams and bigrams, so a wrong character already leaves the rest to match.
// A remote database (xapian-tcpsrv) has no spelling table in Xapian 1.4:
// nothing is corrected there; local shards of a stub file are all consulted.
#ifndef ASKALIKE_LIB_SPELLING_HPP_
#define ASKALIKE_LIB_SPELLING_HPP_

#include <xapian.h>

#include <string>
#include <string_view>
#include <vector>

#include "askalike/analyzer.hpp"
#include "askalike/search.hpp"

namespace askalike {

// Appends the words of `text` (tokens from analysing it) that belong in the
// spelling table, lower-cased as typed (not stemmed).
void collect_spelling_words(std::string_view text, const std::vector<Token>& tokens, std::vector<std::string>& out);

// Counts each distinct word of one record once in the spelling table, so a
// word's spelling frequency is the number of records with it.
void add_spelling_words(Xapian::WritableDatabase& db, std::vector<std::string> words);

// Takes one record's words back off the spelling table (the record was
// replaced or removed): a word no record holds any more is no one's
// correction.
void remove_spelling_words(Xapian::WritableDatabase& db, std::vector<std::string> words);

// The corrections for the words of `text` (analysed into `tokens`) that `db`
// does not know, or knows far less than a close spelling; four words at
// most are looked up, the unknown ones first. The corrections' own tokens
// are appended to `tokens`, so the query searches both.
std::vector<SpellingCorrection> correct_spelling(std::string_view text, std::vector<Token>& tokens,
                                                 const Xapian::Database& db, const Analyzer& analyzer,
                                                 const std::string& lang);

}  // namespace askalike

#endif  // ASKALIKE_LIB_SPELLING_HPP_
