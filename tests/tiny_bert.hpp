// A tiny random BERT model folder in the sentence-transformers layout
// (hidden 32, 2 heads, 2 layers, intermediate 64), written by the tests
// themselves so that they need no downloaded model.
#ifndef ASKALIKE_TESTS_TINY_BERT_HPP_
#define ASKALIKE_TESTS_TINY_BERT_HPP_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace testutil {

struct TinyBertOptions {
  std::string model_type = "bert";
  std::string prefix;             // "bert." names the tensors as BertModel's checkpoints do
  bool normalize = true;          // a Normalize module in modules.json
  bool cls_pooling = false;
  unsigned seed = 7;
  std::size_t hidden = 32;
};

inline const std::vector<std::string>& tiny_vocab() {
  static const std::vector<std::string> vocab = {
      "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "a", "my", "child", "has", "fever", "and", "rash",
      "high", "red", "when", "baby", "or", "infant", "why", "does", "face", "twitch", "i", "sleep", "cafe",
      "resume", "play", "##ing", "##s", "##ed", "un", "##know", "##n", ",", ".", "!", "?", "'", "(", ")",
      "高", "血", "压", "hello", "world"};
  return vocab;
}

// name -> (shape, values), written as an F32 safetensors file.
using Tensors = std::map<std::string, std::pair<std::vector<std::size_t>, std::vector<float>>>;

inline std::string safetensors_bytes(const Tensors& tensors) {
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const auto& [name, t] : tensors) {
    const std::size_t begin = data.size();
    data.append(reinterpret_cast<const char*>(t.second.data()), t.second.size() * sizeof(float));
    header[name] = {{"dtype", "F32"}, {"shape", t.first}, {"data_offsets", {begin, data.size()}}};
  }
  std::string text = header.dump();
  std::string out;
  std::uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  return out + text + data;
}

inline Tensors tiny_tensors(const TinyBertOptions& o) {
  std::mt19937 random(o.seed);
  std::uniform_real_distribution<float> uniform(-0.5f, 0.5f);
  Tensors t;
  auto add = [&](const std::string& name, std::vector<std::size_t> shape, float offset = 0) {
    std::size_t count = 1;
    for (std::size_t d : shape) count *= d;
    std::vector<float> values(count);
    for (float& v : values) v = offset + uniform(random);
    t[o.prefix + name] = {std::move(shape), std::move(values)};
  };
  const std::size_t h = o.hidden, inter = 64;
  add("embeddings.word_embeddings.weight", {tiny_vocab().size(), h});
  add("embeddings.position_embeddings.weight", {16, h});
  add("embeddings.token_type_embeddings.weight", {2, h});
  add("embeddings.LayerNorm.weight", {h}, 1);
  add("embeddings.LayerNorm.bias", {h});
  for (int i = 0; i < 2; ++i) {
    const std::string p = "encoder.layer." + std::to_string(i) + ".";
    for (const char* s : {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
      add(p + s + ".weight", {h, h});
      add(p + s + ".bias", {h});
    }
    add(p + "attention.output.LayerNorm.weight", {h}, 1);
    add(p + "attention.output.LayerNorm.bias", {h});
    add(p + "intermediate.dense.weight", {inter, h});
    add(p + "intermediate.dense.bias", {inter});
    add(p + "output.dense.weight", {h, inter});
    add(p + "output.dense.bias", {h});
    add(p + "output.LayerNorm.weight", {h}, 1);
    add(p + "output.LayerNorm.bias", {h});
  }
  return t;
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Writes the model folder `dir` (created if missing).
inline void write_tiny_bert(const std::filesystem::path& dir, const TinyBertOptions& o = TinyBertOptions()) {
  nlohmann::json config = {{"architectures", {"BertModel"}}, {"model_type", o.model_type}, {"hidden_act", "gelu"},
                           {"hidden_size", 32}, {"num_attention_heads", 2}, {"num_hidden_layers", 2},
                           {"intermediate_size", 64}, {"layer_norm_eps", 1e-12}, {"max_position_embeddings", 16},
                           {"type_vocab_size", 2}, {"vocab_size", tiny_vocab().size()}};
  write_text(dir / "config.json", config.dump(2));
  std::string vocab;
  for (const auto& token : tiny_vocab()) vocab += token + "\n";
  write_text(dir / "vocab.txt", vocab);
  write_text(dir / "tokenizer_config.json", R"({"do_lower_case": true, "tokenize_chinese_chars": true})");
  write_text(dir / "sentence_bert_config.json", R"({"max_seq_length": 12, "do_lower_case": false})");
  nlohmann::json modules = nlohmann::json::array(
      {{{"idx", 0}, {"name", "0"}, {"path", ""}, {"type", "sentence_transformers.models.Transformer"}},
       {{"idx", 1}, {"name", "1"}, {"path", "1_Pooling"}, {"type", "sentence_transformers.models.Pooling"}}});
  if (o.normalize)
    modules.push_back({{"idx", 2}, {"name", "2"}, {"path", "2_Normalize"}, {"type", "sentence_transformers.models.Normalize"}});
  write_text(dir / "modules.json", modules.dump(2));
  nlohmann::json pooling = {{"word_embedding_dimension", 32}, {"pooling_mode_cls_token", o.cls_pooling},
                            {"pooling_mode_mean_tokens", !o.cls_pooling}, {"pooling_mode_max_tokens", false},
                            {"pooling_mode_mean_sqrt_len_tokens", false}};
  write_text(dir / "1_Pooling" / "config.json", pooling.dump(2));
  write_text(dir / "model.safetensors", safetensors_bytes(tiny_tensors(o)));
}

}  // namespace testutil

#endif  // ASKALIKE_TESTS_TINY_BERT_HPP_
