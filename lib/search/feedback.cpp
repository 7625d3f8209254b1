#include "search/feedback.hpp"

#include <cctype>
#include <unordered_set>

#include "askalike/error.hpp"

namespace askalike {

namespace {

// Leaves out the query's own words and the filter terms (ids, categories,
// ...): those carry a prefix and, being boolean, a collection frequency of 0,
// which tells them from a word that happens to start with a capital.
class WordDecider : public Xapian::ExpandDecider {
 public:
  WordDecider(const Xapian::Database& db, const std::vector<std::string>& exclude)
      : db_(db), exclude_(exclude.begin(), exclude.end()) {}
  bool operator()(const std::string& term) const override {
    if (term.empty() || exclude_.count(term)) return false;
    if (std::isupper(static_cast<unsigned char>(term[0])) && db_.get_collection_freq(term) == 0) return false;
    return true;
  }

 private:
  const Xapian::Database& db_;
  std::unordered_set<std::string> exclude_;
};

}  // namespace

Xapian::Query with_added_terms(const Xapian::Query& query, const std::vector<QueryTerm>& added,
                               const RankingQuery& ranking, const TermLeaf& leaf) {
  if (added.empty() || query.empty()) return query;
  std::vector<Xapian::Query> parts{query};
  for (const QueryTerm& t : added)
    parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, leaf(t.term, 1), ranking.score_factor() * t.weight);
  return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
}

std::vector<QueryTerm> feedback_terms(Xapian::Enquire& enquire, const Xapian::Database& db,
                                      const std::vector<std::string>& exclude, const SearchOptions& options) {
  if (options.feedback_terms == 0 || options.feedback_weight <= 0.0 || options.feedback_documents == 0) return {};
  Xapian::MSet top = enquire.get_mset(0, static_cast<Xapian::doccount>(options.feedback_documents));
  if (top.empty()) return {};
  Xapian::RSet relevant;
  for (auto it = top.begin(); it != top.end(); ++it) relevant.add_document(*it);
  WordDecider decider(db, exclude);
  // Exact term frequencies: over several databases (shards) Xapian would
  // otherwise estimate them from one shard, and a stub would pick other words.
  Xapian::ESet eset;
  try {
    eset = enquire.get_eset(static_cast<Xapian::termcount>(options.feedback_terms), relevant,
                            Xapian::Enquire::USE_EXACT_TERMFREQ, &decider);
  } catch (const Xapian::FeatureUnavailableError&) {
    throw Error(ErrorCode::kInvalidArgument,
                "pseudo-relevance feedback (feedback_terms) reads the top records' term lists, and this database "
                "was compacted without them (askalike compact --search-only): search the database it was "
                "compacted from, or search without feedback");
  }
  std::vector<QueryTerm> out;
  if (eset.empty()) return out;
  const double best = eset.begin().get_weight();
  for (auto it = eset.begin(); it != eset.end(); ++it)
    if (best > 0 && it.get_weight() > 0) out.push_back(QueryTerm{*it, options.feedback_weight * it.get_weight() / best});
  return out;
}

}  // namespace askalike
