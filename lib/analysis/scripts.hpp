// What a text is written in, by Unicode script, for the choices that depend
// on it outside the analyzer (the analyzer's own rules use the same tests).
#ifndef ASKALIKE_LIB_ANALYSIS_SCRIPTS_HPP_
#define ASKALIKE_LIB_ANALYSIS_SCRIPTS_HPP_

#include <string_view>

namespace askalike {

// Chinese: more Han characters than letters of other scripts, and no kana
// (kana make it Japanese, as for Traditional-to-Simplified folding).
bool written_in_chinese(std::string_view text);

}  // namespace askalike

#endif  // ASKALIKE_LIB_ANALYSIS_SCRIPTS_HPP_
