// Batched single-precision GEMM on a wasm heap: tfjs-backend-wasm keeps every tensor in one ArrayBuffer (the wasm
// module's memory); the kernel passes that buffer and byte offsets, and this calls OpenBLAS's cblas_sgemm in place.
// Every offset and extent is validated against the buffer's byte length before any access: a bad call throws a
// JS error and touches nothing.
#include <node_api.h>
#include <cblas.h>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "decode.h"

namespace {

bool Throw(napi_env env, const std::string& msg) {
  napi_throw_range_error(env, "ERR_MAPPA_MATMUL", msg.c_str());
  return false;
}

bool GetInt(napi_env env, napi_value v, const char* name, double max, int64_t* out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return Throw(env, std::string(name) + " must be a number");
  if (!std::isfinite(d) || d < 0 || d != std::floor(d) || d > max) {
    return Throw(env, std::string(name) + " must be an integer in [0, " + std::to_string((int64_t)max) + "]");
  }
  *out = (int64_t)d;
  return true;
}

bool GetBool(napi_env env, napi_value v, const char* name, bool* out) {
  if (napi_get_value_bool(env, v, out) != napi_ok) return Throw(env, std::string(name) + " must be a boolean");
  return true;
}

// Checks that `batch` matrices of `rows*cols` floats starting at byte `off`, `stride` floats apart, lie inside
// [0, byteLength). All arithmetic in doubles well below 2^53, so it cannot wrap.
bool InBounds(napi_env env, const char* name, int64_t off, int64_t batch, int64_t stride, int64_t rows, int64_t cols,
              size_t byteLength) {
  if (off % 4 != 0) return Throw(env, std::string(name) + " offset is not 4-byte aligned");
  double lastEnd = (double)off + 4.0 * ((double)(batch - 1) * (double)stride + (double)rows * (double)cols);
  if (lastEnd > (double)byteLength) {
    return Throw(env, std::string(name) + " extends past the end of the heap (" + std::to_string((int64_t)lastEnd) +
                          " > " + std::to_string(byteLength) + " bytes)");
  }
  return true;
}

// One row of C = op(A)[row] · op(B) by sgemv. OpenBLAS's sgemm computes a row of C differently depending on where it
// falls in its blocking (remainder micro-kernels split the reduction differently), so a row's bits depend on how many
// rows share the call; the generation engine batches whichever requests are live, which is timing-dependent. Row by
// row, a row's result depends only on its own inputs (checked for every row count, transpose and heap offset).
void GemmRowwise(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* A, int lda, const float* B, int ldb,
                 float* C) {
  // A strided x takes another path inside sgemv with other rounding: copy a transposed A's row to contiguous memory.
  thread_local std::vector<float> row;
  if (ta) row.resize((size_t)k);
  for (int64_t r = 0; r < m; ++r) {
    const float* x = A + r * lda;
    if (ta) {
      for (int64_t j = 0; j < k; ++j) row[(size_t)j] = A[j * lda + r];
      x = row.data();
    }
    const int incx = 1;
    // y[n] = op(B)ᵀ x: B stored [k, n] (tb=false) is read transposed; stored [n, k] (tb=true) as is.
    if (tb) {
      cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)k, 1.0f, B, ldb, x, incx, 0.0f, C + r * n, 1);
    } else {
      cblas_sgemv(CblasRowMajor, CblasTrans, (int)k, (int)n, 1.0f, B, ldb, x, incx, 0.0f, C + r * n, 1);
    }
  }
}

