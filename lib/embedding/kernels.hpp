// The hot loop of the BERT forward pass (its dense layers), compiled
// for several instruction sets in one portable build and chosen at run time.
//
// A query is ~15-25 token rows, so a dense layer is a few rows times a
// large weight matrix: a general GEMM spends much of its time re-packing the
// weights on every call. Here the weights are packed once, at model load,
// into panels of kPanel output columns, and each call streams them once.
#ifndef ASKALIKE_EMBEDDING_KERNELS_HPP_
#define ASKALIKE_EMBEDDING_KERNELS_HPP_

#include <cstddef>
#include <string>
#include <vector>

namespace askalike {
namespace embedding {
namespace kernels {

// Output columns per packed panel.
constexpr std::size_t kPanel = 16;

enum class Isa { kPortable, kAvx2, kAvx512 };

// "portable", "avx2", "avx512".
const char* isa_name(Isa isa);

// Whether this CPU runs `isa` (kPortable: always).
bool supported(Isa isa);

// The instruction set used by default: the best this CPU runs, unless the
// environment variable ASKALIKE_EMBEDDING_ISA names another ("portable",
// "avx2", "avx512"; one the CPU lacks falls back to the best it has).
Isa default_isa();

// A dense layer's weights (in x out) and bias, packed for dense().
struct PackedDense {
  std::size_t in = 0, out = 0;
  std::vector<float> panels;  // ceil(out / kPanel) panels of in x kPanel, zero padded
  std::vector<float> bias;    // out, zero padded to the panels
};

// Packs `w` (in x out, row-major: y = x w + b) and `b` (out).
PackedDense pack(const float* w, const float* b, std::size_t in, std::size_t out);

// y (rows x d.out, row-major) = x (rows x d.in, row-major) d.w + d.b.
void dense(Isa isa, const PackedDense& d, const float* x, std::size_t rows, float* y);

}  // namespace kernels
}  // namespace embedding
}  // namespace askalike

#endif  // ASKALIKE_EMBEDDING_KERNELS_HPP_
