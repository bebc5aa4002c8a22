// Generation of a Llama / Qwen2 / Qwen3 decoder in two native calls: `prefill` (a batch of contexts → each row's
// keys/values and last logits) and `decode` (one KV-cache step for a batch of rows). On the tfjs path a decode step is
// ~30 ops per layer, each a JS → wasm round trip; at decode sizes (one position per row) that dispatch, not arithmetic,
// sets the speed. Here everything runs in C++ over the weights tfjs already holds in the wasm heap (the policy's
// inference copies: transposed, fused q|k|v and gate|up, norm gains and the attention scale folded in), with each
// row's keys and values in a buffer of its own.
//
// A row's bits never depend on which other rows share a call (generation batches whichever requests are live, which
// depends on timing): prefill runs each context on its own; decode's matrix products use one kernel whose sums run in
// a fixed order per output element, however many rows there are; reductions are sequential.
//
// Every offset and extent is validated before any access; a bad call throws a RangeError and touches nothing.
#include <node_api.h>
#include <cblas.h>
#include <cmath>
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "decode.h"
#include "napi_args.h"

namespace {

constexpr const char* kCode = "ERR_MAPPA_DECODE";

bool Fail(napi_env env, const std::string& msg) { return ThrowArg(env, kCode, "decode: " + msg); }

// Per-layer weight slots in `offsets` (byte offsets into the heap, -1 = absent).
enum Slot { kQkvW, kQkvB, kQNorm, kKNorm, kOW, kOB, kGuW, kGuB, kDownW, kDownB, kSlots };

template <typename T>
bool TypedArray(napi_env env, napi_value v, napi_typedarray_type want, const char* name, T** data, size_t* length) {
  return TypedArg(env, v, want, kCode, std::string("decode: ") + name, data, length);
}

// Y[r] = X[r] · W (+ bias) for R rows, W row-major [K, N] (the transposed inference weights). Each output element
// is summed over k in ascending order whatever R is, so a row's result does not depend on the other rows (sgemm's
// blocking would make it depend on R); the weights are read once per block of K for all rows, which is what makes a
// batched decode step faster than one matrix-vector product per row. Compiled for AVX-512, AVX2 and baseline x86-64;
// without FP contraction (ISO C++ mode) every variant gives the same bits.
#if defined(__x86_64__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void LinearRows(const float* __restrict X, int64_t R, int64_t K, const float* __restrict W, int64_t N,
                const float* __restrict bias, float* __restrict Y) {
  for (int64_t i = 0; i < R * N; ++i) Y[i] = 0.0f;
  constexpr int64_t kBlock = 64;
  for (int64_t k0 = 0; k0 < K; k0 += kBlock) {
    const int64_t k1 = std::min(K, k0 + kBlock);
    for (int64_t r = 0; r < R; ++r) {
      float* __restrict y = Y + r * N;
      const float* x = X + r * K;
      int64_t k = k0;
      for (; k + 4 <= k1; k += 4) {
        const float x0 = x[k], x1 = x[k + 1], x2 = x[k + 2], x3 = x[k + 3];
        const float* __restrict w0 = W + k * N;
        const float* __restrict w1 = w0 + N;
        const float* __restrict w2 = w1 + N;
        const float* __restrict w3 = w2 + N;
        for (int64_t j = 0; j < N; ++j) y[j] = (((y[j] + x0 * w0[j]) + x1 * w1[j]) + x2 * w2[j]) + x3 * w3[j];
      }
      for (; k < k1; ++k) {
        const float xk = x[k];
        const float* __restrict wk = W + k * N;
        for (int64_t j = 0; j < N; ++j) y[j] = y[j] + xk * wk[j];
      }
    }
  }
  if (bias) {
    for (int64_t r = 0; r < R; ++r) for (int64_t j = 0; j < N; ++j) Y[r * N + j] += bias[j];
  }
}

// Y = X · W (+ bias) for the T positions of one context: sgemm (its bits depend on T, the context's own length).
void LinearSeq(const float* X, int64_t T, int64_t K, const float* W, int64_t N, const float* bias, float* Y) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, (int)N, (int)K, 1.0f, X, (int)K, W, (int)N, 0.0f, Y, (int)N);
  if (bias) {
    for (int64_t t = 0; t < T; ++t) for (int64_t j = 0; j < N; ++j) Y[t * N + j] += bias[j];
  }
}

