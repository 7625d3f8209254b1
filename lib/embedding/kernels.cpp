// The dense-layer kernel, written once on GCC/Clang vector types and
// compiled for the portable x86-64 baseline (or any other CPU) and, with the
// target attribute, for AVX-512; AVX2+FMA has its own, in intrinsics.
// The build stays portable (no -march); the CPU is asked at run time.
// Only plain functions with internal linkage are compiled for a target, so
// no inline function of a header is ever emitted with AVX instructions.
#include "embedding/kernels.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>  // the AVX2 kernel's intrinsics, used only in target("avx2,fma") functions
#endif

namespace askalike {
namespace embedding {
namespace kernels {
namespace {

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define ASKALIKE_KERNELS_X86 1
#endif

// Native vectors of SSE and AVX-512 (4 and 16 floats); aligned(4):
// loads and stores through them need no alignment.
typedef float V4 __attribute__((vector_size(16), aligned(4)));
typedef float V16 __attribute__((vector_size(64), aligned(4)));

// Up to twelve sums in registers, whatever the vector width: R rows x kN
// vectors (SSE 3 x 4, AVX-512 12 x 1) of one panel's kPanel
// columns. Named variables, not an array: GCC keeps an array of vectors in
// memory. Sums past kSums are never touched and compiled away.
#define ASKALIKE_EACH_SUM(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11)
constexpr int kMaxSums = 12;

// x (rows x in) copied k-major in blocks of R rows (xt[block][k][row]), the
// last block padded by repeating the last row: one pointer then reaches
// every row's value at k. The buffer is the calling thread's own.
const float* k_major(const float* x, std::size_t rows, std::size_t in, int R) {
  const std::size_t blocks = (rows + R - 1) / R;
  thread_local std::vector<float> xt;
  if (xt.size() < blocks * in * R) xt.resize(blocks * in * R);
  for (std::size_t blk = 0; blk < blocks; ++blk)
    for (int i = 0; i < R; ++i) {
      const float* row = x + std::min(blk * R + i, rows - 1) * in;
      float* dst = xt.data() + blk * in * R + i;
      for (std::size_t k = 0; k < in; ++k) dst[k * R] = row[k];
    }
  return xt.data();
}

// y = x w + b for R rows at a time. x is first copied k-major
// (xt[block][k][row], the last block padded by repeating the last row), so
// that one pointer reaches every row's value; then each panel's `in` rows
// of weights stream by once for every block.
template <typename V, int R>
inline __attribute__((always_inline)) void dense_rows(const PackedDense& d, const float* x, std::size_t rows,
                                                      float* y) {
  constexpr int kLanes = sizeof(V) / sizeof(float);
  constexpr int kN = int(kPanel) / kLanes;
  constexpr int kSums = R * kN;
  static_assert(kSums <= kMaxSums, "as many sums as the registers hold");
  const std::size_t in = d.in, out = d.out;
  const std::size_t blocks = (rows + R - 1) / R;
  const float* xt = k_major(x, rows, in, R);
  const std::size_t panels = (out + kPanel - 1) / kPanel;
  for (std::size_t p = 0; p < panels; ++p) {
    const float* w = d.panels.data() + p * in * kPanel;
    const float* b = d.bias.data() + p * kPanel;
    const std::size_t col = p * kPanel, width = std::min(kPanel, out - col);
    for (std::size_t blk = 0; blk < blocks; ++blk) {
      const float* xb = xt + blk * in * R;
#define ASKALIKE_INIT(s) \
  V a##s = {};          \
  if ((s) < kSums) std::memcpy(&a##s, b + ((s) % kN) * kLanes, sizeof(V));
      ASKALIKE_EACH_SUM(ASKALIKE_INIT)
#undef ASKALIKE_INIT
      for (std::size_t k = 0; k < in; ++k) {
        const float* wk = w + k * kPanel;
        const float* xk = xb + k * R;
#define ASKALIKE_STEP(s)                                          \
  if ((s) < kSums) {                                              \
    V wj;                                                         \
    std::memcpy(&wj, wk + ((s) % kN) * kLanes, sizeof(V));        \
    a##s += wj * xk[(s) / kN];                                    \
  }
        ASKALIKE_EACH_SUM(ASKALIKE_STEP)
#undef ASKALIKE_STEP
      }
      const std::size_t r0 = blk * R;
#define ASKALIKE_STORE(s)                                                  \
  {                                                                        \
    const std::size_t r = r0 + (s) / kN, first = ((s) % kN) * kLanes;      \
    if ((s) < kSums && r < rows && first < width) {                        \
      float tmp[kLanes];                                                   \
      std::memcpy(tmp, &a##s, sizeof tmp);                                 \
      std::memcpy(y + r * out + col + first, tmp,                          \
                  std::min<std::size_t>(kLanes, width - first) * sizeof(float)); \
    }                                                                      \
  }
      ASKALIKE_EACH_SUM(ASKALIKE_STORE)
#undef ASKALIKE_STORE
    }
  }
}

// Blocks of all twelve sums, then the rows left in blocks a third as tall:
// padding a 14-row query to 24 rows would waste 40% of the work.
template <typename V>
inline __attribute__((always_inline)) void dense_body(const PackedDense& d, const float* x, std::size_t rows,
                                                      float* y) {
  constexpr int kR = kMaxSums / (int(kPanel) / int(sizeof(V) / sizeof(float)));
  constexpr int kSmallR = kR >= 3 ? kR / 3 : 1;
  const std::size_t tall = rows / kR * kR;
  if (tall > 0) dense_rows<V, kR>(d, x, tall, y);
  if (tall < rows) dense_rows<V, kSmallR>(d, x + tall * d.in, rows - tall, y + tall * d.out);
}

void dense_portable(const PackedDense& d, const float* x, std::size_t rows, float* y) {
  dense_body<V4>(d, x, rows, y);
}

#ifdef ASKALIKE_KERNELS_X86
// AVX2 in intrinsics: 16 ymm registers hold 6 rows x 2 vectors of sums, the
// panel's two weight vectors and a broadcast row value. Written on the
// vector types as above, GCC kept two of the twelve sums on the stack (a
// load and a store each step), and the path was no faster than SSE.
template <int R>
__attribute__((target("avx2,fma"))) void dense_rows_avx2(const PackedDense& d, const float* x, std::size_t rows,
                                                         float* y) {
  static_assert(R >= 1 && R <= 6, "6 rows of two vectors fill the registers");
  static_assert(kPanel == 16, "a panel is two AVX2 vectors");
  const std::size_t in = d.in, out = d.out;
  const std::size_t blocks = (rows + R - 1) / R;
  const float* xt = k_major(x, rows, in, R);
  const std::size_t panels = (out + kPanel - 1) / kPanel;
  for (std::size_t p = 0; p < panels; ++p) {
    const float* w = d.panels.data() + p * in * kPanel;
    const float* b = d.bias.data() + p * kPanel;
    const std::size_t col = p * kPanel, width = std::min(kPanel, out - col);
    for (std::size_t blk = 0; blk < blocks; ++blk) {
      const float* xb = xt + blk * in * R;
      const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#define ASKALIKE_ROWS(M) M(0) M(1) M(2) M(3) M(4) M(5)
#define ASKALIKE_INIT(r) __m256 lo##r = b0, hi##r = b1;
      ASKALIKE_ROWS(ASKALIKE_INIT)
#undef ASKALIKE_INIT
      for (std::size_t k = 0; k < in; ++k) {
        const __m256 w0 = _mm256_loadu_ps(w + k * kPanel), w1 = _mm256_loadu_ps(w + k * kPanel + 8);
        const float* xk = xb + k * R;
#define ASKALIKE_STEP(r)                           \
  if ((r) < R) {                                   \
    const __m256 v = _mm256_broadcast_ss(xk + (r)); \
    lo##r = _mm256_fmadd_ps(w0, v, lo##r);         \
    hi##r = _mm256_fmadd_ps(w1, v, hi##r);         \
  }
        ASKALIKE_ROWS(ASKALIKE_STEP)
#undef ASKALIKE_STEP
      }
#define ASKALIKE_STORE(r)                                                                  \
  if ((r) < R && blk * R + (r) < rows) {                                                   \
    float* dst = y + (blk * R + (r)) * out + col;                                          \
    if (width == kPanel) {                                                                 \
      _mm256_storeu_ps(dst, lo##r);                                                        \
      _mm256_storeu_ps(dst + 8, hi##r);                                                    \
    } else {                                                                               \
      alignas(32) float tmp[kPanel];                                                       \
      _mm256_store_ps(tmp, lo##r);                                                         \
      _mm256_store_ps(tmp + 8, hi##r);                                                     \
      std::memcpy(dst, tmp, width * sizeof(float));                                        \
    }                                                                                      \
  }
      ASKALIKE_ROWS(ASKALIKE_STORE)
#undef ASKALIKE_STORE
#undef ASKALIKE_ROWS
    }
  }
}

// Blocks of six rows, then the rest in one block of its own height.
__attribute__((target("avx2,fma"))) void dense_avx2(const PackedDense& d, const float* x, std::size_t rows,
                                                    float* y) {
  const std::size_t tall = rows / 6 * 6;
  if (tall > 0) dense_rows_avx2<6>(d, x, tall, y);
  x += tall * d.in;
  y += tall * d.out;
  switch (rows - tall) {
    case 1: return dense_rows_avx2<1>(d, x, 1, y);
    case 2: return dense_rows_avx2<2>(d, x, 2, y);
    case 3: return dense_rows_avx2<3>(d, x, 3, y);
    case 4: return dense_rows_avx2<4>(d, x, 4, y);
    case 5: return dense_rows_avx2<5>(d, x, 5, y);
    default: return;
  }
}

__attribute__((target("avx512f,fma"))) void dense_avx512(const PackedDense& d, const float* x, std::size_t rows,
                                                         float* y) {
  dense_body<V16>(d, x, rows, y);
}
#endif

Isa parse_isa(const char* name, Isa fallback) {
  if (!name) return fallback;
  for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512})
    if (std::strcmp(name, isa_name(isa)) == 0) return isa;
  return fallback;
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
    case Isa::kPortable:
      break;
  }
  return "portable";
}

bool supported(Isa isa) {
#ifdef ASKALIKE_KERNELS_X86
  switch (isa) {
    case Isa::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    case Isa::kPortable:
      break;
  }
  return true;
#else
  return isa == Isa::kPortable;
#endif
}

Isa default_isa() {
  Isa best = Isa::kPortable;
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512})
    if (supported(isa)) best = isa;
  // For tests and measurements: force another path (one this CPU lacks
  // falls back to the best it has).
  const Isa asked = parse_isa(std::getenv("ASKALIKE_EMBEDDING_ISA"), best);
  return supported(asked) ? asked : best;
}

PackedDense pack(const float* w, const float* b, std::size_t in, std::size_t out) {
  PackedDense d;
  d.in = in;
  d.out = out;
  const std::size_t panels = (out + kPanel - 1) / kPanel;
  d.panels.assign(panels * in * kPanel, 0.0f);
  d.bias.assign(panels * kPanel, 0.0f);
  for (std::size_t c = 0; c < out; ++c) {
    const std::size_t p = c / kPanel, j = c % kPanel;
    for (std::size_t k = 0; k < in; ++k) d.panels[(p * in + k) * kPanel + j] = w[k * out + c];
    d.bias[c] = b[c];
  }
  return d;
}

void dense(Isa isa, const PackedDense& d, const float* x, std::size_t rows, float* y) {
  if (rows == 0) return;
#ifdef ASKALIKE_KERNELS_X86
  if (isa == Isa::kAvx512) return dense_avx512(d, x, rows, y);
  if (isa == Isa::kAvx2) return dense_avx2(d, x, rows, y);
#endif
  (void)isa;
  dense_portable(d, x, rows, y);
}

}  // namespace kernels
}  // namespace embedding
}  // namespace askalike
