// askalike::EmbeddingModel (include/askalike/embedding.hpp): a
// sentence-transformers folder read into a WordPiece tokenizer and a BERT
// encoder, and the threads of embed_batch().
#include "askalike/embedding.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

#include <nlohmann/json.hpp>

#include "askalike/error.hpp"
#include "askalike/validate.hpp"
#include "embedding/bert.hpp"
#include "embedding/safetensors.hpp"
#include "embedding/wordpiece.hpp"
#include "util/sha256.hpp"

namespace askalike {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using embedding::Pooling;

bool is_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

std::string read_file(const fs::path& path) {
  if (!is_file(path)) throw Error(ErrorCode::kNotFound, path.string() + ": no such file");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in && !in.eof()) throw Error(ErrorCode::kIO, path.string() + ": cannot be read");
  return std::move(bytes).str();
}

json read_json(const fs::path& path) {
  try {
    return json::parse(read_file(path));
  } catch (const json::exception& e) {
    throw Error(ErrorCode::kCorrupt, path.string() + ": not JSON: " + e.what());
  }
}

// A boolean setting of a JSON file: `fallback` when absent or null.
bool flag(const json& j, const char* key, bool fallback, const fs::path& path) {
  if (!j.is_object()) throw Error(ErrorCode::kCorrupt, path.string() + ": not a JSON object");
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw Error(ErrorCode::kInvalidArgument, path.string() + ": " + key + " is not true or false");
  return it->get<bool>();
}

struct Head {  // what follows the encoder: modules.json and 1_Pooling
  Pooling pooling = Pooling::kMean;
  bool normalize = false;
};

Pooling read_pooling(const fs::path& path) {
  const json config = read_json(path);
  if (!config.is_object()) throw Error(ErrorCode::kCorrupt, path.string() + ": not a JSON object");
  std::vector<std::string> modes;
  for (const auto& [key, value] : config.items())
    if (key.rfind("pooling_mode_", 0) == 0 && value.is_boolean() && value.get<bool>()) modes.push_back(key);
  if (modes.size() == 1 && modes[0] == "pooling_mode_mean_tokens") return Pooling::kMean;
  if (modes.size() == 1 && modes[0] == "pooling_mode_cls_token") return Pooling::kCls;
  std::string names;
  for (const auto& m : modes) names += (names.empty() ? "" : ", ") + m;
  throw Error(ErrorCode::kInvalidArgument, path.string() + ": pooling " + (names.empty() ? "(none)" : names) +
                                               " is not supported (one of pooling_mode_mean_tokens, pooling_mode_cls_token)");
}

Head read_head(const fs::path& dir) {
  Head head;
  const fs::path modules_path = dir / "modules.json";
  if (!is_file(modules_path)) {  // a bare transformer folder: sentence-transformers' default, mean pooling
    if (is_file(dir / "1_Pooling" / "config.json")) head.pooling = read_pooling(dir / "1_Pooling" / "config.json");
    return head;
  }
  const json modules = read_json(modules_path);
  if (!modules.is_array()) throw Error(ErrorCode::kCorrupt, modules_path.string() + ": not a JSON array");
  bool pooled = false;
  for (const json& m : modules) {
    const std::string type = m.is_object() ? m.value("type", std::string()) : std::string();
    const std::string path = m.is_object() && m.contains("path") && m["path"].is_string() ? m["path"].get<std::string>() : "";
    if (type == "sentence_transformers.models.Transformer") continue;
    if (type == "sentence_transformers.models.Pooling") {
      head.pooling = read_pooling(dir / path / "config.json");
      pooled = true;
    } else if (type == "sentence_transformers.models.Normalize") {
      head.normalize = true;
    } else {
      throw Error(ErrorCode::kInvalidArgument, modules_path.string() + ": module \"" + type +
                                                   "\" is not supported (Transformer, Pooling, Normalize)");
    }
  }
  if (!pooled) throw Error(ErrorCode::kInvalidArgument, modules_path.string() + ": no Pooling module");
  return head;
}