// x · rsqrt(mean(x²) + eps) into out (the gain is folded into the next projection, or applied by the caller).
inline void Normalize(const float* x, int n, float eps, float* out) {
  float sum = 0.0f;
  for (int i = 0; i < n; ++i) sum += x[i] * x[i];
  const float r = 1.0f / std::sqrt(sum / (float)n + eps);
  for (int i = 0; i < n; ++i) out[i] = x[i] * r;
}

// Rotary embedding in the rotate_half layout: x·cos + [-x₂, x₁]·sin.
inline void Rope(float* x, const float* cos, const float* sin, int hd) {
  const int half = hd / 2;
  for (int e = 0; e < half; ++e) {
    const float a = x[e];
    const float b = x[e + half];
    x[e] = a * cos[e] + (-b) * sin[e];
    x[e + half] = b * cos[e + half] + a * sin[e + half];
  }
}


// The model as decode.cc reads it: dimensions and weight pointers into the heap, all validated.
struct Model {
  int64_t L, D, H, KV, HD, I, V, rows;
  bool qkNorm;
  float eps;
  std::vector<const float*> w;  // L × kSlots
  const float* embed;
  const float* head;
  int64_t qkvCols() const { return (H + 2 * KV) * HD; }
  const float* const* layer(int64_t l) const { return &w[(size_t)(l * kSlots)]; }
};

// Reads heap, dims, eps and offsets (argv[0..3]); false after throwing.
bool ParseModel(napi_env env, napi_value* argv, Model* m) {
  uint8_t* heap = nullptr;
  size_t heapBytes = 0;
  if (!HeapArg(env, argv[0], kCode, "decode: ", &heap, &heapBytes)) return false;
  int32_t* dims = nullptr;
  size_t nDims;
  if (!TypedArray(env, argv[1], napi_int32_array, "dims", &dims, &nDims)) return false;
  if (nDims != 9) return Fail(env, "dims must hold 9 values");
  const int64_t kMax = 1 << 24;
  for (int i = 0; i < 9; ++i) {
    if (i == 7) continue;
    if (dims[i] < (i == 8 ? 0 : 1) || dims[i] > kMax) return Fail(env, "dims[" + std::to_string(i) + "] is out of range");
  }
  *m = Model{dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6], dims[8], dims[7] != 0, 0.0f, {}, nullptr, nullptr};
  if (m->H % m->KV != 0 || m->HD % 2 != 0) return Fail(env, "heads must be a multiple of kvHeads and headDim even");
  double eps;
  if (napi_get_value_double(env, argv[2], &eps) != napi_ok || !(eps >= 0) || !std::isfinite(eps)) return Fail(env, "eps must be a finite number >= 0");
  m->eps = (float)eps;
  double* offsets = nullptr;
  size_t nOffsets;
  if (!TypedArray(env, argv[3], napi_float64_array, "offsets", &offsets, &nOffsets)) return false;
  if ((int64_t)nOffsets != m->L * kSlots + 2) return Fail(env, "offsets must hold layers × 10 + 2 values");
  const int64_t D = m->D, HD = m->HD, I = m->I, q = m->qkvCols();
  const int64_t slotFloats[kSlots] = {D * q, q, HD, HD, m->H * HD * D, D, D * 2 * I, 2 * I, I * D, D};
  const bool required[kSlots] = {true, false, m->qkNorm, m->qkNorm, true, false, true, false, true, false};
  auto at = [&](double off, int64_t floats, const std::string& what, const float** out) -> bool {
    if (off == -1) {
      *out = nullptr;
      return true;
    }
    if (!HeapSpan(env, kCode, "decode: " + what, off, (double)floats, heapBytes)) return false;
    *out = reinterpret_cast<const float*>(heap + (int64_t)off);
    return true;
  };
  m->w.assign((size_t)(m->L * kSlots), nullptr);
  for (int64_t l = 0; l < m->L; ++l) {
    for (int s = 0; s < kSlots; ++s) {
      const double off = offsets[l * kSlots + s];
      const std::string what = "layer " + std::to_string(l) + " slot " + std::to_string(s);
      if (required[s] && off == -1) return Fail(env, what + " is required");
      if (!at(off, slotFloats[s], what, &m->w[(size_t)(l * kSlots + s)])) return false;
    }
  }
  if (!at(offsets[m->L * kSlots], m->V * D, "embedding", &m->embed) || !at(offsets[m->L * kSlots + 1], D * m->V, "lm head", &m->head)) return false;
  if (!m->embed || !m->head) return Fail(env, "the embedding and the lm head are required");
  return true;
}

