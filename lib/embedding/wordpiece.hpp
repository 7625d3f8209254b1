// BERT's WordPiece tokenizer, as the `tokenizers` library runs it for a
// BertNormalizer + BertPreTokenizer + WordPiece model (what
// sentence-transformers uses): clean the text, split CJK ideographs, strip
// accents and lower-case (ICU), split on whitespace and punctuation, then
// greedy longest-match-first word pieces with "##" continuations.
#ifndef ASKALIKE_EMBEDDING_WORDPIECE_HPP_
#define ASKALIKE_EMBEDDING_WORDPIECE_HPP_

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace askalike {
namespace embedding {

struct WordPieceOptions {
  bool lower_case = true;
  bool strip_accents = true;  // BERT: the same as lower_case unless said otherwise
  bool split_chinese = true;
};

class WordPiece {
 public:
  // `vocab`: token -> id. `source` names the vocabulary's file in errors.
  // Throws Error(kInvalidArgument) when [CLS], [SEP] or [UNK] is missing.
  WordPiece(std::unordered_map<std::string, int> vocab, const WordPieceOptions& options, const std::string& source);

  // The ids of [CLS], the pieces of `text` and [SEP]: at most `max_tokens`
  // (>= 2) in all. Invalid UTF-8 is replaced (and then dropped as BERT drops
  // U+FFFD).
  std::vector<int> encode(const std::string& text, std::size_t max_tokens) const;

  // The token of an id encode() gave.
  const std::string& token(int id) const;

  // The largest id in the vocabulary.
  int max_id() const { return max_id_; }

 private:
  void add_word(const std::string& word, std::vector<int>& out, std::size_t limit) const;

  std::unordered_map<std::string, int> vocab_;
  std::unordered_map<int, std::string> tokens_;
  WordPieceOptions options_;
  int cls_ = 0, sep_ = 0, unk_ = 0, max_id_ = 0;
};

// Reads vocab.txt: one token a line, its id the line's number from 0.
std::unordered_map<std::string, int> parse_vocab_txt(const std::string& bytes);

}  // namespace embedding
}  // namespace askalike

#endif  // ASKALIKE_EMBEDDING_WORDPIECE_HPP_
