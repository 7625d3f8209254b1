#include "embedding/vectors.hpp"

#include <algorithm>
#include <cmath>
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

namespace {

void put_float(std::string& out, float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, 4);
  for (int b = 0; b < 4; ++b) out.push_back(static_cast<char>((bits >> (8 * b)) & 0xFF));
}

float get_float(const std::string& in, std::size_t at) {
  std::uint32_t bits = 0;
  for (int b = 0; b < 4; ++b) bits |= std::uint32_t(static_cast<unsigned char>(in[at + b])) << (8 * b);
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

}  // namespace

std::string encode_vector(const std::vector<float>& vector, VectorPrecision precision) {
  std::string out;
  if (precision == VectorPrecision::kFloat32) {
    out.reserve(vector.size() * 4);
    for (float v : vector) put_float(out, v);
    return out;
  }
  float largest = 0.0f;
  for (float v : vector)
    if (std::isfinite(v)) largest = std::max(largest, std::fabs(v));
  float scale = largest / 127.0f;
  if (!(scale > 0.0f)) scale = 1.0f;  // all zeros, or so small the scale underflows: every byte 0
  // Near the largest float, 127 x scale may round past it: step the scale
  // down until every byte x scale is a float again (what decoding checks).
  while (!std::isfinite(127.0f * scale)) scale = std::nextafter(scale, 0.0f);
  out.reserve(4 + vector.size());
  put_float(out, scale);
  for (float v : vector) {
    const float q = std::isfinite(v) ? std::nearbyint(v / scale) : 0.0f;
    out.push_back(static_cast<char>(static_cast<std::int8_t>(std::clamp(q, -127.0f, 127.0f))));
  }
  return out;
}

bool decode_vector(const std::string& value, std::size_t dimension, std::vector<float>& out) {
  if (value.empty()) return false;
  out.resize(dimension);
  if (value.size() == dimension * 4) {
    for (std::size_t i = 0; i < dimension; ++i) {
      out[i] = get_float(value, i * 4);
      // A NaN would make every score it touches NaN, and the ranking undefined.
      if (!std::isfinite(out[i]))
        throw Error(ErrorCode::kCorrupt, "a stored embedding holds a number that is not finite");
    }
    return true;
  }
  if (value.size() == dimension + 4) {
    const float scale = get_float(value, 0);
    if (!std::isfinite(scale) || !(scale > 0.0f))
      throw Error(ErrorCode::kCorrupt, "a stored embedding whose scale is not a positive finite number");
    for (std::size_t i = 0; i < dimension; ++i) {
      out[i] = static_cast<std::int8_t>(value[4 + i]) * scale;
      if (!std::isfinite(out[i]))  // a scale near the largest float, times 127
        throw Error(ErrorCode::kCorrupt, "a stored embedding holds a number that is not finite");
    }
    return true;
  }
  throw Error(ErrorCode::kCorrupt, "a stored embedding of " + std::to_string(value.size()) + " bytes, not " +
                                       std::to_string(dimension * 4) + " (" + std::to_string(dimension) +
                                       " float32s) or " + std::to_string(dimension + 4) + " (int8 and a scale)");
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
