// askalike: finding the questions most similar to a new one.
//
//   askalike::Searcher searcher("qa.db");
//   askalike::SearchOptions options;
//   options.k = 5;
//   auto results = searcher.similar("Is it safe to take ibuprofen with high blood pressure?", options);
//   for (const auto& hit : results.hits)
//     std::cout << hit.rank << ". " << hit.record.title << " (" << hit.score << ")\n";
//   for (const auto& c : results.categories) std::cout << c.value << " " << c.count << "\n";
#ifndef ASKALIKE_SEARCH_HPP_
#define ASKALIKE_SEARCH_HPP_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "askalike/error.hpp"
#include "askalike/export.hpp"
#include "askalike/index.hpp"
#include "askalike/record.hpp"

namespace askalike {

// [issue 28] The semantic stage's depth when SearchOptions::semantic_depth
// is unset: kSemanticDepthChinese for a question in Chinese characters (more
// Han characters than letters of other scripts, and no kana), else
// kSemanticDepth.
inline constexpr std::size_t kSemanticDepth = 20;
inline constexpr std::size_t kSemanticDepthChinese = 200;
ASKALIKE_EXPORT std::size_t default_semantic_depth(std::string_view question);

// Every field is checked by validate() (validate.hpp) before a search.
struct ASKALIKE_EXPORT SearchOptions {
  // --- Which hits.
  std::size_t k = 10;       // hits to return, 1 to kMaxK
  std::size_t offset = 0;   // hits to skip first (paging)
  double min_score = 0.0;   // drop hits scoring below this (0: keep every hit)

  // --- Filters: a record must pass every non-empty one.
  std::vector<std::string> categories;  // any of these categories
  std::vector<std::string> tags;        // at least one of these tags
  std::string lang;                     // this language only
  std::string group;                    // this re-ranking group only
  std::string since;                    // date >= since ("YYYY-MM-DD")
  std::string until;                    // date <= until (a prefix covers the whole period)
  std::string exclude_id;               // never return this record

  // --- Ranking. Field weights and b are database settings (RankingOptions,
  // fixed at indexing; change them with reindex_database()).
  double bm25_k1 = 1.2;          // BM25 term-frequency saturation
  std::size_t max_query_terms = 32;  // keep the strongest terms of a long question
  // [issue 27] A query word held by more than this share of the records
  // counts only for the records that also hold a rarer word of the query
  // (Xapian's OP_AND_MAYBE), so the matcher skips most of its postings: the
  // "symptoms" of a long question no longer make every record with symptoms
  // a candidate. A query whose words are all that common keeps them all,
  // and so does a query with a filter (categories, group, ...: the few
  // records it leaves are all ranked). The default was chosen on the quality
  // sets: every main metric within 0.001 of the exact ranking
  // (benchmarks/speed/notes.md). 1: the exact ranking, where a record
  // holding only common words can rank.
  double common_word_share = 0.05;
  // A longer query text is refused (Error kInvalidArgument): a question is
  // a paragraph, not a book, and analysing megabytes per query would let one
  // caller stall a shared server.
  std::size_t max_query_bytes = 64 * 1024;
  // Search a word the database does not know (or knows far less than a close
  // spelling) as the collection's own spelling of it too, and report it in
  // Results::corrections. Needs a database built with IndexOptions::spelling.
  // At most four words of a query are looked up (words the database does not
  // know first, then in the order typed), so a long message stays fast.
  bool spelling = true;
  // Bonus, in score units, for the records that ask the same type of
  // question as the query (question_type.hpp: "is X inherited?", "how is X
  // treated?"). 0: off. Needs a database built with
  // IndexOptions::question_types. The default was chosen on half A of the
  // quality sets (benchmarks/quality/ABLATIONS.md, section 10).
  double question_type_weight = 2.0;

  // --- What to compute with the hits (skip what you do not draw).
  bool records = true;              // Hit::record (the stored record, decoded)
  bool match_details = true;        // Hit::matched_terms and Hit::confidence
  bool snippets = true;             // question_snippet / answer_snippet (needs records)
  std::size_t snippet_length = 200; // characters, about
  std::string highlight_open = "**";
  std::string highlight_close = "**";
  bool facets = true;               // categories and related topics
  std::size_t facet_depth = 50;     // top hits that facets are counted over
  std::size_t max_topics = 10;

  // --- Query expansion: words added to the query with small weights.
  // Word associations learned from the database's own questions and answers
  // (IndexWriter::learn_associations; none in a database that has not
  // learned them): at most this many are added (0: off), each scored as a
  // query word (BM25F) times association_weight x its strength (0..1).
  std::size_t max_associations = 0;
  double association_weight = 0.1;
  // Pseudo-relevance feedback: the feedback_terms best words (Xapian's ESet)
  // of the top feedback_documents hits of a first search are added with
  // weight feedback_weight x their share of the best one, and the query is
  // searched again. 0 terms: off.
  std::size_t feedback_terms = 0;
  std::size_t feedback_documents = 10;
  double feedback_weight = 0.2;

