// Highlighted passages: the part of a field that best shows why it matched.
#ifndef ASKALIKE_LIB_SNIPPETS_HPP_
#define ASKALIKE_LIB_SNIPPETS_HPP_

#include <string>
#include <unordered_map>

#include "askalike/analyzer.hpp"

namespace askalike {

struct SnippetStyle {
  std::size_t length = 200;  // characters, about
  std::string open = "**";
  std::string close = "**";
};

// The passage of `text` of about style.length characters holding the most
// query weight, query words wrapped in style.open/close, "…" where cut.
// `weights` maps query terms to their weights.
std::string make_snippet(const std::string& text, const std::string& lang, Analyzer& analyzer,
                         const std::unordered_map<std::string, double>& weights, const SnippetStyle& style);

}  // namespace askalike

#endif  // ASKALIKE_LIB_SNIPPETS_HPP_
