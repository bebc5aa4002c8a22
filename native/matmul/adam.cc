// One Adam(W) update of a parameter tensor in one pass over the wasm heap, for the trainers' Adam
// (plugins/trainers/runtime/Adam.ts): on the tfjs path the same update is ~10 elementwise ops per parameter tensor,
// each a full pass and a JS → wasm round trip. The arithmetic is the tfjs ops' own, in the same order, in float32
// without FP contraction, so the results are the same bits.
#include <node_api.h>
#include <cmath>
#include <cstdint>
#include <string>

#include "decode.h"
#include "napi_args.h"

namespace {

constexpr const char* kCode = "ERR_MAPPA_ADAM";

bool AdamFail(napi_env env, const std::string& msg) { return ThrowArg(env, kCode, "adam: " + msg); }

#if defined(__x86_64__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void Update(const float* __restrict p, const float* __restrict g0, const float* __restrict m, const float* __restrict v,
            float* __restrict pOut, float* __restrict mOut, float* __restrict vOut, int64_t n, float gradScale, float b1,
            float c1, float b2, float c2, float rootBc2, float eps, float stepSize, float decay) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = g0[i] * gradScale;
    const float mi = m[i] * b1 + g * c1;
    const float vi = v[i] * b2 + (g * g) * c2;
    mOut[i] = mi;
    vOut[i] = vi;
    pOut[i] = p[i] * decay - (mi / (std::sqrt(vi) / rootBc2 + eps)) * stepSize;
  }
}

}  // namespace

// adam(heap, n, offsets, hyper)
//   offsets Float64Array [p, g, m, v, pOut, mOut, vOut]: byte offsets of n float32s each (outputs must not overlap
//           anything); hyper Float32Array [gradScale, beta1, 1-beta1, beta2, 1-beta2, rootBc2, eps, stepSize, decay]
//           (an unused scale or decay is 1: multiplying by 1 is exact, so the bits equal the tfjs code that skips it)
napi_value Adam(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  if (argc != 4) return AdamFail(env, "takes 4 arguments (heap, n, offsets, hyper)"), nullptr;
  uint8_t* data = nullptr;
  size_t bytes = 0;
  if (!HeapArg(env, argv[0], kCode, "adam: ", &data, &bytes)) return nullptr;
  double nd;
  if (napi_get_value_double(env, argv[1], &nd) != napi_ok || !(nd >= 0) || nd != std::floor(nd) || nd > 4503599627370496.0) return AdamFail(env, "n must be a non-negative integer"), nullptr;
  const int64_t n = (int64_t)nd;
  size_t len;
  double* off = nullptr;
  float* hp = nullptr;
  if (!TypedArg(env, argv[2], napi_float64_array, kCode, "adam: offsets (7 byte offsets)", &off, &len, 7) ||
      !TypedArg(env, argv[3], napi_float32_array, kCode, "adam: hyper", &hp, &len, 9)) {
    return nullptr;
  }
  float* t[7];
  for (int i = 0; i < 7; ++i) {
    if (!HeapSpan(env, kCode, "adam: tensor " + std::to_string(i), off[i], (double)n, bytes)) return nullptr;
    t[i] = reinterpret_cast<float*>(data + (int64_t)off[i]);
  }
  for (int o = 4; o < 7; ++o) {
    for (int i = 0; i < 7; ++i) {
      if (i == o) continue;
      const double a = off[o], b = off[i];
      if (n > 0 && a < b + 4.0 * (double)n && b < a + 4.0 * (double)n) return AdamFail(env, "output " + std::to_string(o) + " overlaps tensor " + std::to_string(i)), nullptr;
    }
  }
  Update(t[0], t[1], t[2], t[3], t[4], t[5], t[6], n, hp[0], hp[1], hp[2], hp[3], hp[4], hp[5], hp[6], hp[7], hp[8]);
  return nullptr;
}
