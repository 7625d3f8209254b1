// askalike similar: the questions most similar to a text, to each line of
// stdin, to each query of a JSON Lines file, or to a stored record.
#include <algorithm>
#include <askalike/askalike.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "output.hpp"
#include "queries.hpp"

namespace askalike::cli {

namespace {

// 0.3 -> "0.3" (std::to_string gives "0.300000").
std::string shortest(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

// The ranking and filter options that `similar` and `eval` share.
void add_search_options(po::options_description& options, std::size_t default_k) {
  options.add_options()
      ("top,k", po::value<long long>()->default_value(static_cast<long long>(default_k))->value_name("N"), "hits per query")
      ("offset", po::value<long long>()->default_value(0)->value_name("N"), "skip the first N hits (paging)")
      ("category", po::value<std::vector<std::string>>()->value_name("NAME"),
       "only records of this category (repeatable: any of them)")
      ("tag", po::value<std::vector<std::string>>()->value_name("TAG"),
       "only records with this tag (repeatable: any of them)")
      ("lang", po::value<std::string>()->value_name("LANG"), "only records in this language (en, zh, ...)")
      ("group", po::value<std::string>()->value_name("GROUP"), "only records of this re-ranking group")
      ("since", po::value<std::string>()->value_name("DATE"), "only records dated on or after DATE (YYYY-MM-DD)")
      ("until", po::value<std::string>()->value_name("DATE"),
       "only records dated on or before DATE (a prefix such as 2007 covers the period)")
      ("min-score", po::value<double>()->default_value(0.0)->value_name("S"), "drop hits scoring below S")
      ("exclude-self", "with --queries: leave out the record whose id is the query's id")
      ("threads", po::value<long long>()->default_value(0)->value_name("N"),
       "threads for many queries (0: all cores)");
  add_searcher_options(options);
  const SearchOptions d;  // the library's defaults
  po::options_description ranking(
      "Ranking (defaults: the library's; field weights and b are the database's\n"
      "settings: set them with `askalike index` on a new database, change them\n"
      "with `askalike reindex`)");
  ranking.add_options()
      ("bm25-k1", po::value<double>()->default_value(d.bm25_k1, shortest(d.bm25_k1))->value_name("K1"),
       "BM25 term-frequency saturation")
      ("max-query-terms", po::value<long long>()->default_value(static_cast<long long>(d.max_query_terms))
           ->value_name("N"), "keep the N strongest terms of a long question")
      ("max-query-bytes", po::value<long long>()->default_value(static_cast<long long>(d.max_query_bytes))
           ->value_name("N"), "refuse a query text longer than N bytes")
      ("common-word-share", po::value<double>()->default_value(d.common_word_share, shortest(d.common_word_share))
           ->value_name("S"), "a query word in more than this share of the records counts only for records that "
           "also hold a rarer query word (faster; 1: the exact ranking)")
      ("no-spelling", "do not search a word the database does not know as the collection's spelling of it")
      ("question-type-weight",
       po::value<double>()->default_value(d.question_type_weight, shortest(d.question_type_weight))->value_name("W"),
       "score bonus for records asking the same type of question as the query (symptoms, treatment, "
       "inheritance, ...); 0: off");
  po::options_description semantic(
      "Meaning (a database built with `index --model DIR`: the best records by words\n"
      "are ranked again by cosine(query, record) + W x score / best score)");
  semantic.add_options()
      ("no-semantic", "rank by words alone, even in a database with embeddings")
      ("semantic-depth", po::value<long long>()->value_name("N"),
           ("records ranked again by meaning: the N best by words (default: " + std::to_string(kSemanticDepth) +
            ", or " + std::to_string(kSemanticDepthChinese) + " for a question in Chinese)")
               .c_str())
      ("semantic-lexical-weight",
       po::value<double>()->default_value(d.semantic_lexical_weight, shortest(d.semantic_lexical_weight))
           ->value_name("W"), "weight of the words' score (relative to the best) beside the cosine");
  po::options_description expansion("Query expansion (words added with small weights)");
  expansion.add_options()
      ("associations", po::value<long long>()->default_value(static_cast<long long>(d.max_associations))
           ->value_name("N"), "add at most N words learned to go with the query's (`askalike learn`; 0: off)")
      ("association-weight", po::value<double>()->default_value(d.association_weight, shortest(d.association_weight))
           ->value_name("W"), "weight of an associated word (0..1), times its strength")
      ("feedback-terms", po::value<long long>()->default_value(static_cast<long long>(d.feedback_terms))
           ->value_name("N"), "pseudo-relevance feedback: add the N best words of the top hits and search again (0: off)")
      ("feedback-documents", po::value<long long>()->default_value(static_cast<long long>(d.feedback_documents))
           ->value_name("N"), "top hits that feedback takes its words from")
      ("feedback-weight", po::value<double>()->default_value(d.feedback_weight, shortest(d.feedback_weight))
           ->value_name("W"), "weight of the best feedback word (0..1); the others in proportion");
  options.add(ranking);
  options.add(semantic);
  options.add(expansion);
}

void add_searcher_options(po::options_description& options) {
  options.add_options()
      ("timeout", po::value<long long>()->default_value(SearcherOptions().timeout_ms)->value_name("MS"),
       "for remote shards (xapian-tcpsrv): fail when a server does not connect or answer within MS "
       "milliseconds (0: wait for ever)")
      ("serial-shards", "search the local shards of a collection one after another on one thread, as Xapian "
                        "searches a stub (default: a thread per shard at once, up to the cores, for a query "
                        "whose words have at least --parallel-min-postings postings; the same hits and scores)")
      ("parallel-min-postings",
       po::value<long long>()->default_value(static_cast<long long>(SearcherOptions().parallel_min_postings))
           ->value_name("N"),
       "search the local shards at once only for a query whose words have at least N postings in all "
       "(0: every query); a shorter one costs less on one thread")
      ("model", po::value<std::string>()->value_name("DIR"),
       "for a database built with a sentence-embedding model (`index --model`): the model's folder, "
       "when it is no longer where the database was built from (it must be the same model)");
}

SearcherOptions searcher_options_from(const Command& cmd) {
  SearcherOptions o;
  o.timeout_ms = static_cast<unsigned>(cmd.count("timeout", 0, kMaxTimeoutMs));
  o.parallel_shards = !cmd.has("serial-shards");
  o.parallel_min_postings = static_cast<std::uint64_t>(cmd.count("parallel-min-postings", 0, std::size_t(1) << 62));
  if (cmd.has("model")) o.embedding_model = cmd.get<std::string>("model");
  return o;
}

SearchOptions search_options_from(const Command& cmd) {
  SearchOptions o;
  o.k = cmd.count("top", 1, kMaxK);
  o.offset = cmd.count("offset", 0, kMaxOffset);
  o.min_score = cmd.get<double>("min-score");
  o.categories = cmd.get<std::vector<std::string>>("category");
  o.tags = cmd.get<std::vector<std::string>>("tag");
  o.lang = cmd.get<std::string>("lang");
  o.group = cmd.get<std::string>("group");
  o.since = cmd.get<std::string>("since");
  o.until = cmd.get<std::string>("until");
  o.bm25_k1 = cmd.get<double>("bm25-k1");
  o.max_query_terms = cmd.count("max-query-terms", 1, kMaxQueryTerms);
  o.max_query_bytes = cmd.count("max-query-bytes", 1, std::size_t(1) << 30);
  o.spelling = !cmd.has("no-spelling");
  o.question_type_weight = cmd.get<double>("question-type-weight");
  o.common_word_share = cmd.get<double>("common-word-share");
  o.semantic = !cmd.has("no-semantic");
  if (cmd.has("semantic-depth")) o.semantic_depth = cmd.count("semantic-depth", 1, kMaxSemanticDepth);
  o.semantic_lexical_weight = cmd.get<double>("semantic-lexical-weight");
  o.max_associations = cmd.count("associations", 0, kMaxAddedTerms);
  o.association_weight = cmd.get<double>("association-weight");
  o.feedback_terms = cmd.count("feedback-terms", 0, kMaxAddedTerms);
  o.feedback_documents = cmd.count("feedback-documents", 1, kMaxFeedbackDocuments);
  o.feedback_weight = cmd.get<double>("feedback-weight");
  cmd.count("threads", 0, kMaxThreads);  // checked here, read by the caller
  // The library's checks, before the database is opened: a bad value is a
  // usage error (exit 2), in the same words as from C++ and Python.
  try {
    validate(o);
  } catch (const Error& e) {
    cmd.usage_error(e.what());
  }
  return o;
}

std::vector<Query> load_queries_file(const std::string& path) {
  if (path == "-") return read_queries_jsonl(std::cin, "<stdin>");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIO, path + ": cannot open the queries file");
  return read_queries_jsonl(in, path);
}

int cmd_similar(const std::vector<std::string>& args) {
  Command cmd("similar", "askalike similar -d DB [OPTIONS] (TEXT... | - | --queries FILE | --id ID)",
              "Finds the records most similar to TEXT, to each line of standard input (-; the\n"
              "query id is the line number), to each query of a JSON Lines file ({\"id\", \"text\"}\n"
              "and optional \"group\", \"category\", \"lang\" that filter that query alone), or to the\n"
              "stored record ID.");
  add_search_options(cmd.options(), 10);
  cmd.options().add_options()
      ("queries", po::value<std::string>()->value_name("FILE"), "JSON Lines of queries (- for stdin)")
      ("id", po::value<std::string>()->value_name("ID"), "find records like the stored record ID")
      ("explain", "show the query's terms with their weights and each hit's matched terms (and, in a database "
                  "with embeddings, each hit's cosine with the query and its words' score)")
      ("format,f", po::value<std::string>()->default_value("text")->value_name("FMT"),
       "text (readable), jsonl (one object per hit) or trec (qid Q0 docid rank score askalike). A hit's "
       "score ranks it; its confidence is the share of the question's weighted words it matches (0-100%), so "
       "a lower hit may have the higher confidence");
  cmd.positional("text", -1, po::value<std::vector<std::string>>());
  if (!cmd.parse(args)) return kExitOk;

  OutputFormat format;
  if (!parse_output_format(cmd.get<std::string>("format"), format))
    cmd.usage_error("--format is text, jsonl or trec, not '" + cmd.get<std::string>("format") + "'");
  SearchOptions options = search_options_from(cmd);
  const bool explain = cmd.has("explain");
  // Compute only what the format prints: a TREC run needs ids and scores.
  options.snippets = format == OutputFormat::kJsonl;
  options.facets = format == OutputFormat::kText;
  options.records = format != OutputFormat::kTrec;
  options.match_details = format != OutputFormat::kTrec || explain;
  const bool exclude_self = cmd.has("exclude-self");
  const std::size_t threads = cmd.count("threads", 0, kMaxThreads);

  std::vector<std::string> words = cmd.get<std::vector<std::string>>("text");
  int modes = (words.empty() ? 0 : 1) + (cmd.has("queries") ? 1 : 0) + (cmd.has("id") ? 1 : 0);
  if (modes != 1)
    cmd.usage_error(modes == 0 ? "nothing to search for: give a TEXT, - (lines of stdin), --queries FILE or --id ID"
                               : "give only one of TEXT, -, --queries FILE and --id ID");
  if (exclude_self && !cmd.has("queries"))
    cmd.usage_error("--exclude-self needs --queries (it leaves out the record with the query's id)");

  Searcher searcher(cmd.db(), searcher_options_from(cmd));

  auto emit = [&](const std::string& qid, const std::string& heading, const Results& r) {
    switch (format) {
      case OutputFormat::kText: write_text(std::cout, heading, r, explain); break;
      case OutputFormat::kJsonl: write_jsonl(std::cout, qid, r, explain); break;
      case OutputFormat::kTrec: write_trec(std::cout, qid, r); break;
    }
  };

  if (cmd.has("id")) {
    const std::string id = cmd.get<std::string>("id");
    Results r = searcher.more_like(id, options);
    Record rec;
    std::string heading;
    if (searcher.get(id, rec))
      heading = "Similar to [" + id + "] " + text_start(rec.title.empty() ? rec.question : rec.title, 100);
    emit(id, heading, r);
    std::cout << std::flush;
    return kExitOk;
  }

  std::vector<Query> queries;
  if (cmd.has("queries")) {
    queries = load_queries_file(cmd.get<std::string>("queries"));
  } else if (words.size() == 1 && words[0] == "-") {
    queries = read_query_lines(std::cin);
  } else {
    std::string text;
    for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
    queries.push_back(Query{"1", text, "", "", ""});
  }
  const bool many = queries.size() > 1 || cmd.has("queries");
  // Answer in chunks and write each at once: memory stays bounded however
  // many queries there are, and the first results come out early.
  const std::size_t kChunk = 256;
  for (std::size_t start = 0; start < queries.size(); start += kChunk) {
    std::vector<Query> chunk(queries.begin() + static_cast<std::ptrdiff_t>(start),
                             queries.begin() + static_cast<std::ptrdiff_t>(std::min(queries.size(), start + kChunk)));
    std::vector<Results> results = run_queries(searcher, chunk, options, exclude_self, threads);
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      std::string heading = many ? "Query " + chunk[i].id + ": " + text_start(chunk[i].text, 100) : "";
      emit(chunk[i].id, heading, results[i]);
    }
    std::cout << std::flush;
  }
  return kExitOk;
}

}  // namespace askalike::cli
