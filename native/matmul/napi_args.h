// Argument checks shared by the addon's entry points: every one throws a RangeError naming the argument and returns
// false, so a bad call touches no memory.
#pragma once
#include <node_api.h>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

inline bool ThrowArg(napi_env env, const char* code, const std::string& msg) {
  napi_throw_range_error(env, code, msg.c_str());
  return false;
}

// The wasm heap: an attached ArrayBuffer.
inline bool HeapArg(napi_env env, napi_value v, const char* code, const std::string& prefix, uint8_t** data, size_t* bytes) {
  bool isAb = false;
  napi_is_arraybuffer(env, v, &isAb);
  void* raw = nullptr;
  if (!isAb || napi_get_arraybuffer_info(env, v, &raw, bytes) != napi_ok || raw == nullptr) return ThrowArg(env, code, prefix + "heap must be an attached ArrayBuffer");
  *data = static_cast<uint8_t*>(raw);
  return true;
}

// A typed array of the given element type; `length`, when not SIZE_MAX, is the required element count.
template <typename T>
inline bool TypedArg(napi_env env, napi_value v, napi_typedarray_type want, const char* code, const std::string& name, T** data, size_t* length, size_t required = SIZE_MAX) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type;
  void* raw = nullptr;
  if (!is || napi_get_typedarray_info(env, v, &type, length, &raw, nullptr, nullptr) != napi_ok) return ThrowArg(env, code, name + " must be a typed array");
  if (type != want) return ThrowArg(env, code, name + " has the wrong element type");
  if (raw == nullptr && *length > 0) return ThrowArg(env, code, name + " is detached");
  if (required != SIZE_MAX && *length != required) return ThrowArg(env, code, name + " must hold " + std::to_string(required) + " values");
  *data = static_cast<T*>(raw);
  return true;
}

// `floats` float32s at byte offset `off` of a heap of `bytes` bytes: aligned, in bounds.
inline bool HeapSpan(napi_env env, const char* code, const std::string& what, double off, double floats, size_t bytes) {
  if (!(off >= 0) || off != std::floor(off) || std::fmod(off, 4.0) != 0) return ThrowArg(env, code, what + " offset is not a 4-byte-aligned byte offset");
  if (off + 4.0 * floats > (double)bytes) return ThrowArg(env, code, what + " extends past the end of the heap");
  return true;
}
