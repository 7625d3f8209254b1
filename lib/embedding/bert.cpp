#include "embedding/bert.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>
#include <unsupported/Eigen/SpecialFunctions>

#include "askalike/error.hpp"

namespace askalike {
namespace embedding {
namespace {

using nlohmann::json;

// Dimensions above this are refused before anything is allocated for them.
constexpr std::size_t kMaxDimension = 1u << 20;

std::size_t dimension(const json& config, const char* key, const std::string& name) {
  const auto it = config.find(key);
  if (it == config.end()) throw Error(ErrorCode::kInvalidArgument, name + ": " + key + " is missing");
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0 || it->get<std::uint64_t>() > kMaxDimension)
    throw Error(ErrorCode::kInvalidArgument, name + ": " + key + " is not a count from 1 to " + std::to_string(kMaxDimension));
  return it->get<std::size_t>();
}

class WeightReader {
 public:
  explicit WeightReader(const SafeTensors& tensors) : tensors_(tensors) {}

  std::vector<float> read(const std::string& name, const std::vector<std::size_t>& shape) const {
    if (!tensors_.find(name) && tensors_.find("bert." + name)) return tensors_.floats("bert." + name, shape);
    return tensors_.floats(name, shape);
  }
  RowVector vector(const std::string& name, std::size_t n) const {
    const std::vector<float> v = read(name, {n});
    return Eigen::Map<const RowVector>(v.data(), static_cast<Eigen::Index>(n));
  }
  Matrix matrix(const std::string& name, std::size_t rows, std::size_t cols) const {
    const std::vector<float> v = read(name, {rows, cols});
    return Eigen::Map<const Matrix>(v.data(), static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  }
  Dense dense(const std::string& name, std::size_t in, std::size_t out) const {
    const Matrix w = matrix(name + ".weight", out, in).transpose();
    const RowVector b = vector(name + ".bias", out);
    return kernels::pack(w.data(), b.data(), in, out);
  }
  LayerNorm norm(const std::string& name, std::size_t n) const {
    return LayerNorm{vector(name + ".weight", n), vector(name + ".bias", n)};
  }

 private:
  const SafeTensors& tensors_;
};

void layer_norm(Matrix& x, const LayerNorm& norm, float eps) {
  const Eigen::Index n = x.cols();
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    auto row = x.row(r);
    const float mean = row.sum() / static_cast<float>(n);
    row.array() -= mean;
    const float variance = row.squaredNorm() / static_cast<float>(n);
    row *= 1.0f / std::sqrt(variance + eps);
    row.array() = row.array() * norm.gamma.array() + norm.beta.array();
  }
}

// x W + b into `out` (resized only when the shape changes).
void apply(kernels::Isa isa, const Dense& d, const Matrix& x, Matrix& out) {
  out.resize(x.rows(), static_cast<Eigen::Index>(d.out));
  kernels::dense(isa, d, x.data(), static_cast<std::size_t>(x.rows()), out.data());
}

}  // namespace

BertConfig parse_bert_config(const std::string& bytes, const std::string& name) {
  json config;
  try {
    config = json::parse(bytes);
  } catch (const json::exception& e) {
    throw Error(ErrorCode::kCorrupt, name + ": not JSON: " + e.what());
  }
  if (!config.is_object()) throw Error(ErrorCode::kCorrupt, name + ": not a JSON object");
  const std::string model_type = config.value("model_type", std::string());
  if (model_type != "bert")
    throw Error(ErrorCode::kInvalidArgument, name + ": model_type \"" + model_type +
                                                 "\" is not supported (only \"bert\": BERT, MiniLM, BGE, E5)");
  const auto act = config.find("hidden_act");
  if (act != config.end() && !(act->is_string() && act->get<std::string>() == "gelu"))
    throw Error(ErrorCode::kInvalidArgument, name + ": hidden_act " + act->dump() + " is not supported (only \"gelu\")");
  const auto position = config.find("position_embedding_type");
  if (position != config.end() && !(position->is_string() && position->get<std::string>() == "absolute"))
    throw Error(ErrorCode::kInvalidArgument,
                name + ": position_embedding_type " + position->dump() + " is not supported (only \"absolute\")");
  BertConfig c;
  c.hidden = dimension(config, "hidden_size", name);
  c.heads = dimension(config, "num_attention_heads", name);
  c.layers = dimension(config, "num_hidden_layers", name);
  c.intermediate = dimension(config, "intermediate_size", name);
  c.max_positions = dimension(config, "max_position_embeddings", name);
  c.type_vocab = dimension(config, "type_vocab_size", name);
  c.vocab = dimension(config, "vocab_size", name);
  if (c.hidden % c.heads != 0)
    throw Error(ErrorCode::kInvalidArgument, name + ": hidden_size " + std::to_string(c.hidden) +
                                                 " is not a multiple of num_attention_heads " + std::to_string(c.heads));
  const auto eps = config.find("layer_norm_eps");
  if (eps != config.end()) {
    if (!eps->is_number() || !(eps->get<double>() > 0) || !(eps->get<double>() < 1))
      throw Error(ErrorCode::kInvalidArgument, name + ": layer_norm_eps is not a small positive number");
    c.layer_norm_eps = eps->get<float>();
  }
  return c;
}

BertModel::BertModel(const BertConfig& config, const SafeTensors& tensors)
    : config_(config), isa_(kernels::default_isa()) {
  const WeightReader r(tensors);
  const std::size_t h = config.hidden;
  word_ = r.matrix("embeddings.word_embeddings.weight", config.vocab, h);
  position_ = r.matrix("embeddings.position_embeddings.weight", config.max_positions, h);
  token_type0_ = r.matrix("embeddings.token_type_embeddings.weight", config.type_vocab, h).row(0);
  embedding_norm_ = r.norm("embeddings.LayerNorm", h);
  for (std::size_t i = 0; i < config.layers; ++i) {
    const std::string p = "encoder.layer." + std::to_string(i) + ".";
    BertLayer layer;
    layer.query = r.dense(p + "attention.self.query", h, h);
    layer.key = r.dense(p + "attention.self.key", h, h);
    layer.value = r.dense(p + "attention.self.value", h, h);
    layer.attention_out = r.dense(p + "attention.output.dense", h, h);
    layer.attention_norm = r.norm(p + "attention.output.LayerNorm", h);
    layer.intermediate = r.dense(p + "intermediate.dense", h, config.intermediate);
    layer.output = r.dense(p + "output.dense", config.intermediate, h);
    layer.output_norm = r.norm(p + "output.LayerNorm", h);
    layers_.push_back(std::move(layer));
  }
}

std::vector<float> BertModel::embed(const std::vector<int>& ids, Pooling pooling, bool normalize) const {
  const Eigen::Index n = static_cast<Eigen::Index>(ids.size());
  const Eigen::Index h = static_cast<Eigen::Index>(config_.hidden);
  const Eigen::Index head = h / static_cast<Eigen::Index>(config_.heads);
  const float scale = 1.0f / std::sqrt(static_cast<float>(head));

  // The buffers of one text, allocated once for all its layers.
  Matrix x(n, h), q(n, h), k(n, h), v(n, h), context(n, h), tmp(n, h), scores(n, n), inter;
  for (Eigen::Index t = 0; t < n; ++t) x.row(t) = word_.row(ids[t]) + position_.row(t) + token_type0_;
  layer_norm(x, embedding_norm_, config_.layer_norm_eps);

  for (const BertLayer& layer : layers_) {
    apply(isa_, layer.query, x, q);
    apply(isa_, layer.key, x, k);
    apply(isa_, layer.value, x, v);
    for (Eigen::Index a = 0; a < h; a += head) {
      scores.noalias() = q.middleCols(a, head) * k.middleCols(a, head).transpose();
      for (Eigen::Index r = 0; r < n; ++r) {  // softmax of each row of scores / sqrt(d)
        auto row = scores.row(r);
        const float top = row.maxCoeff();
        row = ((row.array() - top) * scale).exp().matrix();
        row /= row.sum();
      }
      context.middleCols(a, head).noalias() = scores * v.middleCols(a, head);
    }
    apply(isa_, layer.attention_out, context, tmp);
    x += tmp;
    layer_norm(x, layer.attention_norm, config_.layer_norm_eps);

    apply(isa_, layer.intermediate, x, inter);
    // Eigen's vectorised erf (float, a few ulp): std::erf one value at a
    // time was a tenth of the forward pass.
    inter.array() = 0.5f * inter.array() * (1.0f + (inter.array() * 0.70710678118654752f).erf());
    apply(isa_, layer.output, inter, tmp);
    x += tmp;
    layer_norm(x, layer.output_norm, config_.layer_norm_eps);
  }

  RowVector pooled = pooling == Pooling::kCls ? RowVector(x.row(0)) : RowVector(x.colwise().mean());
  if (normalize) pooled /= std::max(pooled.norm(), 1e-12f);
  return std::vector<float>(pooled.data(), pooled.data() + pooled.size());
}

}  // namespace embedding
}  // namespace askalike
