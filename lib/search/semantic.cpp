#include "search/semantic.hpp"

#include <algorithm>

#include "analysis/scripts.hpp"
#include "askalike/embedding.hpp"
#include "askalike/search.hpp"
#include "embedding/vectors.hpp"
#include "storage/schema.hpp"

namespace askalike {

std::size_t default_semantic_depth(std::string_view question) {
  return written_in_chinese(question) ? kSemanticDepthChinese : kSemanticDepth;
}

void semantic_rerank(std::vector<Match>& top, const std::vector<float>& query, std::size_t depth,
                     double lexical_weight) {
  if (top.empty()) return;
  const double best = top.front().weight;
  auto lexical_part = [&](double weight) { return best > 0 ? lexical_weight * weight / best : 0.0; };
  const std::size_t window = std::min(depth, top.size());
  std::vector<float> vector;
  for (std::size_t i = 0; i < top.size(); ++i) {
    Match& m = top[i];
    m.lexical = m.weight;
    if (i < window) {
      m.cosine = decode_vector(m.doc.get_value(schema::kEmbeddingSlot), query.size(), vector) ? cosine(query, vector)
                                                                                                : 0.0;
      m.weight = m.cosine + lexical_part(m.lexical);
    } else {
      m.cosine = 0.0;
      m.weight = -1.0 + lexical_part(m.lexical);
    }
  }
  std::stable_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(window),
                   [](const Match& a, const Match& b) { return a.weight > b.weight; });
}

}  // namespace askalike