  // --- [issue 28] Meaning, not just words: in a database built with a
  // sentence-embedding model (IndexOptions::embedding_model), the
  // semantic_depth best records by words are ranked again by
  //   cosine(query, record) + semantic_lexical_weight x score / best score,
  // the cosine of the embeddings of the query and of the record's title and
  // question (embedding.hpp). Hit::score is then that sum; records ranked
  // past semantic_depth follow in their order by words, scored as if their
  // cosine were -1. With a `group` (the caller's candidates), the group's
  // records that share no word with the query are candidates too, with a
  // words' score of 0, below those that do (within semantic_depth). No
  // effect on a database without embeddings.
  // Unset, the depth follows the question's language (kSemanticDepth, or
  // kSemanticDepthChinese for a question in Chinese characters), each
  // chosen on half A of its language's labelled sets (ABLATIONS.md
  // section 22: short Chinese questions share few words with their
  // paraphrases, so the model must look further down).
  bool semantic = true;
  std::optional<std::size_t> semantic_depth;
  double semantic_lexical_weight = 0.2;
  // The query's embedding, made by the caller with the database's model (or
  // the model its records' own vectors came from): used instead of
  // embedding the text. Its length must be the database's dimension, else
  // Error(kInvalidArgument). Empty: the searcher embeds the text.
  std::vector<float> query_vector;
};

// A query term as the searcher used it.
struct ASKALIKE_EXPORT QueryTerm {
  std::string term;
  double weight = 0.0;  // its selection weight (query frequency x idf)
};

// A query word searched as another spelling ("did you mean").
struct ASKALIKE_EXPORT SpellingCorrection {
  std::string word;        // as typed in the query
  std::string correction;  // the collection's spelling, searched as well
};

struct ASKALIKE_EXPORT Hit {
  std::size_t rank = 0;       // 1-based, counting the offset
  std::string id;
  double score = 0.0;         // the score ranked by (BM25F, or the semantic sum); comparable within one list
  double lexical_score = 0.0; // BM25F sum of the words (the same as score without the semantic stage)
  // [issue 28] Cosine of the query's and the record's embeddings, -1..1,
  // when the semantic stage ranked this hit; else 0.
  double semantic_similarity = 0.0;
  double confidence = 0.0;    // 0..1: share of the query's weight this hit matches
  Record record;              // the stored record
  std::string question_snippet;  // highlighted passage of title + question
  std::string answer_snippet;    // highlighted passage of the answer
  std::vector<std::string> matched_terms;  // query terms found in this record
};

// A recurring topic among the similar questions (the "Related FAQ" box).
struct ASKALIKE_EXPORT RelatedTopic {
  std::string topic;     // a title that recurs among the hits
  std::string category;  // its most frequent category
  std::size_t count = 0; // hits with this topic
};

struct ASKALIKE_EXPORT Results {
  std::vector<Hit> hits;
  std::size_t estimated_matches = 0;   // records matching at least one term (Xapian's estimate)
  std::vector<FacetCount> categories;  // categories of the top hits, most first
  std::vector<RelatedTopic> related_topics;
  std::vector<QueryTerm> query_terms;  // the terms searched for, strongest first
  std::vector<SpellingCorrection> corrections;  // words also searched as another spelling
  std::string question_type;  // the query's type when the ranking used it, else ""
  // Words added to the query (associations, then feedback), each with the
  // share of a query word's weight it was given.
  std::vector<QueryTerm> added_terms;
  // [issue 28] Whether the semantic stage re-ranked the hits.
  bool semantic = false;
};

// A word learned to go with another (Searcher::associations).
struct ASKALIKE_EXPORT Association {
  std::string term;
  // How much more often an answer has `term` when its question has the
  // word: P(term in answer | word in question) - P(term in answer).
  double strength = 0.0;
};

struct ASKALIKE_EXPORT SearcherOptions {
  // How often a call checks for a newer committed state and moves to it, in
  // milliseconds: a long-running service sets it to see new commits without
  // calling reopen(). 0: never (the state when opened, or of reopen()).
  unsigned refresh_interval_ms = 0;
  // For remote shards (stub lines "remote HOST:PORT", served by
  // xapian-tcpsrv): the longest wait, in milliseconds, to connect and for
  // each answer (0: wait for ever). A server that is down gives
  // Error(kUnavailable), one that does not answer in time Error(kTimeout).
  unsigned timeout_ms = 10000;
  // A collection of local shards (IndexOptions::shards) is searched on a
  // thread per shard at once, up to the machine's cores, with the same hits
  // and scores as one thread searching them in turn (as Xapian searches a
  // stub file) or one database. false: one thread per call. Remote shards
  // are always searched at once, by their servers.
  bool parallel_shards = true;
  // [issue 27] With parallel_shards, a query whose words have fewer postings
  // than this (all shards together) is still searched on the calling thread:
  // a hand-over to another thread and an Enquire per shard cost more than
  // they save on a short search (benchmarks/speed/notes.md). 0: every query
  // searched at once. The hits and scores are the same either way.
  std::uint64_t parallel_min_postings = 20000;
  // [issue 28] The sentence-embedding model that embeds queries, for a
  // database built with one: "" loads the folder the database records;
  // another folder must hold the same model (else Error(kInvalidArgument)).
  // Loaded at the first search that uses it.
  std::string embedding_model;
};

// The latest committed state of the database at `path`, as a reader opening
// it now would see it: a cheap check for a service that reopens on change.
struct ASKALIKE_EXPORT CommittedState {
  std::uint64_t revision = 0;   // grows with each commit; 0 for a stub naming several databases
  std::uint64_t documents = 0;  // records
};
// Throws Error as Searcher's constructor does.
ASKALIKE_EXPORT CommittedState committed_state(const std::string& path);

// [issue 23] One database of a collection (a line of its stub, or the
// database itself) as last checked by a StateWatcher.
struct ASKALIKE_EXPORT ShardState {
  std::string shard;  // "remote HOST:PORT" as its stub line says, or its path
  bool ok = false;
  std::uint64_t documents = 0;
  std::uint64_t revision = 0;  // 0 when it cannot tell (a remote shard)
  ErrorCode error = ErrorCode::kInternal;  // when !ok
  std::string message;                     // when !ok: the Error's, naming the shard
};

// The state of every database at `path` (each line of a stub, or the one
// database), checked again and again over handles it keeps open: a remote
// shard's server is connected to once, and again only after it failed, not
// at each check (committed_state() opens everything anew). Not thread-safe.
class ASKALIKE_EXPORT StateWatcher {
 public:
  // Reads the stub; opens and connects at the first check (a line askalike
  // will not open fails there). `timeout_ms` as SearcherOptions::timeout_ms.
  explicit StateWatcher(const std::string& path, unsigned timeout_ms = 10000);
  StateWatcher(StateWatcher&&) noexcept;
  StateWatcher& operator=(StateWatcher&&) noexcept;
  ~StateWatcher();