// Reads the per-row caches (one Float32Array each, [layers, 2, capacity, kvHeads, headDim]) and capacities.
bool ParseCaches(napi_env env, napi_value arr, napi_value caps, const Model& m, std::vector<float*>* caches, int32_t** capacities) {
  size_t nCap;
  if (!TypedArray(env, caps, napi_int32_array, "capacities", capacities, &nCap)) return false;
  if ((int64_t)nCap != m.rows) return Fail(env, "capacities must hold one value per row");
  bool isArray = false;
  napi_is_array(env, arr, &isArray);
  uint32_t n = 0;
  if (!isArray || napi_get_array_length(env, arr, &n) != napi_ok || (int64_t)n != m.rows) return Fail(env, "caches must be an array with one Float32Array per row");
  caches->assign((size_t)m.rows, nullptr);
  for (int64_t r = 0; r < m.rows; ++r) {
    napi_value el;
    if (napi_get_element(env, arr, (uint32_t)r, &el) != napi_ok) return false;
    size_t len;
    const std::string name = "caches[" + std::to_string(r) + "]";
    if (!TypedArray(env, el, napi_float32_array, name.c_str(), &(*caches)[(size_t)r], &len)) return false;
    const int64_t cap = (*capacities)[r];
    if (cap < 1 || (int64_t)len != m.L * 2 * cap * m.KV * m.HD) return Fail(env, name + " does not hold layers × 2 × capacity × kvHeads × headDim floats");
  }
  return true;
}

// The per-call arguments of decode and prefill after the model (argv[4..10]); `second` is positions or lengths.
struct StepArgs {
  int32_t* tokens = nullptr;
  int32_t* second = nullptr;
  int32_t* capacities = nullptr;
  float* cos = nullptr;
  float* sin = nullptr;
  float* logits = nullptr;
  size_t nTokens = 0, nSecond = 0, nCos = 0, nSin = 0;
  std::vector<float*> caches;
};

bool ParseStepArgs(napi_env env, napi_value* argv, const Model& m, const char* secondName, StepArgs* a) {
  size_t nLogits = 0;
  if (!TypedArray(env, argv[4], napi_int32_array, "tokens", &a->tokens, &a->nTokens) ||
      !TypedArray(env, argv[5], napi_int32_array, secondName, &a->second, &a->nSecond) ||
      !TypedArray(env, argv[6], napi_float32_array, "cos", &a->cos, &a->nCos) ||
      !TypedArray(env, argv[7], napi_float32_array, "sin", &a->sin, &a->nSin) ||
      !TypedArray(env, argv[10], napi_float32_array, "logits", &a->logits, &nLogits)) {
    return false;
  }
  if ((int64_t)a->nSecond != m.rows) return Fail(env, std::string(secondName) + " must hold one value per row");
  if ((int64_t)nLogits != m.rows * m.V) return Fail(env, "logits must hold rows × vocab values");
  return ParseCaches(env, argv[8], argv[9], m, &a->caches, &a->capacities);
}

// decode's and prefill's common prologue: 11 arguments, the model (argv[0..3]) and the step arguments (argv[4..10]).
bool ParseCall(napi_env env, napi_callback_info info, const char* name, const char* secondName, Model* m, StepArgs* args) {
  size_t argc = 11;
  napi_value argv[11];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return false;
  if (argc != 11) {
    return Fail(env, std::string(name) + " takes 11 arguments (heap, dims, eps, offsets, tokens, " + secondName + ", cos, sin, caches, capacities, logits)");
  }
  return ParseModel(env, argv, m) && ParseStepArgs(env, argv, *m, secondName, args);
}

// Work space for n positions (decode: one per row; prefill: one context's), carved out of one buffer.
struct Scratch {
  float *h, *x, *qkv, *att, *gu, *delta, *scores;
  // Floats needed for n positions and `scoreFloats` attention scores.
  static int64_t Floats(const Model& m, int64_t n, int64_t scoreFloats) {
    return n * (2 * m.D + m.qkvCols() + m.H * m.HD + 2 * m.I + m.D) + scoreFloats;
  }
  Scratch(float* base, const Model& m, int64_t n)
      : h(base), x(h + n * m.D), qkv(x + n * m.D), att(qkv + n * m.qkvCols()), gu(att + n * m.H * m.HD),
        delta(gu + n * 2 * m.I), scores(delta + n * m.D) {}
};

