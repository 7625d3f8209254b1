#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "askalike/error.hpp"
#include "askalike/search.hpp"
#include "askalike/validate.hpp"
#include "index/associations.hpp"
#include "storage/database_open.hpp"
#include "index/document.hpp"
#include "embedding/vectors.hpp"
#include "search/feedback.hpp"
#include "search/query_builder.hpp"
#include "search/semantic.hpp"
#include "search/shard_search.hpp"
#include "storage/record_codec.hpp"
#include "analysis/question_type.hpp"
#include "storage/schema.hpp"
#include "storage/shards.hpp"
#include "search/snippets.hpp"
#include "search/spelling.hpp"
#include "util/spool.hpp"
#include "util/worker_pool.hpp"
#include "storage/stats.hpp"

namespace askalike {

namespace {

using Clock = std::chrono::steady_clock;

// Xapian has no reader locks: a writer's commit may overwrite the blocks of
// the state a call is reading (DatabaseModifiedError). The call then moves to
// the newest state and starts again, this many times at most.
constexpr int kMaxAttempts = 10;

// A remote connection's failure that a new connection may not meet: the
// server closed it (a restart, or xapian-tcpsrv's --idle-timeout, which the
// server reports as its own timeout, "REMOTE:..."), not a hung server.
bool closed_by_server(const Xapian::NetworkError& e) {
  return std::string(e.get_type()) != "NetworkTimeoutError" || e.get_msg().rfind("REMOTE:", 0) == 0;
}

// What one thread needs to answer a query: Xapian and ICU objects are not
// thread-safe, so each concurrent call gets its own.
struct Context {
  // A collection whose shards are searched at once (shard_search.hpp): a
  // handle per shard, and `db` made of the same handles, so both see one
  // state. Empty: `db` alone.
  std::vector<Xapian::Database> shards;
  std::vector<Xapian::Database> leaves;  // db's, for what each keeps in its metadata (spelling counts)
  Xapian::Database db;
  Analyzer analyzer;
  RecordDecoder decoder;  // reads db's records
  SpellingVocabulary spelling_words;  // of db's state: cleared when it moves
  Clock::time_point refreshed = Clock::now();
  std::string path;
  unsigned timeout_ms;
  bool parallel;
  Context(const std::string& p, const AnalyzerOptions& options, unsigned timeout, bool parallel_shards)
      : db(open(p, timeout, parallel_shards, shards, leaves)), analyzer(options), decoder(db, p), path(p),
        timeout_ms(timeout), parallel(parallel_shards) {
    spelling_words.reset(leaves);
  }
  Context(const Context&) = delete;  // decoder refers to db
  Context& operator=(const Context&) = delete;

  Record record(const Xapian::Document& doc) { return schema::record_of(decoder.json(doc.get_data())); }

  // Moves to the newest committed state, opening the path anew rather than
  // reopening the databases already open: a stub may now name others (a
  // replica kept by xapian-replicate switches its stub to a fresh full copy
  // and deletes the old one).
  void refresh() {
    db = open(path, timeout_ms, parallel, shards, leaves);
    spelling_words.reset(leaves);
    refreshed = Clock::now();
  }

 private:
  // `leaves`: the databases `db` is made of, each alone (detail::open_database()).
  static Xapian::Database open(const std::string& path, unsigned timeout, bool parallel,
                               std::vector<Xapian::Database>& shards, std::vector<Xapian::Database>& leaves) {
    shards.clear();
    leaves.clear();
    if (parallel)
      for (const std::string& shard : parallel_shard_paths(path)) {
        std::vector<Xapian::Database> of_shard;
        shards.push_back(detail::open_database(shard, detail::kDefaultRemoteTimeoutMs, &of_shard));
        leaves.insert(leaves.end(), of_shard.begin(), of_shard.end());
      }
    if (shards.empty()) return detail::open_database(path, timeout, &leaves);
    Xapian::Database all;
    for (const auto& shard : shards) all.add_database(shard);
    return all;
  }
};

// Finds which query words the hits contain (their ranking terms: any field
// weighted above 0).
class MatchFinder {
 public:
  // `hits`: the matches whose words may be asked for.
  MatchFinder(const std::vector<WeightedTerm>& words, const Xapian::Database& db, std::vector<const Match*> hits)
      : db_(db), hits_(std::move(hits)) {
    for (std::size_t i = 0; i < words.size(); ++i) index_terms_.emplace_back(words[i].term, i);
    std::sort(index_terms_.begin(), index_terms_.end());
  }
  // Indexes into the query words, strongest word first.
  std::vector<std::size_t> matches(const Match& match) {
    std::vector<std::size_t> out;
    if (!from_postings_) {
      try {
        Xapian::TermIterator t = match.doc.termlist_begin(), end = match.doc.termlist_end();
        for (const auto& [term, word] : index_terms_) {
          t.skip_to(term);
          if (t == end) break;
          if (*t == term) out.push_back(word);
        }
        std::sort(out.begin(), out.end());
        return out;
      } catch (const Xapian::FeatureUnavailableError&) {
        read_postings();  // a copy compacted without term lists (CompactOptions)
      }
    }
    auto found = from_postings_->find(match.docid);
    return found == from_postings_->end() ? out : found->second;
  }

