#include "search/shard_search.hpp"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include "storage/database_open.hpp"
#include "storage/shards.hpp"

namespace askalike {

std::vector<std::string> parallel_shard_paths(const std::string& path) {
  if (!shards::is_collection(path)) return {};
  std::vector<std::string> out;
  for (const detail::StubLine& line : detail::read_stub(path + "/" + shards::kStubName)) {
    // A remote shard is searched by its server; a nested stub would number
    // its documents otherwise than one database does.
    if (line.kind == detail::StubLine::Kind::kRemoteTcp || shards::is_collection(line.path)) return {};
    out.push_back(line.path);
  }
  if (out.size() < 2) return {};
  return out;
}

Matches search_database(const Xapian::Database& db, const ComposeQuery& compose, const Xapian::Weight& weight,
                        std::size_t depth) {
  Matches out;
  Xapian::Query query = compose(plain_leaf);
  if (query.empty()) return out;
  Xapian::Enquire enquire(db);
  enquire.set_query(query);
  enquire.set_weighting_scheme(weight);
  Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(depth));
  out.estimated = mset.get_matches_estimated();
  // The caller reads every document (its values, for the semantic stage or
  // the facets): asked for at once, a remote shard's are fetched in one
  // exchange of messages instead of one round trip each.
  mset.fetch();
  out.top.reserve(mset.size());
  for (auto it = mset.begin(); it != mset.end(); ++it) out.top.push_back(Match{it.get_weight(), it.get_document(), *it});
  return out;
}

namespace {

// Each query term's frequency in every shard, read once per term (on the
// calling thread, before the shards are searched).
class ShardStatistics {
 public:
  explicit ShardStatistics(const std::vector<Xapian::Database>& shards) : shards_(shards) {
    for (const auto& db : shards) {
      sizes_.push_back(db.get_doccount());
      size_ += sizes_.back();
    }
  }

  Xapian::doccount size(std::size_t shard) const { return sizes_[shard]; }

  // The factor that makes the term's weight in `shard` its weight in the
  // collection (0 when the shard has no record with it: nothing to weigh).
  double idf_ratio(const std::string& term, std::size_t shard) {
    const std::vector<Xapian::doccount>& frequency = frequencies(term);
    if (frequency[shard] == 0) return 0.0;
    Xapian::doccount total = 0;
    for (Xapian::doccount f : frequency) total += f;
    return bm25_idf(size_, total) / bm25_idf(sizes_[shard], frequency[shard]);
  }

 private:
  const std::vector<Xapian::doccount>& frequencies(const std::string& term) {
    auto [it, inserted] = frequencies_.try_emplace(term);
    if (inserted)
      for (const auto& db : shards_) it->second.push_back(db.get_termfreq(term));
    return it->second;
  }

  const std::vector<Xapian::Database>& shards_;
  std::vector<Xapian::doccount> sizes_;
  Xapian::doccount size_ = 0;
  std::unordered_map<std::string, std::vector<Xapian::doccount>> frequencies_;
};

// A shard's match before the merge: no Xapian object, so that it can cross
// threads.
struct ShardMatch {
  double weight;
  std::uint64_t order;  // the document number in the stub of the shards: ties go by it
  std::size_t shard;
  Xapian::docid docid;  // in the shard
};

}  // namespace

Matches search_shards(const std::vector<Xapian::Database>& shards, const Xapian::Database& whole,
                      const ComposeQuery& compose, const Xapian::Weight& weight, std::size_t depth,
                      WorkerPool& pool) {
  Matches out;
  const std::size_t n = shards.size();
  ShardStatistics statistics(shards);
  // Every shard's query is built here, whole: Xapian's reference counts are
  // not atomic, so no part of a query may be shared by two threads.
  std::vector<Xapian::Query> queries;
  queries.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    queries.push_back(compose([&statistics, i](const std::string& term, Xapian::termcount wqf) {
      Xapian::Query leaf(term, wqf);
      double ratio = statistics.idf_ratio(term, i);
      return ratio > 0.0 ? Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, leaf, ratio) : leaf;
    }));
  if (queries.front().empty()) return out;
  std::vector<std::vector<ShardMatch>> found(n);
  auto search_shard = [&](std::size_t i) {
    if (statistics.size(i) == 0) return;
    Xapian::Enquire enquire(shards[i]);
    enquire.set_query(queries[i]);
    enquire.set_weighting_scheme(weight);
    Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(depth));
    found[i].reserve(mset.size());
    for (auto it = mset.begin(); it != mset.end(); ++it)
      found[i].push_back(ShardMatch{it.get_weight(), (std::uint64_t{*it} - 1) * n + i + 1, i, *it});
  };
  pool.run(n, search_shard);
  std::vector<ShardMatch> all;
  for (std::size_t i = 0; i < n; ++i) all.insert(all.end(), found[i].begin(), found[i].end());
  if (all.size() < depth) {
    out.estimated = static_cast<Xapian::doccount>(all.size());  // every shard gave every match: the count
  } else {
    // The shards' own estimates summed differ from one database's (28 of
    // liveqa's 52 questions on medquad, as "about N matching"). Xapian's
    // estimate for the stub comes from the postings' counts before matching
    // (Xapian 1.4's MultiMatch), which an MSet of no items gives without
    // matching; the stub's search raises it to the records it saw (at least
    // `depth`), which happens only when that estimate was low.
    Xapian::Enquire enquire(whole);
    enquire.set_query(compose(plain_leaf));
    enquire.set_weighting_scheme(weight);
    out.estimated = std::max<Xapian::doccount>(enquire.get_mset(0, 0).get_matches_estimated(),
                                               static_cast<Xapian::doccount>(depth));
  }
  const std::size_t keep = std::min(depth, all.size());
  std::partial_sort(all.begin(), all.begin() + keep, all.end(), [](const ShardMatch& a, const ShardMatch& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.order < b.order;
  });
  out.top.reserve(keep);
  for (std::size_t j = 0; j < keep; ++j)
    out.top.push_back(Match{all[j].weight, shards[all[j].shard].get_document(all[j].docid, Xapian::DOC_ASSUME_VALID),
                            static_cast<Xapian::docid>(all[j].order)});
  return out;
}

}  // namespace askalike
