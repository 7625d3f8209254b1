// Stop words: words too common to tell one question from another.
#ifndef ASKALIKE_LIB_STOPWORDS_HPP_
#define ASKALIKE_LIB_STOPWORDS_HPP_

#include <string_view>

namespace askalike {

// Is `word` (already case-folded, not stemmed) an English stop word?
bool is_english_stop_word(std::string_view word);

// Is `word` a Chinese function word or greeting ("的", "吗", "您好", ...)?
bool is_chinese_stop_word(std::string_view word);

}  // namespace askalike

#endif  // ASKALIKE_LIB_STOPWORDS_HPP_