 private:
  // [issue 27] The same answer from each word's posting list, read once for
  // all the hits in the order of their record numbers.
  void read_postings() {
    from_postings_.emplace();
    std::vector<Xapian::docid> docids;
    for (const Match* hit : hits_) docids.push_back(hit->docid);
    std::sort(docids.begin(), docids.end());
    std::vector<std::pair<std::size_t, std::string>> by_word;
    for (const auto& [term, word] : index_terms_) by_word.emplace_back(word, term);
    std::sort(by_word.begin(), by_word.end());  // so each hit's list comes out strongest word first
    for (const auto& [word, term] : by_word) {
      Xapian::PostingIterator p = db_.postlist_begin(term);
      const Xapian::PostingIterator end = db_.postlist_end(term);
      for (Xapian::docid docid : docids) {
        p.skip_to(docid);
        if (p == end) break;
        if (*p == docid) (*from_postings_)[docid].push_back(word);
      }
    }
  }

  const Xapian::Database& db_;
  std::vector<const Match*> hits_;
  std::vector<std::pair<std::string, std::size_t>> index_terms_;  // sorted as the term list is
  std::optional<std::unordered_map<Xapian::docid, std::vector<std::size_t>>> from_postings_;
};

// A query text longer than the limit is refused before any work.
void check_query_text(const std::string& text, const SearchOptions& options) {
  if (text.size() > options.max_query_bytes)
    throw Error(ErrorCode::kInvalidArgument, "the query text is " + std::to_string(text.size()) +
                                                 " bytes, more than the limit of " +
                                                 std::to_string(options.max_query_bytes) + " (max_query_bytes)");
}

}  // namespace

struct Searcher::Impl {
  std::string path;
  unsigned timeout_ms = 0;  // for remote shards (SearcherOptions)
  AnalyzerOptions analyzer_options;
  RankingSettings ranking;
  std::mutex mutex;
  std::vector<std::unique_ptr<Context>> idle;
  std::uint64_t generation = 0;
  Clock::duration refresh_interval{0};  // 0: never
  bool parallel_shards = false;
  std::uint64_t parallel_min_postings = 0;  // SearcherOptions
  // Helpers for searching a collection's shards at once; null: one thread per call.
  std::unique_ptr<WorkerPool> pool;
  // [issue 28] The model of a database built with one, loaded at the first
  // search that uses it (SearcherOptions::embedding_model).
  std::optional<schema::EmbeddingInfo> embedding;
  std::string model_dir;
  std::mutex model_mutex;
  std::shared_ptr<const EmbeddingModel> model;

  std::shared_ptr<const EmbeddingModel> query_model() {
    std::lock_guard<std::mutex> lock(model_mutex);
    if (!model) model = model_for_database(*embedding, model_dir, path);
    return model;
  }

  // The query's embedding when the semantic stage runs; else empty.
  std::vector<float> query_vector(const std::string& text, const SearchOptions& options) {
    if (!options.semantic || !embedding) return {};
    if (!options.query_vector.empty()) {
      if (options.query_vector.size() != embedding->identity.dimension)
        throw Error(ErrorCode::kInvalidArgument,
                    "query_vector has " + std::to_string(options.query_vector.size()) + " dimensions; " + path +
                        " holds vectors of " + std::to_string(embedding->identity.dimension));
      return options.query_vector;
    }
    // Vectors of the records' own, from a model askalike does not run: only
    // the caller can embed the query.
    if (embedding->model_path.empty() && model_dir.empty()) return {};
    return query_model()->embed(text);
  }