  // Checks every database now; one that fails is reported in its
  // ShardState (and opened again at the next check), never thrown.
  std::vector<ShardState> check();

  // The collection's state from check()'s answer, as committed_state()
  // gives it; throws the Error of the first shard that failed.
  static CommittedState total(const std::vector<ShardState>& shards);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Answers similar-question queries on one database, a stub file naming
// several (shards, local or remote), or a collection directory of shards
// (IndexOptions::shards): all searched as one, with the statistics of all.
// Thread-safe: one Searcher may serve queries from many threads at once (it
// keeps a Xapian handle per concurrent call). It sees the database as of
// when it was opened, or of the last reopen() (or of the last refresh, see
// SearcherOptions). A writer committing meanwhile never makes a call fail:
// when a commit overwrites what a call was reading, the call moves to the
// newest committed state and starts again (a few times at most).
class ASKALIKE_EXPORT Searcher {
 public:
  // Throws Error: kNotFound (no database at `path`), kIncompatibleVersion,
  // kCorrupt, kUnavailable or kTimeout (a remote shard), kInvalidArgument (a
  // stub line askalike will not open: one that starts a program; a bad option).
  explicit Searcher(const std::string& path, const SearcherOptions& options = SearcherOptions());
  Searcher(Searcher&&) noexcept;
  Searcher& operator=(Searcher&&) noexcept;
  Searcher(const Searcher&) = delete;
  Searcher& operator=(const Searcher&) = delete;
  ~Searcher();

  // The records most similar to `text` (a question of any length). Text
  // with no searchable word (only stop words or punctuation) gives no hits.
  Results similar(const std::string& text, const SearchOptions& options = SearchOptions()) const;

  // The records most similar to the stored record `id`, itself excluded.
  // Throws Error(kNotFound) when there is no such record.
  Results more_like(const std::string& id, const SearchOptions& options = SearchOptions()) const;

  // similar() for many texts on `threads` threads (0 = all cores); the
  // results are in the order of `texts` and equal to one similar() each.
  std::vector<Results> similar_batch(const std::vector<std::string>& texts,
                                     const SearchOptions& options = SearchOptions(),
                                     std::size_t threads = 0) const;

  // How alike two texts are, 0..1 (1: the same words), and the same either
  // way round: the mean of the BM25 score of each text against the other
  // over its score against itself. Each word weighs its idf in this database
  // squared (as in the cosine of two TF-IDF vectors); stop words count, with
  // a fixed idf (they say what is asked); two questions of different types
  // (askalike::question_type) score 0.6 times as much.
  double similarity(const std::string& a, const std::string& b) const;

  // The stored record with this id; false when there is none.
  bool get(const std::string& id, Record& out) const;

  IndexStats stats() const;

  // The words this database has learned to go with `word` (analysed as a
  // query word is; the first term of it), strongest first; empty when none.
  std::vector<Association> associations(const std::string& word) const;

  // Calls `visit` with every stored record in id order, all from one
  // committed state, even while a writer holds the database or commits
  // (the records are first read into a temporary file, then visited).
  // Throws Error(kIO) when commits keep overwriting the state being read.
  void for_each(const std::function<void(const Record&)>& visit) const;

  // See the latest committed state of the database. Also reconnects to
  // remote shards (a call that failed on one already drops its connection).
  void reopen();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace askalike

#endif  // ASKALIKE_SEARCH_HPP_
