// Elementwise float32 Multiply / Add / Sub / RealDiv with broadcasting, on the wasm heap. tfjs-wasm runs these at
// ~2–4 ns per element (more with broadcasting); they are ~30 % of a small-preset train step's kernel time (RMSNorm,
// RoPE, SiLU and their gradients). Each is one IEEE operation per element, as in tfjs's kernels, so the results are
// the same bits; only the speed changes.
#include <node_api.h>
#include <cmath>
#include <cstdint>
#include <string>

#include "decode.h"
#include "napi_args.h"

namespace {

constexpr const char* kCode = "ERR_MAPPA_BINARY";

bool BinaryFail(napi_env env, const std::string& msg) { return ThrowArg(env, kCode, "binary: " + msg); }

template <int Op>
inline float Apply(float a, float b) {
  if constexpr (Op == 0) return a * b;
  if constexpr (Op == 1) return a + b;
  if constexpr (Op == 2) return a - b;
  return a / b;
}

// One inner row of n outputs; a and b advance by sa / sb (0 = broadcast, 1 = contiguous).
template <int Op>
#if defined(__x86_64__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void Row(const float* __restrict a, int64_t sa, const float* __restrict b, int64_t sb, float* __restrict out, int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t j = 0; j < n; ++j) out[j] = Apply<Op>(a[j], b[j]);
  } else if (sa == 1 && sb == 0) {
    const float y = b[0];
    for (int64_t j = 0; j < n; ++j) out[j] = Apply<Op>(a[j], y);
  } else if (sa == 0 && sb == 1) {
    const float x = a[0];
    for (int64_t j = 0; j < n; ++j) out[j] = Apply<Op>(x, b[j]);
  } else {
    for (int64_t j = 0; j < n; ++j) out[j] = Apply<Op>(a[j * sa], b[j * sb]);
  }
}

template <int Op>
void Run(const float* a, const float* b, float* out, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb) {
  const int64_t inner = shape[rank - 1];
  int64_t outer = 1;
  for (int d = 0; d < rank - 1; ++d) outer *= shape[d];
  int64_t idx[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t ia = 0, ib = 0;
  for (int64_t o = 0; o < outer; ++o) {
    Row<Op>(a + ia, sa[rank - 1], b + ib, sb[rank - 1], out + o * inner, inner);
    // Odometer over the outer dimensions.
    for (int d = rank - 2; d >= 0; --d) {
      ia += sa[d];
      ib += sb[d];
      if (++idx[d] < shape[d]) break;
      ia -= sa[d] * shape[d];
      ib -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

}  // namespace

// binary(heap, op, dims, offsets)
//   op      0 Multiply, 1 Add, 2 Sub, 3 RealDiv
//   dims    Int32Array [rank, outShape[rank], aStrides[rank], bStrides[rank]] (strides in elements, 0 = broadcast;
//           rank 1..8)
//   offsets Float64Array [a, b, out] byte offsets; the extents a and b reach are checked, out is prod(outShape)
napi_value Binary(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  if (argc != 4) return BinaryFail(env, "takes 4 arguments (heap, op, dims, offsets)"), nullptr;
  uint8_t* data = nullptr;
  size_t bytes = 0;
  if (!HeapArg(env, argv[0], kCode, "binary: ", &data, &bytes)) return nullptr;
  int32_t op = -1;
  if (napi_get_value_int32(env, argv[1], &op) != napi_ok || op < 0 || op > 3) return BinaryFail(env, "op must be 0..3"), nullptr;
  size_t len = 0;
  int32_t* dims = nullptr;
  if (!TypedArg(env, argv[2], napi_int32_array, kCode, "binary: dims", &dims, &len)) return nullptr;
  if (len < 1) return BinaryFail(env, "dims must not be empty"), nullptr;
  const int rank = dims[0];
  if (rank < 1 || rank > 8 || (int64_t)len != 1 + 3 * (int64_t)rank) return BinaryFail(env, "dims must hold rank (1..8) and three rank-long lists"), nullptr;
  int64_t shape[8], sa[8], sb[8];
  int64_t n = 1;
  double aEnd = 1, bEnd = 1;  // one past the last element read, in elements
  for (int d = 0; d < rank; ++d) {
    shape[d] = dims[1 + d];
    sa[d] = dims[1 + rank + d];
    sb[d] = dims[1 + 2 * rank + d];
    if (shape[d] < 1 || sa[d] < 0 || sb[d] < 0) return BinaryFail(env, "shape entries must be >= 1 and strides >= 0"), nullptr;
    n *= shape[d];
    aEnd += (double)sa[d] * (double)(shape[d] - 1);
    bEnd += (double)sb[d] * (double)(shape[d] - 1);
  }
  double* off = nullptr;
  if (!TypedArg(env, argv[3], napi_float64_array, kCode, "binary: offsets (3 byte offsets)", &off, &len, 3)) return nullptr;
  const double extents[3] = {aEnd, bEnd, (double)n};
  float* ptr[3];
  for (int i = 0; i < 3; ++i) {
    if (!HeapSpan(env, kCode, "binary: operand " + std::to_string(i), off[i], extents[i], bytes)) return nullptr;
    ptr[i] = reinterpret_cast<float*>(data + (int64_t)off[i]);
  }
  for (int i = 0; i < 2; ++i) {
    if (off[2] < off[i] + 4.0 * extents[i] && off[i] < off[2] + 4.0 * (double)n) return BinaryFail(env, "the output overlaps operand " + std::to_string(i)), nullptr;
  }
  switch (op) {
    case 0: Run<0>(ptr[0], ptr[1], ptr[2], rank, shape, sa, sb); break;
    case 1: Run<1>(ptr[0], ptr[1], ptr[2], rank, shape, sa, sb); break;
    case 2: Run<2>(ptr[0], ptr[1], ptr[2], rank, shape, sa, sb); break;
    default: Run<3>(ptr[0], ptr[1], ptr[2], rank, shape, sa, sb); break;
  }
  return nullptr;
}
