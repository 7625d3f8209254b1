// [issue 27: every core on one query] The local shards of a collection
// searched at once, a thread per shard, ranking exactly as one database.
//
// Xapian 1.4 searches the databases of a stub one after another on the
// calling thread. Here each shard gets an Enquire of its own on a thread of
// its own. With b = 0 (ranking.hpp) Xapian's BM25Weight weighs a term by its
// idf alone: a function of the collection size and the term's frequency
// (bm25_idf); a record's length plays no part. So a shard searched alone
// ranks as the whole collection once each term's weight is scaled by
// idf over the collection / idf over the shard (OP_SCALE_WEIGHT on the
// term): a record's score is then the one a search of the stub gives, to
// the last bits of the floating-point sum. The shards' top hits, merged by
// score with ties in the order of the document numbers the stub gives
// (shards interleaved), are the stub's top hits. Each shard prunes with its
// own k-th best score, as each xapian-tcpsrv of a remote collection does.
#ifndef ASKALIKE_LIB_SHARD_SEARCH_HPP_
#define ASKALIKE_LIB_SHARD_SEARCH_HPP_

#include <xapian.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "index/ranking.hpp"
#include "util/worker_pool.hpp"

namespace askalike {

// A record among the best matches of a query.
struct Match {
  double weight = 0.0;
  Xapian::Document doc;
  // The record's number in the database searched (the stub's, when local
  // shards are searched at once): what a posting list is read at.
  Xapian::docid docid = 0;
  // [issue 28] Set by the semantic stage (semantic.hpp), which makes
  // `weight` their sum: the BM25F weight and the embeddings' cosine.
  double lexical = 0.0;
  double cosine = 0.0;
};

struct Matches {
  std::vector<Match> top;  // best first
  Xapian::doccount estimated = 0;
};

// The whole query for the database a leaf is made for (filters included).
using ComposeQuery = std::function<Xapian::Query(const TermLeaf& leaf)>;

// The paths of the shards of the collection at `path` when they can be
// searched at once: a collection directory (shards.hpp) of at least two
// local shards, each a database of its own (not a stub). Empty otherwise.
std::vector<std::string> parallel_shard_paths(const std::string& path);

// The `depth` best matches of compose(plain_leaf) in `db` (a database or a
// stub, searched by one Enquire).
Matches search_database(const Xapian::Database& db, const ComposeQuery& compose, const Xapian::Weight& weight,
                        std::size_t depth);

// The same for the collection whose shards are `shards`, in the stub's
// order, each searched on its own thread of `pool`: the matches a search of
// their stub gives. `compose` runs on the calling thread only (it may read
// the databases); Xapian objects are not shared between the threads.
// `whole` (the shards as one database) gives the estimated number of
// matches as a search of the stub does.
Matches search_shards(const std::vector<Xapian::Database>& shards, const Xapian::Database& whole,
                      const ComposeQuery& compose, const Xapian::Weight& weight, std::size_t depth,
                      WorkerPool& pool);

}  // namespace askalike

#endif  // ASKALIKE_LIB_SHARD_SEARCH_HPP_
