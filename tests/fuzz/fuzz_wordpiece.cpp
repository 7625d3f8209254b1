// libFuzzer target: the WordPiece tokenizer of embedding models
// (lib/embedding/wordpiece.cpp, compiled into this program: its names are
// hidden in the library), over arbitrary bytes with a small vocabulary. The
// first byte picks the options and the token limit; the rest is the text.
// Every output is [CLS] ... [SEP], within the limit, of ids of the
// vocabulary.
#include "embedding/wordpiece.hpp"
#include "fuzz_util.hpp"

namespace {

const std::string kVocab =
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\na\nchild\nfever\nplay\n##ing\n##s\nun\n##know\n##n\n,\n.\n!\n?\n"
    "高\n血\n压\ncafe\n\xc3\xa9\n##\xc3\xa9\n\xf0\x9f\x98\x80\n##a\n##b\nab\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned flags = data[0];
  askalike::embedding::WordPieceOptions options;
  options.lower_case = flags & 1;
  options.strip_accents = flags & 2;
  options.split_chinese = flags & 4;
  const std::size_t limit = flags >> 3;  // 0..31: below 2 means 2
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const auto vocab = askalike::embedding::parse_vocab_txt(kVocab);
    const askalike::embedding::WordPiece tokenizer(vocab, options, "vocab.txt");
    const std::vector<int> ids = tokenizer.encode(text, limit);
    fuzz::fuzz_check(ids.size() >= 2 && ids.size() <= std::max<std::size_t>(limit, 2), "too many tokens");
    fuzz::fuzz_check(tokenizer.token(ids.front()) == "[CLS]" && tokenizer.token(ids.back()) == "[SEP]",
                     "not [CLS] ... [SEP]");
    for (int id : ids) fuzz::fuzz_check(id >= 0 && id <= tokenizer.max_id(), "an id outside the vocabulary");
    // The text as a vocabulary: refused (no [CLS]) or usable.
    const askalike::embedding::WordPiece own(askalike::embedding::parse_vocab_txt(text), options, "fuzz.txt");
    own.encode(text, 512);
  } catch (const askalike::Error&) {
  }
  return 0;
}