// The tokenizer: vocab.txt, or tokenizer.json's WordPiece vocabulary; the
// options from tokenizer_config.json, else tokenizer.json's normalizer.
embedding::WordPiece read_tokenizer(const fs::path& dir) {
  const fs::path vocab_path = dir / "vocab.txt", json_path = dir / "tokenizer.json";
  const fs::path config_path = dir / "tokenizer_config.json";
  json tokenizer;
  if (is_file(json_path) && (!is_file(vocab_path) || !is_file(config_path))) tokenizer = read_json(json_path);
  embedding::WordPieceOptions options;
  if (is_file(config_path)) {
    const json config = read_json(config_path);
    options.lower_case = flag(config, "do_lower_case", true, config_path);
    options.strip_accents = flag(config, "strip_accents", options.lower_case, config_path);
    options.split_chinese = flag(config, "tokenize_chinese_chars", true, config_path);
  } else if (tokenizer.is_object() && tokenizer.contains("normalizer") && tokenizer["normalizer"].is_object()) {
    const json& n = tokenizer["normalizer"];
    options.lower_case = flag(n, "lowercase", true, json_path);
    options.strip_accents = flag(n, "strip_accents", options.lower_case, json_path);
    options.split_chinese = flag(n, "handle_chinese_chars", true, json_path);
  }
  if (is_file(vocab_path)) return embedding::WordPiece(embedding::parse_vocab_txt(read_file(vocab_path)), options, vocab_path.string());
  if (!is_file(json_path))
    throw Error(ErrorCode::kNotFound, dir.string() + ": no vocab.txt or tokenizer.json (the WordPiece vocabulary)");
  const json* model = tokenizer.is_object() && tokenizer.contains("model") ? &tokenizer["model"] : nullptr;
  if (!model || !model->is_object() || !model->contains("vocab") || !(*model)["vocab"].is_object())
    throw Error(ErrorCode::kInvalidArgument, json_path.string() + ": no model.vocab");
  if (model->contains("type") && (*model)["type"] != "WordPiece")
    throw Error(ErrorCode::kInvalidArgument,
                json_path.string() + ": model.type " + (*model)["type"].dump() + " is not supported (only WordPiece)");
  std::unordered_map<std::string, int> vocab;
  for (const auto& [token, id] : (*model)["vocab"].items()) {
    if (!id.is_number_unsigned() || id.get<std::uint64_t>() > (1u << 30))
      throw Error(ErrorCode::kInvalidArgument, json_path.string() + ": the id of \"" + token + "\" is not a small count");
    vocab[token] = id.get<int>();
  }
  return embedding::WordPiece(std::move(vocab), options, json_path.string());
}

std::size_t model_max_tokens(const fs::path& dir, std::size_t max_positions) {
  const fs::path path = dir / "sentence_bert_config.json";
  if (!is_file(path)) return max_positions;
  const json config = read_json(path);
  const auto it = config.is_object() ? config.find("max_seq_length") : config.end();
  if (it == config.end() || !it->is_number_unsigned() || it->get<std::uint64_t>() < 2) return max_positions;
  return std::min<std::size_t>(it->get<std::size_t>(), max_positions);
}

std::string folder_name(const fs::path& dir) {
  fs::path p = dir.lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  std::error_code ec;
  const fs::path absolute = fs::absolute(p, ec);
  return (ec ? p : absolute.lexically_normal()).filename().string();
}

}  // namespace

struct EmbeddingModel::Impl {
  Impl(embedding::WordPiece tok, const embedding::BertConfig& config, const embedding::SafeTensors& tensors)
      : tokenizer(std::move(tok)), bert(config, tensors) {}
  embedding::WordPiece tokenizer;
  embedding::BertModel bert;
  Head head;
  ModelIdentity identity;
  std::size_t max_tokens = 0, threads = 1;
};

