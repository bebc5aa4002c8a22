// The addon's entry points besides sgemm (decode.cc, adam.cc, binary.cc), registered by matmul.cc's module init.
#pragma once
#include <node_api.h>

napi_value Decode(napi_env env, napi_callback_info info);
napi_value Prefill(napi_env env, napi_callback_info info);
napi_value Adam(napi_env env, napi_callback_info info);
napi_value Binary(napi_env env, napi_callback_info info);
