#include "analysis/question_type.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace askalike {

namespace {

// A type and the wordings that ask for it. English cues match at the start of
// a word ("treat" finds "treated", not "retreat"); a cue ending in '$' must
// also end a word ("test$" is not "testosterone"). Chinese cues match
// anywhere (Chinese has no spaces). The first type with a cue in the text
// wins, so the table runs from the most specific wording to the most
// general: "what are the symptoms" is symptoms, not "what are" information.
struct TypeRule {
  const char* type;
  std::vector<const char*> cues;
};

const std::vector<TypeRule>& rules() {
  static const std::vector<TypeRule> table = {
      {"genetic changes", {"genetic change", "gene change", "mutation", "genes related", "gene related",
                           "which gene", "what gene", "基因突变"}},
      {"inheritance", {"inherit", "hereditary", "heredit", "genetic$", "genetically", "run in famil",
                       "runs in famil", "run in the famil", "runs in the famil", "passed down", "pass it on",
                       "passed on to", "pass on to", "遗传"}},
      {"brand names of combination products", {"combination product"}},
      {"important warning", {"important warning"}},
      {"other information", {"other information"}},
      {"emergency or overdose", {"overdose", "emergency"}},
      {"severe reaction", {"severe reaction", "allergic reaction"}},
      {"forget a dose", {"forget a dose", "forgot", "missed dose", "miss a dose", "missed a dose"}},
      {"storage and disposal", {"storage", "store$", "dispose", "disposal"}},
      {"contraindication", {"contraindicat", "who should not"}},
      {"interactions with foods", {"and foods", "with food", "interactions with food"}},
      {"interactions with herbs and supplements", {"and herbs", "with herbs", "supplement"}},
      {"interactions with medications", {"interaction", "interact", "reaction between", "together with", "mix with", "combine with",
                                         "一起吃", "同时吃", "同时服用"}},
      {"side effects", {"side effect", "side-effect", "adverse effect", "副作用"}},
      {"brand names", {"brand name", "brand-name", "generic name"}},
      {"why get vaccinated", {"why get vaccinated", "why vaccinate", "should i get vaccinated"}},
      {"precautions", {"precaution", "safety concern", "safe to", "is it safe", "safe for", "注意事项"}},
      {"dietary", {"dietary", "diet$", "what to eat", "what can i eat", "foods to avoid", "饮食", "忌口",
                   "能吃什么", "吃什么好", "不能吃"}},
      {"usage", {"be used", "how to use", "how do i use", "how to take", "how do i take",
                 "用法"}},
      {"dose", {"dosage", "dose$", "doses$", "how much should", "how many mg", "用量", "剂量"}},
      {"indication", {"prescribed", "used for", "what is it for", "who should get"}},
      {"how does it work", {"how does it work", "mechanism of action", "action of"}},
      {"how effective is it", {"how effective", "effectiveness", "效果"}},
      {"outlook", {"outlook", "prognos", "life expectancy", "expectancy", "survival", "survive", "future",
                   "what to expect", "expect$", "long term", "long-term", "damage", "will i die", "fatal",
                   "permanent", "recover", "预后", "能活多久", "寿命", "后果", "严重吗", "会不会死"}},
      {"stages", {"stages", "stage of", "分期"}},
      {"complications", {"complication", "并发症"}},
      {"symptoms", {"symptom", "signs$", "sign of", "signs of", "warning signs", "症状", "表现", "征兆"}},
      {"susceptibility", {"at risk", "risk factor", "who gets", "who is likely", "who can get", "易患",
                          "高危"}},
      {"frequency", {"how many people", "how common", "prevalen", "how rare", "incidence", "发病率"}},
      {"causes", {"cause$", "causes$", "caused", "causing", "why do", "why does", "why am i", "why is my",
                  "what makes", "reason for", "reasons for", "etiology", "原因", "为什么", "怎么回事", "引起",
                  "导致", "病因"}},
      {"exams and tests", {"diagnose$", "diagnosis", "diagnosing", "diagnostic", "is diagnosed", "be diagnosed", "are diagnosed", "diagnosed?", "diagnosed ?", "test$", "tests$", "tested", "testing", "exam$", "exams$",
                           "examination", "screening", "detect", "诊断", "检查", "化验", "确诊"}},
      {"prevention", {"prevent", "avoid getting", "reduce the risk", "lower the risk", "预防"}},
      {"when to contact a medical professional", {"see a doctor", "need a doctor", "call the doctor",
                                                   "call a doctor", "go to the doctor", "see my doctor",
                                                   "go to the hospital", "go to the er", "看什么科",
                                                   "挂什么科", "去医院"}},
      {"treatment", {"treat", "cure", "cured", "curable", "therap", "medication", "medicine", "remed",
                     "surgery", "operation", "manage", "get rid of", "relief", "relieve",
                     "what can i do", "what should i do", "what can be done", "治疗", "怎么治", "治好", "治愈",
                     "吃什么药", "用药", "怎么办", "手术", "偏方"}},
      {"considerations", {"what to do for"}},
      {"research", {"research", "clinical trial", "临床试验"}},
      {"support groups", {"support group", "find support", "support for people"}},
      {"how can i learn more", {"learn more", "how can i learn"}},
      {"information", {"what is", "what are", "what's", "information", "info$", "tell me about", "know about",
                       "learn about", "explain", "definition", "mean$", "means$", "meaning", "是什么",
                       "什么是", "什么病", "介绍"}},
  };
  return table;
}

bool is_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Whether `cue` occurs in `text` (lower-case) as the rules above say.
bool has_cue(std::string_view text, std::string_view cue) {
  bool whole_word = !cue.empty() && cue.back() == '$';
  if (whole_word) cue.remove_suffix(1);
  if (cue.empty()) return false;
  const bool english = static_cast<unsigned char>(cue.front()) < 0x80;
  for (std::size_t at = text.find(cue); at != std::string_view::npos; at = text.find(cue, at + 1)) {
    if (!english) return true;
    if (at > 0 && is_letter(static_cast<unsigned char>(text[at - 1]))) continue;
    std::size_t end = at + cue.size();
    if (whole_word && end < text.size() && is_letter(static_cast<unsigned char>(text[end]))) continue;
    return true;
  }
  return false;
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

namespace {

// The first type whose cue occurs in `text` (lower-case).
std::string type_by_rules(std::string_view text) {
  for (const TypeRule& rule : rules())
    for (const char* cue : rule.cues)
      if (has_cue(text, cue)) return rule.type;
  return "";
}

struct Sentence {
  std::string_view text;
  bool asks;  // ends with a question mark, or opens as a question or a request
};

// How a sentence that asks opens when its writer left out the question mark:
// "could smoke cause AMD." or "i would like to know if ...".
bool opens_as_question(std::string_view sentence) {
  static const char* const kOpeners[] = {
      "what ", "how ", "why ", "which ", "when ", "who ", "where ", "is ", "are ", "can ", "could ", "does ",
      "do ", "did ", "should ", "will ", "would ", "may ", "i would like to know", "i want to know",
      "i wonder", "i am looking for", "i'm looking for", "please ", "kindly ", "let me know", "tell me"};
  std::size_t start = sentence.find_first_not_of(" \t\r\n\"'(");
  if (start == std::string_view::npos) return false;
  sentence.remove_prefix(start);
  for (const char* opener : kOpeners)
    if (sentence.substr(0, std::char_traits<char>::length(opener)) == opener) return true;
  return false;
}

// The sentences of a message: ends at '?', '!', '\n', the Chinese stops, and
// at '.' before a space ("4.6" and "e.g" stay whole).
std::vector<Sentence> sentences(std::string_view text) {
  static const std::string_view kChineseStops[] = {"\xE3\x80\x82", "\xEF\xBC\x9F", "\xEF\xBC\x81"};  // 。？！
  std::vector<Sentence> out;
  std::size_t start = 0;
  auto close = [&](std::size_t end, std::size_t next, bool asks) {
    std::string_view part = text.substr(start, end - start);
    if (part.find_first_not_of(" \t\r\n") != std::string_view::npos)
      out.push_back({part, asks || opens_as_question(part)});
    start = next;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '?' || c == '!' || c == '\n') {
      close(i, i + 1, c == '?');
    } else if (c == '.' && (i + 1 == text.size() || text[i + 1] == ' ')) {
      close(i, i + 1, false);
    } else if (static_cast<unsigned char>(c) == 0xE3 || static_cast<unsigned char>(c) == 0xEF) {
      for (std::string_view stop : kChineseStops)
        if (text.substr(i, stop.size()) == stop) {
          close(i, i + stop.size(), stop == kChineseStops[1]);
          i += stop.size() - 1;
          break;
        }
    }
  }
  close(text.size(), text.size(), false);
  return out;
}

}  // namespace

std::string question_type(std::string_view text) {
  // The wordings are ASCII or Chinese: ASCII case folding is all they need.
  const std::string lower = lower_ascii(text);
  // A consumer's message tells a story and then asks: the story's words
  // ("my treatment", "the symptoms") are not what is asked. The sentences
  // that ask (a question mark, or a question's or request's opening), then
  // the last sentence, say the type; the whole text only when none of them
  // has a cue.
  const std::vector<Sentence> parts = sentences(lower);
  if (parts.size() > 1) {
    for (const Sentence& s : parts)
      if (s.asks)
        if (std::string type = type_by_rules(s.text); !type.empty()) return type;
    if (std::string type = type_by_rules(parts.back().text); !type.empty()) return type;
  }
  return type_by_rules(lower);
}

std::string record_question_type(const std::string& title, const std::string& question) {
  if (question.empty()) return question_type(title);
  std::string text = lower_ascii(question);
  const std::string subject = lower_ascii(title);
  if (!subject.empty())
    for (std::size_t at = text.find(subject); at != std::string::npos; at = text.find(subject, at))
      text.replace(at, subject.size(), " ");
  return question_type(text);
}

std::string question_type_term(const std::string& type) {
  std::string term = "XY" + type;
  std::replace(term.begin(), term.end(), ' ', '_');
  return term;
}

void add_question_type(Xapian::Document& doc, const std::string& type, const RankingSettings& settings) {
  if (type.empty()) return;
  doc.add_term(question_type_term(type), static_cast<Xapian::termcount>(std::round(settings.scale)));
}

bool add_question_type_bonus(Xapian::Query& query, const std::string& type, double weight,
                             const Xapian::Database& db, const RankingQuery& ranking, const TermLeaf& leaf) {
  if (type.empty() || !(weight > 0.0) || query.empty()) return false;
  const std::string term = question_type_term(type);
  const double records = db.get_doccount(), termfreq = db.get_termfreq(term);
  if (termfreq == 0) return false;
  // With wdf = scale (add_question_type) the term scores idf x (k1 S + 1) /
  // (k1 + 1) under the ranking's BM25Weight; score_factor() takes the second
  // factor away and dividing by the idf leaves exactly `weight`, whatever the
  // type's frequency: agreeing on a rare type is worth no more than on a
  // common one.
  const double idf = bm25_idf(records, termfreq);
  if (!(idf > 0.0)) return false;
  Xapian::Query bonus(Xapian::Query::OP_SCALE_WEIGHT, leaf(term, 1), weight * ranking.score_factor() / idf);
  query = Xapian::Query(Xapian::Query::OP_AND_MAYBE, query, maybe_branch(bonus));
  return true;
}

}  // namespace askalike
