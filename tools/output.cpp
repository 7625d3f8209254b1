// Writing search results: text for people, JSON Lines for programs, TREC
// runs for evaluation tools.
#include "output.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>

namespace askalike::cli {

const char* const kConfidenceMeaning = "(the share of the question's weighted words it matches; the score ranks)";

bool parse_output_format(const std::string& name, OutputFormat& out) {
  if (name == "text") out = OutputFormat::kText;
  else if (name == "jsonl") out = OutputFormat::kJsonl;
  else if (name == "trec") out = OutputFormat::kTrec;
  else return false;
  return true;
}

std::string text_start(const std::string& text, std::size_t max_chars) {
  std::string out;
  std::size_t chars = 0;
  bool space = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if ((c & 0xC0) != 0x80) {  // the first byte of a character
      if (chars + (space ? 1 : 0) >= max_chars) {
        while (!out.empty() && out.back() == ' ') out.pop_back();
        return out + "...";
      }
      if (space) {
        out += ' ';
        ++chars;
        space = false;
      }
      ++chars;
    }
    out += static_cast<char>(c);
  }
  return out;
}

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

void write_text(std::ostream& out, const std::string& heading, const Results& results, bool explain) {
  if (!heading.empty()) out << heading << "\n";
  if (!results.corrections.empty()) {
    out << "Did you mean:";
    for (const auto& c : results.corrections) out << " " << c.correction << " (for \"" << c.word << "\")";
    out << "\n";
  }
  if (explain && !results.question_type.empty()) out << "Question type: " << results.question_type << "\n";
  std::map<std::string, double> weights;
  for (const auto& t : results.query_terms) weights[t.term] = t.weight;
  if (explain) {
    out << "Query terms:";
    if (results.query_terms.empty()) out << " (none: only stop words or punctuation)";
    for (const auto& t : results.query_terms) out << " " << t.term << " (" << fixed(t.weight, 2) << ")";
    out << "\n";
    if (!results.added_terms.empty()) {
      out << "Added terms:";
      for (const auto& t : results.added_terms) out << " " << t.term << " (x" << fixed(t.weight, 3) << ")";
      out << "\n";
    }
  }
  if (results.hits.empty()) {
    out << "No similar questions found.\n\n";
    return;
  }
  out << "Similar Q&A (about " << results.estimated_matches << " matching)\n";
  for (const auto& hit : results.hits) {
    const Record& r = hit.record;
    // Without a title the question is the heading, and is not shown again.
    std::string title = r.title.empty() ? text_start(r.question, 150) : text_start(r.title, 120);
    out << (hit.rank < 10 ? " " : "") << hit.rank << ". " << title;
    if (!r.category.empty()) out << "  (" << r.category << ")";
    out << "  score " << fixed(hit.score, 2) << ", confidence " << fixed(hit.confidence * 100, 0) << "%";
    // Said once: a lower hit may match more of the question (a higher
    // confidence) and still rank lower on its score.
    if (&hit == &results.hits.front()) out << " " << kConfidenceMeaning;
    out << "  [" << hit.id << "]\n";
    if (!r.title.empty() && !r.question.empty() && r.question != r.title)
      out << "    Q: " << text_start(r.question, 150) << "\n";
    if (!r.answer.empty()) out << "    A: " << text_start(r.answer, 150) << "\n";
    if (explain && results.semantic)
      out << "    meaning: cosine " << fixed(hit.semantic_similarity, 3) << ", words' score "
          << fixed(hit.lexical_score, 2) << "\n";
    if (explain) {
      out << "    matched:";
      if (hit.matched_terms.empty()) out << " (none)";
      for (const auto& t : hit.matched_terms) {
        out << " " << t;
        auto w = weights.find(t);
        if (w != weights.end()) out << " (" << fixed(w->second, 2) << ")";
      }
      out << "\n";
    }
  }
  if (!results.categories.empty()) {
    out << "Related categories:";
    bool first = true;
    for (const auto& c : results.categories) {
      out << (first ? " " : ", ") << c.value << " (" << c.count << ")";
      first = false;
    }
    out << "\n";
  }
  if (!results.related_topics.empty()) {
    out << "Related topics:";
    bool first = true;
    for (const auto& t : results.related_topics) {
      out << (first ? " " : ", ") << t.topic;
      if (!t.category.empty()) out << " (" << t.category << ")";
      first = false;
    }
    out << "\n";
  }
  out << "\n";
}

void write_jsonl(std::ostream& out, const std::string& query_id, const Results& results, bool explain) {
  for (const auto& hit : results.hits) {
    nlohmann::ordered_json j;
    j["query"] = query_id;
    j["rank"] = hit.rank;
    j["id"] = hit.id;
    j["score"] = hit.score;
    j["confidence"] = hit.confidence;
    if (results.semantic) {
      j["lexical_score"] = hit.lexical_score;
      j["semantic_similarity"] = hit.semantic_similarity;
    }
    j["title"] = hit.record.title;
    j["category"] = hit.record.category;
    j["snippet"] = hit.question_snippet;
    if (explain) j["matched_terms"] = hit.matched_terms;
    if (!results.corrections.empty()) {
      nlohmann::ordered_json corrections = nlohmann::ordered_json::array();
      for (const auto& c : results.corrections)
        corrections.push_back(nlohmann::ordered_json{{"word", c.word}, {"correction", c.correction}});
      j["did_you_mean"] = std::move(corrections);
    }
    if (explain && !results.question_type.empty()) j["question_type"] = results.question_type;
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
}

void write_trec(std::ostream& out, const std::string& query_id, const Results& results) {
  char score[64];
  for (const auto& hit : results.hits) {
    std::snprintf(score, sizeof score, "%.6f", hit.score);
    out << query_id << " Q0 " << hit.id << " " << hit.rank << " " << score << " askalike\n";
  }
}

}  // namespace askalike::cli
