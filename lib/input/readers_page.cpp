// The text of one Q&A page (the README's page format), as a record:
//
//   TITLE                                   (first line)
//   QUESTION...                             (lines up to the asker line)
//   ASKER. Ask Date: 2007/08/27
//   DOCTOR reply DEPARTMENT
//   REPLY...
//   Reply Date: 2007/08/27
//   More Info
//   LONGER ANSWER...
//   Similar Q&A
//   TITLE / START OF QUESTION... / DOCTOR reply DEPARTMENT / START OF REPLY...[Read More] TITLE   (repeated)
//   Related FAQ
//   TOPIC(DEPARTMENT)                       (repeated)
//
// Every part after the question may be missing.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "askalike/error.hpp"
#include "input/line_reader.hpp"
#include "input/readers_internal.hpp"

namespace askalike::detail {

namespace {

struct Line {
  std::string text;  // trimmed
  std::size_t number;
};

enum class Section { kNone, kMoreInfo, kSimilar, kRelated };

Section section_of(const std::string& text) {
  std::string t = ascii_lower(text);
  if (t == "more info") return Section::kMoreInfo;
  if (t == "similar q&a") return Section::kSimilar;
  if (t == "related faq") return Section::kRelated;
  return Section::kNone;
}

bool has_sentence_punctuation(const std::string& s) {
  return s.find_first_of(".:;!?,\"") != std::string::npos;
}

// "Dr. Ye Boshou reply Neurology" -> doctor "Dr. Ye Boshou", department "Neurology".
bool parse_reply_line(const std::string& text, std::string& doctor, std::string& department) {
  const std::string marker = " reply ";
  auto pos = text.rfind(marker);
  if (pos == std::string::npos || pos == 0) return false;
  std::string who = trim(text.substr(0, pos));
  std::string dept = trim(text.substr(pos + marker.size()));
  if (who.empty() || dept.empty() || who.size() > 80 || dept.size() > 60) return false;
  if (has_sentence_punctuation(dept)) return false;
  std::size_t words = 1;
  for (char c : dept) words += c == ' ';
  if (words > 5) return false;
  doctor = who;
  department = dept;
  return true;
}

std::string join(const std::vector<Line>& lines, std::size_t from, std::size_t to) {
  std::string s;
  for (std::size_t i = from; i < to && i < lines.size(); ++i) {
    if (lines[i].text.empty()) continue;
    if (!s.empty()) s += '\n';
    s += lines[i].text;
  }
  return s;
}

// "...the start of a reply...[Read More] Its Title" -> "...the start of a reply..."
std::string strip_read_more(const std::string& text) {
  auto pos = text.find("[Read More]");
  return pos == std::string::npos ? text : trim(text.substr(0, pos));
}

nlohmann::ordered_json similar_entry(const std::vector<Line>& block) {
  nlohmann::ordered_json e;
  e["title"] = block[0].text;
  std::size_t doctor_at = block.size();
  std::string doctor, dept;
  for (std::size_t i = 1; i < block.size(); ++i)
    if (parse_reply_line(block[i].text, doctor, dept)) {
      doctor_at = i;
      break;
    }
  e["question"] = strip_read_more(join(block, 1, doctor_at));
  if (doctor_at < block.size()) {
    e["doctor"] = doctor;
    e["category"] = dept;
    e["answer"] = strip_read_more(join(block, doctor_at + 1, block.size()));
  }
  return e;
}

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

bool looks_like_page(const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find_first_of("\r\n", start);
    if (end == std::string::npos) end = text.size();
    std::string t = trim(text.substr(start, end - start));
    start = end + 1;
    if (t.find("Ask Date:") != std::string::npos || t.rfind("Reply Date:", 0) == 0) return true;
    if (section_of(t) != Section::kNone) return true;
    // Only a doctor's reply line: "How do I reply to an email" is a question.
    std::string doctor, dept;
    if (t.rfind("Dr", 0) == 0 && parse_reply_line(t, doctor, dept)) return true;
  }
  return false;
}

Record parse_page(std::istream& in, const std::string& name, const std::string& id, const InputLimits& limits) {
  std::vector<Line> lines;
  {
    std::string text;
    std::size_t n = 0, bytes = 0;
    BoundedLine info;
    while (read_bounded_line(in, text, limits.max_line_bytes, info)) {
      ++n;
      bytes += info.length + 1;
      if (info.too_long)
        throw ParseError(name, n, "the line is longer than the limit of " + std::to_string(limits.max_line_bytes) +
                                      " bytes (max_line_bytes)");
      if (bytes > limits.max_record_bytes)
        throw ParseError(name, 1, "the page is longer than the limit of " + std::to_string(limits.max_record_bytes) +
                                      " bytes (max_record_bytes)");
      check_utf8_line(text, name, n);
      std::string t = trim(text);
      if (lines.empty() && t.empty()) continue;  // leading blank lines
      lines.push_back(Line{t, n});
    }
    if (in.bad()) throw Error(ErrorCode::kIO, name + ": read error");
  }
  while (!lines.empty() && lines.back().text.empty()) lines.pop_back();
  if (lines.empty()) throw ParseError(name, 1, "empty page (the first line must be the title)");

  Record r;
  r.id = id;
  r.title = lines[0].text;

  // Where each section starts (the first occurrence after the question).
  std::size_t n = lines.size();
  std::size_t more_at = n, similar_at = n, related_at = n;
  for (std::size_t i = 1; i < n; ++i) {
    Section s = section_of(lines[i].text);
    if (s == Section::kMoreInfo && more_at == n && similar_at == n && related_at == n) more_at = i;
    if (s == Section::kSimilar && similar_at == n && related_at == n) similar_at = i;
    if (s == Section::kRelated && related_at == n) related_at = i;
  }
  std::size_t head_end = std::min({more_at, similar_at, related_at});

  // The question runs to the asker line ("... Ask Date: ..."), or else to the
  // doctor's reply line.
  std::size_t asker_at = head_end, reply_at = head_end;
  std::string doctor, dept;
  for (std::size_t i = 1; i < head_end; ++i) {
    if (lines[i].text.find("Ask Date:") != std::string::npos) {
      asker_at = i;
      break;
    }
  }
  std::size_t search_from = asker_at < head_end ? asker_at + 1 : 1;
  for (std::size_t i = search_from; i < head_end; ++i) {
    if (parse_reply_line(lines[i].text, doctor, dept)) {
      reply_at = i;
      break;
    }
    if (asker_at < head_end && !lines[i].text.empty()) break;  // the reply line follows the asker line
  }
  std::size_t question_end = std::min(asker_at, reply_at);
  r.question = join(lines, 1, question_end);
  if (r.question.empty())
    throw ParseError(name, lines.size() > 1 ? lines[1].number : lines[0].number + 1,
                     "no question after the title line");

  if (asker_at < head_end) {
    const std::string& t = lines[asker_at].text;
    auto pos = t.find("Ask Date:");
    std::string asker = trim(t.substr(0, pos));
    while (!asker.empty() && (asker.back() == '.' || asker.back() == ',')) asker.pop_back();
    if (!asker.empty()) r.extra["asker"] = json_string(asker);
    r.date = normalize_date(t.substr(pos + 9));
  }

  // The reply follows the doctor's line, or else the asker line.
  std::string reply;
  std::size_t reply_start = head_end;
  if (reply_at < head_end) {
    r.extra["doctor"] = json_string(doctor);
    r.category = dept;
    reply_start = reply_at + 1;
  } else if (asker_at < head_end) {
    reply_start = asker_at + 1;
  }
  if (reply_start < head_end) {
    std::size_t reply_end = head_end;
    for (std::size_t i = reply_start; i < head_end; ++i) {
      const std::string& t = lines[i].text;
      if (t.rfind("Reply Date:", 0) == 0) {
        std::string d = normalize_date(t.substr(11));
        if (!d.empty()) r.extra["reply_date"] = json_string(d);
        reply_end = i;
        break;
      }
    }
    reply = join(lines, reply_start, reply_end);
  }

  std::string more;
  if (more_at < n) more = join(lines, more_at + 1, std::min(similar_at, related_at));
  r.answer = reply;
  if (!more.empty()) r.answer += (r.answer.empty() ? "" : "\n\n") + more;

  if (similar_at < n) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    std::vector<Line> block;
    std::size_t end = related_at > similar_at ? related_at : n;
    for (std::size_t i = similar_at + 1; i < end; ++i) {
      if (lines[i].text.empty()) continue;
      block.push_back(lines[i]);
      if (lines[i].text.find("[Read More]") != std::string::npos) {
        list.push_back(similar_entry(block));
        block.clear();
      }
    }
    if (!block.empty()) list.push_back(similar_entry(block));
    r.extra["similar_qa"] = dump(list);
  }

  if (related_at < n) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    std::size_t end = similar_at > related_at ? similar_at : n;
    for (std::size_t i = related_at + 1; i < end; ++i) {
      const std::string& t = lines[i].text;
      if (t.empty()) continue;
      std::string topic = t, category;
      auto open = t.rfind('(');
      if (t.back() == ')' && open != std::string::npos) {
        topic = trim(t.substr(0, open));
        category = trim(t.substr(open + 1, t.size() - open - 2));
      }
      if (topic.empty()) continue;  // "(Neurology)": the box's heading
      nlohmann::ordered_json e;
      e["topic"] = topic;
      if (!category.empty()) e["category"] = category;
      list.push_back(e);
    }
    r.extra["related_faq"] = dump(list);
  }
  return r;
}

}  // namespace askalike::detail