EmbeddingModel EmbeddingModel::load(const std::string& dir, const EmbeddingOptions& options) {
  const fs::path root(dir);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw Error(ErrorCode::kNotFound, dir + ": no such model folder");
  const std::size_t threads = thread_count(options.threads);  // refuses more than kMaxThreads
  if (options.max_tokens == 1)
    throw Error(ErrorCode::kInvalidArgument, "max_tokens must be 0 (the model's limit) or at least 2, not 1");

  const fs::path config_path = root / "config.json";
  const embedding::BertConfig config = embedding::parse_bert_config(read_file(config_path), config_path.string());
  const Head head = read_head(root);
  embedding::WordPiece tokenizer = read_tokenizer(root);
  if (static_cast<std::size_t>(tokenizer.max_id()) >= config.vocab)
    throw Error(ErrorCode::kInvalidArgument, dir + ": the vocabulary has ids up to " + std::to_string(tokenizer.max_id()) +
                                                 " but config.json's vocab_size is " + std::to_string(config.vocab));

  const fs::path weights_path = root / "model.safetensors";
  if (!is_file(weights_path) && is_file(root / "pytorch_model.bin"))
    throw Error(ErrorCode::kNotFound, weights_path.string() +
                                          ": no such file (pytorch_model.bin is not read: convert it to safetensors)");
  const std::string weights = read_file(weights_path);
  const embedding::SafeTensors tensors(weights, weights_path.string());

  auto impl = std::make_unique<Impl>(std::move(tokenizer), config, tensors);
  impl->head = head;
  impl->identity.name = folder_name(root);
  impl->identity.dimension = config.hidden;
  impl->identity.weights_sha256 = util::sha256_hex(weights.data(), weights.size());
  // Never more tokens than the model has positions for.
  impl->max_tokens = options.max_tokens == 0 ? model_max_tokens(root, config.max_positions)
                                             : std::min(options.max_tokens, config.max_positions);
  impl->threads = threads;
  return EmbeddingModel(std::move(impl));
}

EmbeddingModel::EmbeddingModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EmbeddingModel::EmbeddingModel(EmbeddingModel&&) noexcept = default;
EmbeddingModel& EmbeddingModel::operator=(EmbeddingModel&&) noexcept = default;
EmbeddingModel::~EmbeddingModel() = default;

ModelIdentity EmbeddingModel::identity() const { return impl_->identity; }

std::vector<float> EmbeddingModel::embed(const std::string& text) const {
  return impl_->bert.embed(impl_->tokenizer.encode(text, impl_->max_tokens), impl_->head.pooling, impl_->head.normalize);
}

std::vector<std::vector<float>> EmbeddingModel::embed_batch(const std::vector<std::string>& texts) const {
  std::vector<std::vector<float>> out(texts.size());
  const std::size_t workers = std::min(impl_->threads, texts.size());
  if (workers <= 1) {
    for (std::size_t i = 0; i < texts.size(); ++i) out[i] = embed(texts[i]);
    return out;
  }
  // Each text alone on whichever thread takes it next: results equal embed().
  // The caller is worker 0; a thread the system refuses leaves its share to
  // the others.
  std::atomic<std::size_t> next{0};
  std::vector<std::exception_ptr> errors(workers);
  auto work = [&](std::size_t w) {
    try {
      for (std::size_t i; (i = next.fetch_add(1)) < texts.size();) out[i] = embed(texts[i]);
    } catch (...) {
      errors[w] = std::current_exception();
      next = texts.size();
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) {
    try {
      threads.emplace_back(work, w);
    } catch (const std::system_error&) {
      break;
    }
  }
  work(0);
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

std::vector<std::string> EmbeddingModel::tokenize(const std::string& text) const {
  std::vector<std::string> pieces;
  for (int id : impl_->tokenizer.encode(text, impl_->max_tokens)) pieces.push_back(impl_->tokenizer.token(id));
  return pieces;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size())
    throw Error(ErrorCode::kInvalidArgument, "cosine of vectors of different lengths (" + std::to_string(a.size()) +
                                                 " and " + std::to_string(b.size()) + ")");
  double dot = 0, na = 0, nb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    dot += double(a[i]) * b[i];
    na += double(a[i]) * a[i];
    nb += double(b[i]) * b[i];
  }
  if (na == 0 || nb == 0) return 0;
  return dot / (std::sqrt(na) * std::sqrt(nb));
}

}  // namespace askalike