  // Borrows a context for the length of one call.
  class Lease {
   public:
    Lease(Impl& impl) : impl_(impl) {
      {
        std::lock_guard<std::mutex> lock(impl.mutex);
        generation_ = impl.generation;
        if (!impl.idle.empty()) {
          context_ = std::move(impl.idle.back());
          impl.idle.pop_back();
        }
      }
      reused_ = context_ != nullptr;
      if (!context_)
        context_ = std::make_unique<Context>(impl.path, impl.analyzer_options, impl.timeout_ms, impl.parallel_shards);
    }
    // Whether the context was used by an earlier call (its connections may be stale).
    bool reused() const { return reused_; }
    ~Lease() {
      // A call that failed may have left a remote connection broken: its
      // context is not used again.
      if (std::uncaught_exceptions() > uncaught_) return;
      std::lock_guard<std::mutex> lock(impl_.mutex);
      if (generation_ == impl_.generation) impl_.idle.push_back(std::move(context_));
    }
    Context& operator*() { return *context_; }
    Context* operator->() { return context_.get(); }

   private:
    Impl& impl_;
    std::unique_ptr<Context> context_;
    std::uint64_t generation_ = 0;
    bool reused_ = false;
    int uncaught_ = std::uncaught_exceptions();
  };

  // Runs body(context) on a borrowed context at the newest state it may
  // use, moving on and starting again when a commit overwrote that state.
  template <typename Body>
  auto with_context(Body&& body) -> decltype(body(std::declval<Context&>())) {
    Lease ctx(*this);
    if (refresh_interval.count() > 0 && Clock::now() - ctx->refreshed >= refresh_interval) ctx->refresh();
    for (int attempt = 1;; ++attempt) {
      try {
        return body(*ctx);
      } catch (const Xapian::DatabaseModifiedError&) {
        if (attempt == kMaxAttempts) throw;
        ctx->refresh();
      } catch (const Xapian::DatabaseOpeningError&) {
        // A database this call had open was deleted under it (a replica's
        // old copy): the path names the new one.
        if (attempt == kMaxAttempts) throw;
        ctx->refresh();
      } catch (const Xapian::NetworkError& e) {
        // [issue 23] A kept connection that its server closed (xapian-tcpsrv
        // ends one idle for its --idle-timeout, or was restarted): connect
        // again, once. A server still down fails the new connection; one
        // that hangs is not waited for twice.
        if (attempt > 1 || !ctx.reused() || !closed_by_server(e)) throw;
        ctx->refresh();
      } catch (const Xapian::DatabaseCorruptError&) {
        // A block that a writer reused while this call read it can look
        // damaged (glass checks a block's level before the revision). When
        // a newer commit is there, that was the commit: start again on it.
        // With no newer commit the damage is real.
        if (attempt == kMaxAttempts || !ctx->db.reopen()) throw;
        ctx->spelling_words.clear();
        ctx->refreshed = Clock::now();
      }
    }
  }

