// The BERT encoder: its configuration, its weights (read from a
// safetensors file, every shape checked) and the forward pass of one text.
#ifndef ASKALIKE_EMBEDDING_BERT_HPP_
#define ASKALIKE_EMBEDDING_BERT_HPP_

#include <cstddef>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "embedding/kernels.hpp"
#include "embedding/safetensors.hpp"

namespace askalike {
namespace embedding {

// Row-major, as the rows are tokens: sequence x hidden.
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;

struct BertConfig {
  std::size_t hidden = 0, heads = 0, layers = 0, intermediate = 0;
  std::size_t max_positions = 0, type_vocab = 0, vocab = 0;
  float layer_norm_eps = 1e-12f;
};

// Reads config.json (its text `bytes`; `name` in errors). Throws
// Error(kCorrupt) for JSON that does not parse, Error(kInvalidArgument) for
// a model that is not a BERT this code runs.
BertConfig parse_bert_config(const std::string& bytes, const std::string& name);

// x W + b, W packed for few rows (PyTorch stores it output x input).
using Dense = kernels::PackedDense;

struct LayerNorm {
  RowVector gamma, beta;
};

struct BertLayer {
  Dense query, key, value, attention_out, intermediate, output;
  LayerNorm attention_norm, output_norm;
};

enum class Pooling { kMean, kCls };

class BertModel {
 public:
  // Reads every weight of `config` from `tensors` (names with or without a
  // "bert." prefix). Throws Error(kInvalidArgument) for a tensor missing or
  // of the wrong shape.
  BertModel(const BertConfig& config, const SafeTensors& tensors);

  // The pooled (and, when `normalize`, unit-length) embedding of the token
  // ids `ids` (each < config.vocab, at most config.max_positions of them).
  std::vector<float> embed(const std::vector<int>& ids, Pooling pooling, bool normalize) const;

  const BertConfig& config() const { return config_; }
  // The instruction set of the dense layers (kernels::default_isa()).
  kernels::Isa isa() const { return isa_; }

 private:
  BertConfig config_;
  kernels::Isa isa_;
  Matrix word_, position_;
  RowVector token_type0_;
  LayerNorm embedding_norm_;
  std::vector<BertLayer> layers_;
};

}  // namespace embedding
}  // namespace askalike

#endif  // ASKALIKE_EMBEDDING_BERT_HPP_
