#include "search/query_builder.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "index/document.hpp"
#include "storage/schema.hpp"

namespace askalike {

// The one idf formula of query terms: 0 for a term no record holds.
static double idf_of(double records, double termfreq) {
  return termfreq == 0 ? 0.0 : std::log((records + 1.0) / termfreq);
}

double inverse_document_frequency(const std::string& term, const Xapian::Database& db) {
  return idf_of(static_cast<double>(db.get_doccount()), db.get_termfreq(term));
}

std::unordered_map<std::string, Xapian::doccount> term_frequencies(const Xapian::Database& db,
                                                                   const std::vector<std::string>& terms) {
  std::unordered_map<std::string, Xapian::doccount> out;
  if (terms.empty()) return out;
  // The match's statistics hold every query term's frequency over all
  // shards: a remote shard sends them in one exchange, where get_termfreq
  // costs one round trip per term and shard. No document is ranked (0 hits).
  // In groups: the match's cost grows faster than its number of terms (60 KB
  // of distinct unknown words, 7,000 terms, took 2 s at once), and a query
  // has the same frequencies however its terms are grouped (issue 24).
  constexpr std::size_t kGroup = 128;
  Xapian::Enquire enquire(db);
  for (std::size_t from = 0; from < terms.size(); from += kGroup) {
    const auto begin = terms.begin() + static_cast<std::ptrdiff_t>(from);
    const auto end = terms.begin() + static_cast<std::ptrdiff_t>(std::min(terms.size(), from + kGroup));
    std::vector<Xapian::Query> parts(begin, end);
    enquire.set_query(Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end()));
    Xapian::MSet stats = enquire.get_mset(0, 0);
    for (auto t = begin; t != end; ++t) out.emplace(*t, stats.get_termfreq(*t));
  }
  return out;
}

double term_scale(const Token& token, const AnalyzerOptions& options) {
  if (!token.bigram) return 1.0;
  std::size_t chars = 0;  // UTF-8 lead bytes
  for (char c : token.term) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return chars == 1 ? options.cjk_unigram_weight : options.cjk_bigram_weight;
}

std::vector<WeightedTerm> select_terms(const std::vector<Token>& tokens, const Xapian::Database& db,
                                       std::size_t max_terms, const AnalyzerOptions& options) {
  std::unordered_map<std::string, Xapian::termcount> frequency;
  std::unordered_map<std::string, double> scale;
  std::vector<std::string> order;  // first occurrence, for stable ties
  for (const Token& t : tokens) {
    auto [it, inserted] = frequency.emplace(t.term, 0);
    if (inserted) order.push_back(t.term);
    ++it->second;
    double& s = scale[t.term];
    s = std::max(s, term_scale(t, options));
  }
  std::unordered_map<std::string, Xapian::doccount> df = term_frequencies(db, order);
  const double n = static_cast<double>(db.get_doccount());
  std::vector<WeightedTerm> out;
  for (const std::string& term : order) {
    double idf = idf_of(n, df[term]);
    if (idf <= 0.0 || scale[term] <= 0.0) continue;
    Xapian::termcount tf = frequency[term];
    out.push_back(WeightedTerm{term, (1.0 + std::log(static_cast<double>(tf))) * idf * scale[term], tf, df[term],
                               scale[term]});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const WeightedTerm& a, const WeightedTerm& b) { return a.weight > b.weight; });
  if (max_terms > 0 && out.size() > max_terms) out.resize(max_terms);
  return out;
}

Xapian::Query build_query(const std::vector<WeightedTerm>& terms, const RankingQuery& ranking, const TermLeaf& leaf,
                          double common_share, Xapian::doccount records) {
  std::vector<Xapian::Query> rare, common;
  for (const WeightedTerm& t : terms) {
    const bool is_common = common_share < 1.0 && t.records > common_share * records;
    Xapian::Query q = leaf(t.term, std::max<Xapian::termcount>(t.frequency, 1));
    if (t.scale != 1.0) q = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, t.scale);
    (is_common ? common : rare).push_back(q);
  }
  if (rare.empty()) rare.swap(common);  // only common words: each counts
  if (rare.empty()) return Xapian::Query();
  Xapian::Query any(Xapian::Query::OP_OR, rare.begin(), rare.end());
  if (!common.empty())
    any = Xapian::Query(Xapian::Query::OP_AND_MAYBE, any,
                        maybe_branch(Xapian::Query(Xapian::Query::OP_OR, common.begin(), common.end())));
  return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, any, ranking.score_factor());
}

static Xapian::Query any_of(const char* prefix, const std::vector<std::string>& values) {
  std::vector<Xapian::Query> terms;
  for (const std::string& v : values) terms.emplace_back(filter_term(prefix, v));
  return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

Xapian::Query build_filter(const SearchOptions& o) {
  std::vector<Xapian::Query> filters;
  if (!o.categories.empty()) filters.push_back(any_of(schema::kCategory, o.categories));
  if (!o.tags.empty()) filters.push_back(any_of(schema::kTag, o.tags));
  if (!o.lang.empty()) filters.emplace_back(filter_term(schema::kLang, o.lang));
  if (!o.group.empty()) filters.emplace_back(filter_term(schema::kGroup, o.group));
  if (!o.since.empty() || !o.until.empty()) {
    // Dates sort as strings; "\xff" makes "2007" cover all of 2007.
    if (o.until.empty())
      filters.emplace_back(Xapian::Query::OP_VALUE_GE, schema::kDateSlot, o.since);
    else if (o.since.empty())
      filters.emplace_back(Xapian::Query::OP_VALUE_LE, schema::kDateSlot, o.until + "\xff");
    else
      filters.emplace_back(Xapian::Query::OP_VALUE_RANGE, schema::kDateSlot, o.since, o.until + "\xff");
  }
  if (filters.empty()) return Xapian::Query();
  return Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end());
}

Xapian::Query with_group_records(Xapian::Query query, const SearchOptions& options) {
  if (options.group.empty()) return query;
  // Weight 0: below every record that shares a word, in the order Xapian
  // gives equal weights (the record number), the same on every layout.
  Xapian::Query group(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(filter_term(schema::kGroup, options.group)), 0.0);
  return Xapian::Query(Xapian::Query::OP_OR, query, group);
}

Xapian::Query apply_filters(Xapian::Query query, const SearchOptions& options) {
  Xapian::Query filter = build_filter(options);
  if (!filter.empty()) query = Xapian::Query(Xapian::Query::OP_FILTER, query, filter);
  if (!options.exclude_id.empty() && options.exclude_id.size() <= schema::kMaxIdBytes)
    query = Xapian::Query(Xapian::Query::OP_AND_NOT, query, Xapian::Query(schema::kId + options.exclude_id));
  return query;
}

}  // namespace askalike