  // `corrections` and `question_type`: what the query text said besides its
  // words (spelling.hpp, question_type.hpp), reported in the results.
  // `query_vector`: the query's embedding, for the semantic stage (empty: none).
  // `question`: the text searched for (its language sets the semantic
  // stage's depth when the caller gave none).
  Results search(Context& ctx, std::string_view question, const std::vector<Token>& tokens, const SearchOptions& options,
                 std::vector<SpellingCorrection> corrections = {}, const std::string& question_type = "",
                 const std::vector<float>& query_vector = {}) const;
};

Searcher::Searcher(const std::string& path, const SearcherOptions& options) : impl_(std::make_unique<Impl>()) {
  schema::guarded("opening the database", path, [&] {
    validate(options);
    impl_->path = path;
    impl_->refresh_interval = std::chrono::milliseconds(options.refresh_interval_ms);
    impl_->timeout_ms = options.timeout_ms;
    // A thread per shard, up to the cores: more would only take turns.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    impl_->parallel_shards = options.parallel_shards && cores > 1;
    impl_->parallel_min_postings = options.parallel_min_postings;
    auto context = std::make_unique<Context>(path, AnalyzerOptions(), options.timeout_ms, impl_->parallel_shards);
    if (!context->shards.empty())
      impl_->pool = std::make_unique<WorkerPool>(std::min<unsigned>(cores, context->shards.size()) - 1);
    bool is_new = false;
    impl_->analyzer_options = schema::read_settings(context->db, path, AnalyzerOptions(), &is_new);
    if (!is_new) {
      impl_->ranking = schema::read_ranking(context->db, path);
      impl_->embedding = schema::read_features(context->db, path).embedding;
    }
    impl_->model_dir = options.embedding_model;
    if (!options.embedding_model.empty() && !impl_->embedding)
      throw Error(ErrorCode::kInvalidArgument,
                  path + " was built without embeddings, so a model cannot re-rank its records: "
                         "`askalike reindex --model DIR` writes a copy with every record embedded");
    context->analyzer = Analyzer(impl_->analyzer_options);
    impl_->idle.push_back(std::move(context));
  });
}

Searcher::Searcher(Searcher&&) noexcept = default;
Searcher& Searcher::operator=(Searcher&&) noexcept = default;
Searcher::~Searcher() = default;

Results Searcher::Impl::search(Context& ctx, std::string_view question, const std::vector<Token>& tokens,
                               const SearchOptions& options,
                               std::vector<SpellingCorrection> corrections, const std::string& question_type,
                               const std::vector<float>& query_vector) const {
  Results results;
  results.corrections = std::move(corrections);
  std::vector<WeightedTerm> terms = select_terms(tokens, ctx.db, options.max_query_terms, ctx.analyzer.options());
  double total_weight = 0.0;
  std::unordered_map<std::string, double> weights;
  for (const WeightedTerm& t : terms) {
    results.query_terms.push_back(QueryTerm{t.term, t.weight});
    weights[t.term] = t.weight;
    total_weight += t.weight;
  }
  RankingQuery ranking(this->ranking, options.bm25_k1);
  if (terms.empty()) return results;  // nothing searchable: no hits, no error
  // [issue 13: query expansion] learned word associations (associations.hpp).
  results.added_terms = schema::settings_of(path, [&] {
    return associations::expansion(ctx.db, terms, options.max_associations, options.association_weight);
  });
  // A filter leaves few records to rank (a re-ranking group), every one of
  // which must be scored: no word is a mere tail then.
  const double common_share = build_filter(options).empty() ? options.common_word_share : 1.0;
  // The whole query, its terms made by `leaf` for the database it runs on.
  bool typed = false;
  bool whole_group = false;  // the main search of the semantic stage only (not feedback's first one)
  auto compose = [&](const TermLeaf& leaf) {
    Xapian::Query query = build_query(terms, ranking, leaf, common_share, ctx.db.get_doccount());
    typed = add_question_type_bonus(query, question_type, options.question_type_weight, ctx.db, ranking, leaf);
    query = with_added_terms(query, results.added_terms, ranking, leaf);
    return apply_filters(whole_group ? with_group_records(query, options) : query, options);
  };
  // [issue 13: query expansion] pseudo-relevance feedback (feedback.hpp): a first search.
  if (options.feedback_terms > 0) {
    Xapian::Enquire enquire(ctx.db);
    enquire.set_query(compose(plain_leaf));
    enquire.set_weighting_scheme(ranking.weight());
    std::vector<std::string> searched;
    for (const WeightedTerm& t : terms) searched.push_back(t.term);
    for (const QueryTerm& t : results.added_terms) searched.push_back(t.term);
    std::vector<QueryTerm> feedback = feedback_terms(enquire, ctx.db, searched, options);
    results.added_terms.insert(results.added_terms.end(), feedback.begin(), feedback.end());
  }
  std::size_t wanted = options.offset + options.k;
  std::size_t depth = options.facets ? std::max(wanted, options.facet_depth) : wanted;
  const bool semantic = !query_vector.empty();
  const std::size_t semantic_depth =
      !semantic ? 0 : options.semantic_depth ? *options.semantic_depth : default_semantic_depth(question);
  depth = std::max(depth, semantic_depth);
  whole_group = semantic;
  std::uint64_t postings = 0;
  for (const WeightedTerm& t : terms) postings += t.records;
  Matches matches = pool && !ctx.shards.empty() && postings >= parallel_min_postings
                              ? search_shards(ctx.shards, ctx.db, compose, ranking.weight(), depth, *pool)
                              : search_database(ctx.db, compose, ranking.weight(), depth);
  if (typed) results.question_type = question_type;
  results.estimated_matches = matches.estimated;
  if (semantic) {
    semantic_rerank(matches.top, query_vector, semantic_depth, options.semantic_lexical_weight);
    results.semantic = true;
  } else {
    for (Match& m : matches.top) m.lexical = m.weight;
  }

  if (options.facets) {
    std::map<std::string, std::size_t> category_count;
    struct TopicInfo {
      std::string title;
      std::size_t count = 0;
      std::size_t first_rank = 0;
      std::map<std::string, std::size_t> categories;
    };
    std::map<std::string, TopicInfo> topics;  // keyed by normalised title
    for (std::size_t rank = 0; rank < matches.top.size(); ++rank) {
      const Xapian::Document& doc = matches.top[rank].doc;
      std::string category = doc.get_value(schema::kCategorySlot);
      if (!category.empty()) ++category_count[category];
      std::string title = doc.get_value(schema::kTitleSlot);
      if (title.empty()) continue;
      TopicInfo& info = topics[ctx.analyzer.normalize(title)];
      if (info.count++ == 0) {
        info.title = title;
        info.first_rank = rank;
      }
      if (!category.empty()) ++info.categories[category];
    }
    for (const auto& [value, count] : category_count) results.categories.push_back(FacetCount{value, count});
    std::stable_sort(results.categories.begin(), results.categories.end(),
                     [](const FacetCount& a, const FacetCount& b) { return a.count > b.count; });
    std::vector<const TopicInfo*> recurring;
    for (const auto& [key, info] : topics)
      if (info.count >= 2) recurring.push_back(&info);
    std::sort(recurring.begin(), recurring.end(), [](const TopicInfo* a, const TopicInfo* b) {
      return a->count != b->count ? a->count > b->count : a->first_rank < b->first_rank;
    });
    for (const TopicInfo* info : recurring) {
      if (results.related_topics.size() >= options.max_topics) break;
      std::string category;
      std::size_t best = 0;
      for (const auto& [c, n] : info->categories)
        if (n > best) best = n, category = c;
      results.related_topics.push_back(RelatedTopic{info->title, category, info->count});
    }
  }

  const std::size_t end_rank = std::min(wanted, matches.top.size());
  std::vector<const Match*> hits;
  for (std::size_t rank = options.offset; rank < end_rank; ++rank) hits.push_back(&matches.top[rank]);
  MatchFinder match_finder(terms, ctx.db, std::move(hits));
  SnippetStyle style{options.snippet_length, options.highlight_open, options.highlight_close};
  for (std::size_t rank = options.offset; rank < end_rank; ++rank) {
    const Match& match = matches.top[rank];
    // 0 keeps every hit: a semantic score can be below 0 (a cosine is -1..1).
    if (options.min_score != 0.0 && match.weight < options.min_score) break;
    Hit hit;
    hit.rank = rank + 1;
    hit.score = match.weight;
    hit.lexical_score = match.lexical;
    hit.semantic_similarity = match.cosine;
    const Xapian::Document& doc = match.doc;
    // Decoding the record is most of the cost of a hit: only when asked.
    if (options.records || options.snippets) {
      hit.record = ctx.record(doc);
      hit.id = hit.record.id;
    } else {
      hit.id = doc.get_value(schema::kIdSlot);
      if (hit.id.empty()) hit.id = ctx.record(doc).id;  // written before the id slot existed
    }
    if (options.match_details) {
      double matched_weight = 0.0;
      for (std::size_t word : match_finder.matches(match)) {
        hit.matched_terms.push_back(terms[word].term);
        matched_weight += terms[word].weight;
      }
      hit.confidence = total_weight > 0 ? std::min(1.0, matched_weight / total_weight) : 0.0;
    }
    if (options.snippets) {
      const Record& r = hit.record;
      const std::string& lang = r.lang.empty() ? ctx.analyzer.options().default_language : r.lang;
      hit.question_snippet =
          make_snippet(r.question.empty() ? r.title : r.question, lang, ctx.analyzer, weights, style);
      hit.answer_snippet = make_snippet(r.answer, lang, ctx.analyzer, weights, style);
    }
    results.hits.push_back(std::move(hit));
  }
  return results;
}

Results Searcher::similar(const std::string& text, const SearchOptions& options) const {
  return schema::guarded("searching", impl_->path, [&] {
    validate(options);
    check_query_text(text, options);
    const std::vector<float> query_vector = impl_->query_vector(text, options);
    return impl_->with_context([&](Context& ctx) {
      std::vector<Token> tokens = ctx.analyzer.tokens(text, options.lang);
      std::vector<SpellingCorrection> corrections;
      if (options.spelling) corrections = correct_spelling(text, tokens, ctx.db, ctx.analyzer, options.lang, &ctx.spelling_words);
      std::string type = options.question_type_weight > 0 ? askalike::question_type(text) : "";
      return impl_->search(ctx, text, tokens, options, std::move(corrections), type, query_vector);
    });
  });
}

Results Searcher::more_like(const std::string& id, const SearchOptions& options) const {
  return schema::guarded("searching", impl_->path, [&] {
    validate(options);
    return impl_->with_context([&](Context& ctx) {
      std::string term = id_term(id);
      Xapian::PostingIterator p = ctx.db.postlist_begin(term);
      if (p == ctx.db.postlist_end(term)) throw Error(ErrorCode::kNotFound, "no record with id " + id);
      const Xapian::Document doc = ctx.db.get_document(*p);
      Record r = ctx.record(doc);
      SearchOptions o = options;
      o.exclude_id = id;
      const std::string question = r.title + "\n" + r.question;
      std::string lang = r.lang.empty() ? ctx.analyzer.options().default_language : r.lang;
      std::vector<Token> tokens = ctx.analyzer.tokens(question, lang);
      std::string type = options.question_type_weight > 0 ? record_question_type(r.title, r.question) : "";
      // [issue 28] The record's own stored vector is its query vector.
      std::vector<float> query_vector;
      if (options.semantic && impl_->embedding &&
          !decode_vector(doc.get_value(schema::kEmbeddingSlot), impl_->embedding->identity.dimension, query_vector))
        query_vector = impl_->query_vector(embedding_text(r), options);
      return impl_->search(ctx, question, tokens, o, {}, type, query_vector);
    });
  });
}

std::vector<Results> Searcher::similar_batch(const std::vector<std::string>& texts, const SearchOptions& options,
                                             std::size_t threads) const {
  validate(options);
  threads = thread_count(threads);
  threads = std::min(threads, std::max<std::size_t>(texts.size(), 1));
  std::vector<Results> out(texts.size());
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto work = [&] {
    try {
      for (std::size_t i = next++; i < texts.size(); i = next++) out[i] = similar(texts[i], options);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      next = texts.size();
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return out;
}

namespace {

// The pair score's settings, chosen on half A of the pair sets (CRC-32 of the
// pair id; benchmarks/quality/ABLATIONS.md section 12) and reported on half B.
// A stop word is not in the index, so it has no idf of its own: it counts as
// a word in one record of e^3.5 (about 33). Question words ("how many", "can
// I") say what a question asks, which is what paraphrases share.
constexpr double kStopWordIdf = 3.5;
// Each shared word weighs idf squared, as in the cosine of two TF-IDF vectors
// (each side contributes one idf): rare words decide, the common words of a
// collection's one topic ("diabetes" in a diabetes forum) do not.
constexpr double kIdfPower = 2.0;
// Two questions of different types ("What causes X?" / "How is X treated?")
// are not the same question, however many words they share.
constexpr double kOtherTypeFactor = 0.6;

}  // namespace

double Searcher::similarity(const std::string& a, const std::string& b) const {
  return schema::guarded("comparing texts", impl_->path, [&] {
    check_query_text(a, SearchOptions());
    check_query_text(b, SearchOptions());
    return impl_->with_context([&](Context& ctx) {
      const double n = static_cast<double>(ctx.db.get_doccount());
      AnalyzerOptions with_stop_words = ctx.analyzer.options();
      with_stop_words.stop_words = false;
      const Analyzer every_word(with_stop_words);
      std::unordered_map<std::string, double> weight;  // idf ^ kIdfPower per term
      std::unordered_map<std::string, double> scale;   // term_scale: a word's 1, an n-gram's less
      auto count = [&](const std::string& text) {
        std::unordered_map<std::string, double> tf;
        std::unordered_set<std::string> indexed;
        const std::vector<Token> tokens = every_word.tokens(text);
        for (const Token& t : ctx.analyzer.tokens(text)) indexed.insert(t.term);
        for (const Token& t : tokens) {
          double& s = scale[t.term];
          s = std::max(s, term_scale(t, every_word.options()));
        }
        for (const Token& t : tokens) {
          tf[t.term] += 1.0;
          if (weight.count(t.term)) continue;
          double idf = kStopWordIdf;
          if (indexed.count(t.term)) {
            idf = inverse_document_frequency(t.term, ctx.db);
            // A word the index has never seen is rare: give it the highest idf.
            if (!(idf > 0.0)) idf = std::log(n + 1.0);
          }
          weight[t.term] = std::pow(idf, kIdfPower);
        }
        return tf;
      };
      auto ta = count(a), tb = count(b);
      auto length = [](const std::unordered_map<std::string, double>& tf) {
        double l = 0;
        for (const auto& [term, f] : tf) l += f;
        return l;
      };
      const double la = length(ta), lb = length(tb);
      if (la == 0 || lb == 0) return 0.0;
      // BM25 of one text against the other, with the pair's mean length as the
      // average: term counts saturate and long texts are not favoured.
      const double k1 = 1.2, bm25_b = 0.75, average = (la + lb) / 2.0;
      auto bm25 = [&](const std::unordered_map<std::string, double>& query,
                      const std::unordered_map<std::string, double>& doc, double doc_length) {
        double norm = k1 * (1.0 - bm25_b + bm25_b * doc_length / average), score = 0.0;
        for (const auto& [term, unused] : query) {
          auto it = doc.find(term);
          if (it != doc.end()) score += weight[term] * scale[term] * it->second * (k1 + 1.0) / (it->second + norm);
        }
        return score;
      };
      // How much of each text's score against itself the other text reaches,
      // both ways: symmetric and within 0..1.
      double ab = bm25(ta, tb, lb) / bm25(ta, ta, la);
      double ba = bm25(tb, ta, la) / bm25(tb, tb, lb);
      double score = std::min(1.0, (ab + ba) / 2.0);
      const std::string type_a = question_type(a), type_b = question_type(b);
      if (!type_a.empty() && !type_b.empty() && type_a != type_b) score *= kOtherTypeFactor;
      return score;
    });
  });
}

bool Searcher::get(const std::string& id, Record& out) const {
  return schema::guarded("reading record " + id, impl_->path, [&] {
    return impl_->with_context([&](Context& ctx) {
      std::string term = id_term(id);
      Xapian::PostingIterator p = ctx.db.postlist_begin(term);
      if (p == ctx.db.postlist_end(term)) return false;
      const Xapian::Document doc = ctx.db.get_document(*p);
      out = ctx.record(doc);
      if (impl_->embedding) decode_vector(doc.get_value(schema::kEmbeddingSlot), impl_->embedding->identity.dimension, out.vector);
      return true;
    });
  });
}

IndexStats Searcher::stats() const {
  return schema::guarded("reading statistics", impl_->path, [&] {
    return impl_->with_context(
        [&](Context& ctx) { return compute_stats(ctx.db, impl_->path, impl_->analyzer_options); });
  });
}

std::vector<Association> Searcher::associations(const std::string& word) const {
  return schema::guarded("reading word associations", impl_->path, [&] {
    check_query_text(word, SearchOptions());
    return impl_->with_context([&](Context& ctx) -> std::vector<Association> {
      std::vector<Token> tokens = ctx.analyzer.tokens(word);
      if (tokens.empty()) return {};
      return schema::settings_of(impl_->path, [&] { return associations::read(ctx.db, tokens.front().term); });
    });
  });
}

void Searcher::for_each(const std::function<void(const Record&)>& visit) const {
  schema::guarded("reading records", impl_->path, [&] {
    // Visiting cannot be undone: read one whole state first, then visit.
    Spool spool;
    impl_->with_context([&](Context& ctx) {
      spool.clear();
      if (!impl_->embedding) {
        for_each_record_data(ctx.db, [&](const std::string& data) { spool.add(ctx.decoder.json(data)); });
        return;
      }
      // [issue 28] Each record with its stored vector (Record::vector), so
      // that an export indexed again keeps them without running the model.
      const std::size_t dimension = impl_->embedding->identity.dimension;
      std::vector<float> vector;
      for_each_record_document(ctx.db, [&](const Xapian::Document& doc) {
        std::string json = ctx.decoder.json(doc.get_data());
        if (decode_vector(doc.get_value(schema::kEmbeddingSlot), dimension, vector)) {
          Record r = schema::record_of(json);
          r.vector = vector;
          json = r.to_json();
        }
        spool.add(json);
      });
    });
    spool.replay([&](const std::string& data) { visit(schema::record_of(data)); });
  });
}

CommittedState committed_state(const std::string& path) {
  return schema::guarded("reading the revision", path, [&] {
    Xapian::Database db = detail::open_database(path);
    CommittedState state;
    state.documents = db.get_doccount();
    try {
      state.revision = db.get_revision();
    } catch (const Xapian::InvalidOperationError&) {
      state.revision = 0;  // several databases have no single revision
    } catch (const Xapian::UnimplementedError&) {
      state.revision = 0;  // nor does a remote one (xapian-tcpsrv): issue 23
    }
    return state;
  });
}

struct StateWatcher::Impl {
  struct Shard {
    detail::StubLine line;  // kSkip: the path itself, not a stub's line
    std::string name;
    std::optional<Xapian::Database> db;  // none until opened, and after a failure
  };
  std::string path;
  unsigned timeout_ms;
  std::vector<Shard> shards;
};

StateWatcher::StateWatcher(const std::string& path, unsigned timeout_ms) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->timeout_ms = timeout_ms;
  // A stub (a collection's, or a file) is watched line by line, so that a
  // failure names its shard; anything else is one database.
  std::string stub;
  struct stat st;
  if (shards::is_collection(path)) stub = path + "/" + shards::kStubName;
  else if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) stub = path;
  std::vector<detail::StubLine> lines;
  if (!stub.empty()) {
    try {
      lines = detail::read_stub(stub);
    } catch (const Error&) {
      // Not a stub (a single-file database), or one with a line refused:
      // opening the path says which, at the first check.
    }
  }
  for (detail::StubLine& line : lines) {
    const std::string name = line.kind == detail::StubLine::Kind::kRemoteTcp
                                 ? detail::remote_shard_name(line.host, line.port)
                                 : line.path;
    impl_->shards.push_back({std::move(line), name, std::nullopt});
  }
  if (impl_->shards.empty()) impl_->shards.push_back({detail::StubLine(), path, std::nullopt});
}

StateWatcher::StateWatcher(StateWatcher&&) noexcept = default;
StateWatcher& StateWatcher::operator=(StateWatcher&&) noexcept = default;
StateWatcher::~StateWatcher() = default;

std::vector<ShardState> StateWatcher::check() {
  std::vector<ShardState> out;
  for (Impl::Shard& shard : impl_->shards) {
    ShardState state;
    state.shard = shard.name;
    try {
      schema::guarded("checking the database", shard.line.kind == detail::StubLine::Kind::kSkip ? impl_->path : shard.name, [&] {
        auto open = [&] {
          if (shard.line.kind == detail::StubLine::Kind::kSkip) shard.db = detail::open_database(impl_->path, impl_->timeout_ms);
          else shard.db = detail::open_stub_line(shard.line, impl_->timeout_ms);
        };
        if (!shard.db) {
          open();
        } else {
          try {
            shard.db->reopen();  // asks a remote server over the connection already open
          } catch (const Xapian::NetworkError& e) {
            if (!closed_by_server(e)) throw;
            open();  // the server closed the kept connection: once more, anew
          }
        }
        state.documents = shard.db->get_doccount();
        try {
          state.revision = shard.db->get_revision();
        } catch (const Xapian::InvalidOperationError&) {
        } catch (const Xapian::UnimplementedError&) {  // a remote database has none to give
        }
      });
      state.ok = true;
    } catch (const Error& e) {
      shard.db.reset();  // a broken connection is not used again
      state.error = e.code();
      state.message = e.what();
    }
    out.push_back(std::move(state));
  }
  return out;
}

CommittedState StateWatcher::total(const std::vector<ShardState>& shards) {
  CommittedState state;
  for (const ShardState& s : shards) {
    if (!s.ok) throw Error(s.error, s.message);
    state.documents += s.documents;
  }
  // As one Xapian::Database of several gives none.
  if (shards.size() == 1) state.revision = shards.front().revision;
  return state;
}

void Searcher::reopen() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  ++impl_->generation;
  impl_->idle.clear();
}

}  // namespace askalike
