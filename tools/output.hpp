// askalike command-line tool: writing search results as text, JSON Lines or
// a TREC run.
#ifndef ASKALIKE_TOOLS_OUTPUT_HPP_
#define ASKALIKE_TOOLS_OUTPUT_HPP_

#include <askalike/search.hpp>

#include <ostream>
#include <string>

namespace askalike::cli {

enum class OutputFormat { kText, kJsonl, kTrec };

// What the confidence of a hit is, as the text output says on its first hit.
extern const char* const kConfidenceMeaning;

// "text", "jsonl", "trec"; false for anything else.
bool parse_output_format(const std::string& name, OutputFormat& out);

// Readable, like a Q&A page's "Similar Q&A" box: per hit its rank, title,
// category, score, confidence (what it is said on the first hit), and the
// start of its question (when there is a title) and answer; then the related
// categories and topics. `heading` (may be empty) comes first.
// With `explain`: the query's terms and weights, and each hit's matched terms.
void write_text(std::ostream& out, const std::string& heading, const Results& results, bool explain);

// One JSON object per hit: query, rank, id, score, confidence, title,
// category, snippet (and matched_terms with `explain`).
void write_jsonl(std::ostream& out, const std::string& query_id, const Results& results, bool explain);

// "qid Q0 docid rank score askalike" per hit.
void write_trec(std::ostream& out, const std::string& query_id, const Results& results);

// The first `max_chars` characters of `text` (UTF-8), whitespace runs made
// single spaces, with "..." when cut.
std::string text_start(const std::string& text, std::size_t max_chars);

}  // namespace askalike::cli

#endif  // ASKALIKE_TOOLS_OUTPUT_HPP_