// sgemm(heap, transA, transB, m, n, k, aOff, bOff, cOff, batch, strideA, strideB, strideC, rowwise)
// Row-major C[i] = op(A[i]) · op(B[i]); offsets in bytes, strides in floats (0 = broadcast one matrix); rowwise: each
// row of C independent of the others (GemmRowwise), for batches whose composition is not reproducible.
napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  if (argc != 14) {
    Throw(env, "sgemm takes 14 arguments (heap, transA, transB, m, n, k, aOff, bOff, cOff, batch, strideA, strideB, strideC, rowwise)");
    return nullptr;
  }
  bool isAb = false;
  napi_is_arraybuffer(env, argv[0], &isAb);
  if (!isAb) {
    Throw(env, "heap must be an ArrayBuffer");
    return nullptr;
  }
  void* data = nullptr;
  size_t byteLength = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &byteLength) != napi_ok || data == nullptr) {
    Throw(env, "heap ArrayBuffer is detached");
    return nullptr;
  }
  bool ta, tb, rowwise;
  if (!GetBool(env, argv[1], "transA", &ta) || !GetBool(env, argv[2], "transB", &tb) ||
      !GetBool(env, argv[13], "rowwise", &rowwise)) {
    return nullptr;
  }
  const double kDim = 2147483647.0;  // BLAS ints are 32-bit
  const double kBig = 4503599627370496.0;  // 2^52
  int64_t m, n, k, aOff, bOff, cOff, batch, sA, sB, sC;
  if (!GetInt(env, argv[3], "m", kDim, &m) || !GetInt(env, argv[4], "n", kDim, &n) ||
      !GetInt(env, argv[5], "k", kDim, &k) || !GetInt(env, argv[6], "aOff", kBig, &aOff) ||
      !GetInt(env, argv[7], "bOff", kBig, &bOff) || !GetInt(env, argv[8], "cOff", kBig, &cOff) ||
      !GetInt(env, argv[9], "batch", kDim, &batch) || !GetInt(env, argv[10], "strideA", kBig, &sA) ||
      !GetInt(env, argv[11], "strideB", kBig, &sB) || !GetInt(env, argv[12], "strideC", kBig, &sC)) {
    return nullptr;
  }
  if (batch == 0 || m == 0 || n == 0) return nullptr;
  if (sC < m * n && batch > 1) {
    Throw(env, "strideC is smaller than one output matrix: outputs would overlap");
    return nullptr;
  }
  if (!InBounds(env, "a", aOff, batch, sA, m, k, byteLength) ||
      !InBounds(env, "b", bOff, batch, sB, k, n, byteLength) ||
      !InBounds(env, "c", cOff, batch, sC, m, n, byteLength)) {
    return nullptr;
  }
  // The output must not alias an input (tfjs always allocates a fresh one; this guards misuse).
  auto overlaps = [](int64_t o1, int64_t len1, int64_t o2, int64_t len2) { return o1 < o2 + len2 && o2 < o1 + len1; };
  int64_t lenC = 4 * ((batch - 1) * sC + m * n);
  if (overlaps(cOff, lenC, aOff, 4 * ((batch - 1) * sA + m * k)) ||
      overlaps(cOff, lenC, bOff, 4 * ((batch - 1) * sB + k * n))) {
    Throw(env, "output overlaps an input");
    return nullptr;
  }
  uint8_t* base = static_cast<uint8_t*>(data);
  const float* A = reinterpret_cast<const float*>(base + aOff);
  const float* B = reinterpret_cast<const float*>(base + bOff);
  float* C = reinterpret_cast<float*>(base + cOff);
  const int lda = ta ? (int)m : (int)k;
  const int ldb = tb ? (int)k : (int)n;
  for (int64_t i = 0; i < batch; ++i) {
    if (k == 0) {
      for (int64_t j = 0; j < m * n; ++j) C[i * sC + j] = 0.0f;
      continue;
    }
    if (rowwise) {
      GemmRowwise(ta, tb, m, n, k, A + i * sA, lda > 0 ? lda : 1, B + i * sB, ldb > 0 ? ldb : 1, C + i * sC);
      continue;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n,
                (int)k, 1.0f, A + i * sA, lda > 0 ? lda : 1, B + i * sB, ldb > 0 ? ldb : 1, 0.0f, C + i * sC,
                (int)n);
  }
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int64_t t = 0;
  if (argc != 1) {
    Throw(env, "setThreads takes one argument");
    return nullptr;
  }
  if (!GetInt(env, argv[0], "threads", 256, &t)) return nullptr;
  if (t < 1) {
    Throw(env, "threads must be >= 1");
    return nullptr;
  }
  openblas_set_num_threads((int)t);
  return nullptr;
}

napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_int32(env, openblas_get_num_threads(), &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, GetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"decode", nullptr, Decode, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"prefill", nullptr, Prefill, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 7, props);
  napi_value config;
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &config);
  napi_set_named_property(env, exports, "blasConfig", config);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
