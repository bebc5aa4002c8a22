import type { LlmConnection } from '../LlmConnection.js';

/**
 * Client options of the Stainless-generated SDKs (`openai`, `@anthropic-ai/sdk`). The key is always explicit, so the
 * SDK never reads credentials from profiles or other environment variables; `LlmCaller` owns retries and timeouts
 * (it aborts each attempt through its signal), so the SDK's own are switched off.
 */
export function stainlessClientOptions(o: LlmConnection) {
  return {
    baseURL: o.baseURL,
    apiKey: o.apiKey,
    maxRetries: 0,
    timeout: 24 * 3600_000,
    ...(o.headers ? { defaultHeaders: { ...o.headers } } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
  };
}
