#include "analysis/stopwords.hpp"

#include <string>
#include <unordered_set>

namespace askalike {

// Function words, pronouns, auxiliaries and question words. Kept short on
// purpose: content words like "pain" or "treatment" stay, and so do negations'
// neighbours; idf weighting handles the rest.
bool is_english_stop_word(std::string_view word) {
  static const std::unordered_set<std::string_view> kWords = {
      "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "aren't",
      "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
      "can", "could", "did", "do", "does", "doing", "don't", "down", "during", "each", "few", "for",
      "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him",
      "himself", "his", "how", "i", "i'm", "i've", "if", "in", "into", "is", "isn't", "it", "it's", "its",
      "itself", "just", "me", "more", "most", "my", "myself", "of", "off", "on", "once", "only", "or",
      "other", "ought", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so",
      "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there",
      "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was",
      "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
      "would", "you", "your", "yours", "yourself", "yourselves", "also", "get", "got", "im", "s", "t",
      "hi", "hello", "dear", "thanks", "thank", "please", "regards"};
  return kWords.count(word) != 0;
}

bool is_chinese_stop_word(std::string_view word) {
  static const std::unordered_set<std::string_view> kWords = {
      "的", "了", "吗", "呢", "吧", "啊", "呀", "哦", "嘛", "啦", "么", "是", "我", "你", "您", "他", "她", "它",
      "我们", "你们", "他们", "这", "那", "这个", "那个", "在", "和", "与", "及", "就", "都", "也", "还", "很",
      "请问", "您好", "你好", "医生", "大夫", "谢谢", "一下", "麻烦", "一个", "个", "被", "把", "给", "让",
      "从", "而", "又", "或", "或者", "但", "但是", "因为", "所以", "如果", "就是", "有点", "一些", "自己",
      "着", "过", "得", "地", "之", "其", "该", "此", "为", "于", "以", "等"};
  return kWords.count(word) != 0;
}

}  // namespace askalike
