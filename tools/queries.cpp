// Reading queries and running them in batches.
#include "queries.hpp"

#include <askalike/error.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <tuple>

namespace askalike::cli {

namespace {

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

std::string string_member(const nlohmann::json& j, const char* name, const std::string& source,
                          std::size_t line) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::string();
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return it->dump();
  throw ParseError(source, line, std::string("\"") + name + "\" must be a string");
}

}  // namespace

std::vector<Query> read_queries_jsonl(std::istream& in, const std::string& source) {
  std::vector<Query> queries;
  std::string text;
  std::size_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (line == 1 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
    if (blank(text)) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error&) {
      throw ParseError(source, line, "invalid JSON (a query is {\"id\": ..., \"text\": ...})");
    }
    if (!j.is_object()) throw ParseError(source, line, "expected a JSON object {\"id\": ..., \"text\": ...}");
    Query q;
    q.id = string_member(j, "id", source, line);
    if (q.id.empty()) throw ParseError(source, line, "missing \"id\"");
    q.text = string_member(j, "text", source, line);
    if (q.text.empty()) {
      std::string title = string_member(j, "title", source, line);
      std::string question = string_member(j, "question", source, line);
      q.text = title + (title.empty() || question.empty() ? "" : "\n") + question;
    }
    if (q.text.empty()) throw ParseError(source, line, "missing \"text\"");
    q.group = string_member(j, "group", source, line);
    q.category = string_member(j, "category", source, line);
    q.lang = string_member(j, "lang", source, line);
    queries.push_back(std::move(q));
  }
  if (in.bad()) throw Error(ErrorCode::kIO, source + ": read error");
  return queries;
}

std::vector<Query> read_query_lines(std::istream& in) {
  std::vector<Query> queries;
  std::string text;
  std::size_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (blank(text)) continue;
    queries.push_back(Query{std::to_string(line), text, "", "", ""});
  }
  return queries;
}

std::vector<Results> run_queries(const Searcher& searcher, const std::vector<Query>& queries,
                                 const SearchOptions& base, bool exclude_self, std::size_t threads) {
  // Queries with the same filters go to the searcher as one batch. The self
  // exclusion is done here (one more hit asked for, then dropped), so that it
  // does not split the batches.
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, std::vector<std::size_t>> batches;
  for (std::size_t i = 0; i < queries.size(); ++i)
    batches[Key(queries[i].group, queries[i].category, queries[i].lang)].push_back(i);

  std::vector<Results> results(queries.size());
  for (const auto& [key, members] : batches) {
    SearchOptions options = base;
    if (!std::get<0>(key).empty()) options.group = std::get<0>(key);
    if (!std::get<1>(key).empty()) options.categories = {std::get<1>(key)};
    if (!std::get<2>(key).empty()) options.lang = std::get<2>(key);
    if (exclude_self) {
      options.offset = 0;
      options.k = base.offset + base.k + 1;
    }
    std::vector<std::string> texts;
    texts.reserve(members.size());
    for (std::size_t i : members) texts.push_back(queries[i].text);
    std::vector<Results> batch = searcher.similar_batch(texts, options, threads);
    for (std::size_t n = 0; n < members.size(); ++n) {
      Results& r = batch[n];
      if (exclude_self) {
        const std::string& self = queries[members[n]].id;
        std::vector<Hit> kept;
        std::size_t seen = 0;
        for (auto& hit : r.hits) {
          if (hit.id == self) continue;
          ++seen;
          if (seen <= base.offset || kept.size() >= base.k) continue;
          hit.rank = base.offset + kept.size() + 1;
          kept.push_back(std::move(hit));
        }
        r.hits = std::move(kept);
      }
      results[members[n]] = std::move(r);
    }
  }
  return results;
}

}  // namespace askalike::cli
