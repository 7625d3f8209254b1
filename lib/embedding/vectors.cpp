#include "embedding/vectors.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <utility>

#include "askalike/error.hpp"

namespace askalike {

std::string embedding_text(const Record& r) {
  if (r.title.empty() && r.question.empty()) return r.answer;
  if (r.title.empty()) return r.question;
  if (r.question.empty()) return r.title;
  return r.title + "\n" + r.question;
}

std::string encode_vector(const std::vector<float>& vector) {
  std::string out(vector.size() * 4, '\0');
  for (std::size_t i = 0; i < vector.size(); ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, &vector[i], 4);
    for (int b = 0; b < 4; ++b) out[i * 4 + b] = static_cast<char>((bits >> (8 * b)) & 0xFF);
  }
  return out;
}

bool decode_vector(const std::string& value, std::size_t dimension, std::vector<float>& out) {
  if (value.empty()) return false;
  if (value.size() != dimension * 4)
    throw Error(ErrorCode::kCorrupt, "a stored embedding of " + std::to_string(value.size()) + " bytes, not " +
                                         std::to_string(dimension * 4) + " (" + std::to_string(dimension) +
                                         " dimensions)");
  out.resize(dimension);
  for (std::size_t i = 0; i < dimension; ++i) {
    std::uint32_t bits = 0;
    for (int b = 0; b < 4; ++b) bits |= std::uint32_t(static_cast<unsigned char>(value[i * 4 + b])) << (8 * b);
    std::memcpy(&out[i], &bits, 4);
  }
  return true;
}

std::shared_ptr<const EmbeddingModel> shared_model(const std::string& dir, std::size_t max_tokens) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::size_t>, std::weak_ptr<const EmbeddingModel>> loaded;
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(dir, ec);
  const auto key = std::make_pair(ec ? dir : canonical.string(), max_tokens);
  // Held while loading: two threads asking for one model load it once.
  std::lock_guard<std::mutex> lock(mutex);
  if (auto model = loaded[key].lock()) return model;
  EmbeddingOptions options;
  options.max_tokens = max_tokens;
  auto model = std::make_shared<const EmbeddingModel>(EmbeddingModel::load(dir, options));
  loaded[key] = model;
  return model;
}

std::shared_ptr<const EmbeddingModel> model_for_database(const schema::EmbeddingInfo& info, const std::string& dir,
                                                         const std::string& db_path) {
  std::string folder = dir.empty() ? info.model_path : dir;
  std::shared_ptr<const EmbeddingModel> model;
  try {
    model = shared_model(folder, info.max_tokens);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kNotFound || !dir.empty()) throw;
    // The folder the database was built from is gone: $ASKALIKE_MODEL says
    // where the model is on this machine (its identity is checked below).
    const char* env = std::getenv("ASKALIKE_MODEL");
    if (!env || !*env)
      throw Error(ErrorCode::kNotFound, db_path + " was built with the embedding model " + info.identity.name +
                                            " from " + info.model_path + ", which cannot be loaded now (" +
                                            e.what() + "): pass the model's folder (--model DIR, or "
                                            "ASKALIKE_MODEL=DIR), or search without the semantic stage "
                                            "(--no-semantic)");
    folder = env;
    model = shared_model(folder, info.max_tokens);
  }
  const ModelIdentity id = model->identity();
  if (id.weights_sha256 != info.identity.weights_sha256 || id.dimension != info.identity.dimension)
    throw Error(ErrorCode::kInvalidArgument,
                "the model in " + folder + " (" + id.name + ", weights " + id.weights_sha256.substr(0, 12) +
                    ") is not the one " + db_path + " was built with (" + info.identity.name + ", weights " +
                    info.identity.weights_sha256.substr(0, 12) +
                    "): its vectors are not comparable; pass that model's folder, or rebuild with "
                    "`askalike reindex --model DIR`");
  return model;
}

schema::EmbeddingInfo embedding_info(const EmbeddingModel& model, const std::string& dir, std::size_t max_tokens) {
  schema::EmbeddingInfo info;
  info.identity = model.identity();
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(dir, ec);
  info.model_path = ec ? dir : absolute.lexically_normal().string();
  info.max_tokens = max_tokens;
  return info;
}

}  // namespace askalike