// q|k|v of one position after the projection: optional q/k RMSNorm (gains), rotary embedding at cos/sin.
void QkPost(const Model& m, const float* const* lw, float* qkv, const float* cs, const float* sn) {
  float* q = qkv;
  float* k = qkv + m.H * m.HD;
  if (m.qkNorm) {
    for (int64_t j = 0; j < m.H; ++j) {
      Normalize(q + j * m.HD, (int)m.HD, m.eps, q + j * m.HD);
      for (int64_t e = 0; e < m.HD; ++e) q[j * m.HD + e] *= lw[kQNorm][e];
    }
    for (int64_t j = 0; j < m.KV; ++j) {
      Normalize(k + j * m.HD, (int)m.HD, m.eps, k + j * m.HD);
      for (int64_t e = 0; e < m.HD; ++e) k[j * m.HD + e] *= lw[kKNorm][e];
    }
  }
  for (int64_t j = 0; j < m.H; ++j) Rope(q + j * m.HD, cs, sn, (int)m.HD);
  for (int64_t j = 0; j < m.KV; ++j) Rope(k + j * m.HD, cs, sn, (int)m.HD);
}

void SoftmaxRow(float* s, int64_t n);

// a · b in a fixed order (eight running sums, combined pairwise): vectorised, yet the same bits at any alignment.
inline float Dot(const float* a, const float* b, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) acc[k] += a[i + k] * b[i + k];
  }
  float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

// Attention of one query head over positions 0..n-1 of its KV group (keys/values `stride` floats apart): softmax(q·K)
// then Σ p_s·V_s in position order. Plain loops rather than sgemv, whose kernels may split sums by address alignment.
void AttendOne(const float* q, const float* keys, const float* values, int64_t n, int64_t stride, int64_t hd, float* scores, float* out) {
  for (int64_t s = 0; s < n; ++s) scores[s] = Dot(q, keys + s * stride, hd);
  SoftmaxRow(scores, n);
  for (int64_t e = 0; e < hd; ++e) out[e] = 0.0f;
  for (int64_t s = 0; s < n; ++s) {
    const float p = scores[s];
    const float* v = values + s * stride;
    for (int64_t e = 0; e < hd; ++e) out[e] += p * v[e];
  }
}

// In place: a row of scores → probabilities (max, exp, sum, divide, sequentially).
void SoftmaxRow(float* s, int64_t n) {
  float mx = s[0];
  for (int64_t i = 1; i < n; ++i) mx = std::max(mx, s[i]);
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    s[i] = std::exp(s[i] - mx);
    sum += s[i];
  }
  for (int64_t i = 0; i < n; ++i) s[i] /= sum;
}

// The feed-forward half of a layer for n positions: h += down(silu(gate) · up) of the normalised h.
void Mlp(const Model& m, const float* const* lw, float* h, int64_t n, float* x, float* gu, float* delta, bool seq) {
  const int64_t D = m.D, I = m.I;
  for (int64_t t = 0; t < n; ++t) Normalize(h + t * D, (int)D, m.eps, x + t * D);
  if (seq) LinearSeq(x, n, D, lw[kGuW], 2 * I, lw[kGuB], gu);
  else LinearRows(x, n, D, lw[kGuW], 2 * I, lw[kGuB], gu);
  // gate·sigmoid(gate)·up, packed into the first I columns of each row.
  for (int64_t t = 0; t < n; ++t) {
    float* row = gu + t * 2 * I;
    for (int64_t i = 0; i < I; ++i) {
      const float g = row[i];
      gu[t * I + i] = (g * (1.0f / (1.0f + std::exp(-g)))) * row[I + i];
    }
  }
  if (seq) LinearSeq(gu, n, I, lw[kDownW], D, lw[kDownB], delta);
  else LinearRows(gu, n, I, lw[kDownW], D, lw[kDownB], delta);
  for (int64_t i = 0; i < n * D; ++i) h[i] += delta[i];
}

}  // namespace

// decode(heap, dims, eps, offsets, tokens, positions, cos, sin, caches, capacities, logits)
//   dims       Int32Array [layers, hidden, heads, kvHeads, headDim, intermediate, vocab, qkNorm, rows]
//   offsets    Float64Array: layers × 10 per-layer slots (Slot), then the embedding [vocab, hidden] and the LM head
//              [hidden, vocab]; byte offsets into heap, -1 for an absent bias / norm
//   tokens     Int32Array [rows]: the token each row feeds in; positions Int32Array [rows]: its position
//   cos, sin   Float32Array [rows, headDim]: rotary rows for those positions
//   caches     Array of rows Float32Arrays [layers, 2 (keys, values), capacity, kvHeads, headDim]; positions
//              0..position-1 filled, this step writes `position`
//   capacities Int32Array [rows]; logits Float32Array [rows, vocab] (output)
napi_value Decode(napi_env env, napi_callback_info info) {
  Model m;
  StepArgs args;
  if (!ParseCall(env, info, "decode", "positions", &m, &args)) return nullptr;
  const int64_t R = m.rows, D = m.D, H = m.H, KV = m.KV, HD = m.HD, V = m.V, Q = m.qkvCols();
  if ((int64_t)args.nTokens != R) return Fail(env, "tokens must hold one value per row"), nullptr;
  if ((int64_t)args.nCos != R * HD || (int64_t)args.nSin != R * HD) return Fail(env, "cos and sin must hold rows × headDim values"), nullptr;
  const int32_t* tokens = args.tokens;
  const int32_t* positions = args.second;
  const int32_t* capacities = args.capacities;
  const float* cosT = args.cos;
  const float* sinT = args.sin;
  float* logits = args.logits;
  std::vector<float*>& caches = args.caches;
  int64_t maxPos = 0;
  for (int64_t r = 0; r < R; ++r) {
    if (positions[r] < 0 || positions[r] >= capacities[r]) return Fail(env, "positions[" + std::to_string(r) + "] is outside the row's capacity"), nullptr;
    if (tokens[r] < 0 || tokens[r] >= V) return Fail(env, "tokens[" + std::to_string(r) + "] is outside the vocabulary"), nullptr;
    maxPos = std::max<int64_t>(maxPos, positions[r] + 1);
  }
  if (R == 0) return nullptr;

  const int64_t rep = H / KV;
  thread_local std::vector<float> buf;
  buf.assign((size_t)Scratch::Floats(m, R, maxPos), 0.0f);
  const Scratch w(buf.data(), m, R);
  float *h = w.h, *x = w.x, *qkv = w.qkv, *att = w.att, *gu = w.gu, *delta = w.delta, *scores = w.scores;
  for (int64_t r = 0; r < R; ++r) std::copy(m.embed + tokens[r] * D, m.embed + (tokens[r] + 1) * D, h + r * D);
  for (int64_t l = 0; l < m.L; ++l) {
    const float* const* lw = m.layer(l);
    for (int64_t r = 0; r < R; ++r) Normalize(h + r * D, (int)D, m.eps, x + r * D);
    LinearRows(x, R, D, lw[kQkvW], Q, lw[kQkvB], qkv);
    for (int64_t r = 0; r < R; ++r) {
      const int64_t p = positions[r];
      const int64_t cap = capacities[r];
      float* row = qkv + r * Q;
      QkPost(m, lw, row, cosT + r * HD, sinT + r * HD);
      float* kCache = caches[(size_t)r] + l * 2 * cap * KV * HD;
      float* vCache = kCache + cap * KV * HD;
      std::copy(row + H * HD, row + (H + KV) * HD, kCache + p * KV * HD);
      std::copy(row + (H + KV) * HD, row + Q, vCache + p * KV * HD);
      // Queries carry the 1/√headDim scale (folded into the weights or the q_norm gain).
      for (int64_t j = 0; j < H; ++j) {
        const int64_t g = j / rep;
        AttendOne(row + j * HD, kCache + g * HD, vCache + g * HD, p + 1, KV * HD, HD, scores, att + (r * H + j) * HD);
      }
    }
    LinearRows(att, R, H * HD, lw[kOW], D, lw[kOB], delta);
    for (int64_t i = 0; i < R * D; ++i) h[i] += delta[i];
    Mlp(m, lw, h, R, x, gu, delta, false);
  }
  for (int64_t r = 0; r < R; ++r) Normalize(h + r * D, (int)D, m.eps, x + r * D);
  LinearRows(x, R, D, m.head, V, nullptr, logits);
  return nullptr;
}

// prefill(heap, dims, eps, offsets, tokens, lengths, cos, sin, caches, capacities, logits)
//   tokens   Int32Array: the rows' contexts one after another; lengths Int32Array [rows]
//   cos, sin Float32Array [longest context, headDim]: rotary rows for positions 0..longest-1
//   caches   as for decode; positions 0..length-1 are written
//   logits   Float32Array [rows, vocab]: the next-token logits after each context (output)
// Each context runs on its own (sgemm over its positions, causal attention), so its bits depend only on itself.
napi_value Prefill(napi_env env, napi_callback_info info) {
  Model m;
  StepArgs args;
  if (!ParseCall(env, info, "prefill", "lengths", &m, &args)) return nullptr;
  const int64_t R = m.rows, D = m.D, H = m.H, KV = m.KV, HD = m.HD, V = m.V, Q = m.qkvCols();
  const int32_t* tokens = args.tokens;
  const int32_t* lengths = args.second;
  const int32_t* capacities = args.capacities;
  const float* cosT = args.cos;
  const float* sinT = args.sin;
  float* logits = args.logits;
  std::vector<float*>& caches = args.caches;
  const size_t nTok = args.nTokens, nCos = args.nCos, nSin = args.nSin;
  int64_t total = 0, longest = 0;
  for (int64_t r = 0; r < R; ++r) {
    if (lengths[r] < 1 || lengths[r] > capacities[r]) return Fail(env, "lengths[" + std::to_string(r) + "] is not within 1..the row's capacity"), nullptr;
    total += lengths[r];
    longest = std::max<int64_t>(longest, lengths[r]);
  }
  if ((int64_t)nTok != total) return Fail(env, "tokens must hold the sum of lengths"), nullptr;
  if ((int64_t)nCos < longest * HD || (int64_t)nSin < longest * HD) return Fail(env, "cos and sin must hold longest length × headDim values"), nullptr;
  for (size_t i = 0; i < nTok; ++i) {
    if (tokens[i] < 0 || tokens[i] >= V) return Fail(env, "tokens[" + std::to_string(i) + "] is outside the vocabulary"), nullptr;
  }
  if (R == 0) return nullptr;

  const int64_t rep = H / KV;
  const int64_t T0 = longest;
  std::vector<float> buf((size_t)Scratch::Floats(m, T0, T0 * T0));
  const int32_t* ctx = tokens;
  for (int64_t r = 0; r < R; ++r) {
    const int64_t T = lengths[r];
    const int64_t cap = capacities[r];
    const Scratch w(buf.data(), m, T);
    float *h = w.h, *x = w.x, *qkv = w.qkv, *att = w.att, *gu = w.gu, *delta = w.delta, *scores = w.scores;
    for (int64_t t = 0; t < T; ++t) std::copy(m.embed + ctx[t] * D, m.embed + (ctx[t] + 1) * D, h + t * D);
    for (int64_t l = 0; l < m.L; ++l) {
      const float* const* lw = m.layer(l);
      for (int64_t t = 0; t < T; ++t) Normalize(h + t * D, (int)D, m.eps, x + t * D);
      LinearSeq(x, T, D, lw[kQkvW], Q, lw[kQkvB], qkv);
      float* kCache = caches[(size_t)r] + l * 2 * cap * KV * HD;
      float* vCache = kCache + cap * KV * HD;
      for (int64_t t = 0; t < T; ++t) {
        float* row = qkv + t * Q;
        QkPost(m, lw, row, cosT + t * HD, sinT + t * HD);
        std::copy(row + H * HD, row + (H + KV) * HD, kCache + t * KV * HD);
        std::copy(row + (H + KV) * HD, row + Q, vCache + t * KV * HD);
      }
      for (int64_t j = 0; j < H; ++j) {
        const int64_t g = j / rep;
        // scores[t, s] = q_t · k_s over all s, then each row's causal prefix 0..t.
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)T, (int)T, (int)HD, 1.0f, qkv + j * HD, (int)Q,
                    kCache + g * HD, (int)(KV * HD), 0.0f, scores, (int)T);
        for (int64_t t = 0; t < T; ++t) {
          float* s = scores + t * T;
          SoftmaxRow(s, t + 1);
          for (int64_t u = t + 1; u < T; ++u) s[u] = 0.0f;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, (int)HD, (int)T, 1.0f, scores, (int)T,
                    vCache + g * HD, (int)(KV * HD), 0.0f, att + j * HD, (int)(H * HD));
      }
      LinearSeq(att, T, H * HD, lw[kOW], D, lw[kOB], delta);
      for (int64_t i = 0; i < T * D; ++i) h[i] += delta[i];
      Mlp(m, lw, h, T, x, gu, delta, true);
    }
    Normalize(h + (T - 1) * D, (int)D, m.eps, x);
    LinearSeq(x, 1, D, m.head, V, nullptr, logits + r * V);
    ctx += T;
  }
  return nullptr;
}
