/** Connection settings of a coach backend built on a Stainless-generated SDK (`openai`, `@anthropic-ai/sdk`). */
export interface StainlessConnection {
  readonly baseURL: string;
  readonly apiKey: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly fetch?: typeof globalThis.fetch | undefined;
}

/**
 * Client options shared by both SDKs. The key is always explicit, so the SDK never reads credentials from profiles or
 * other environment variables; the coach runtime owns retries and timeouts (it aborts through the signal).
 */
export function stainlessClientOptions(o: StainlessConnection) {
  return {
    baseURL: o.baseURL,
    apiKey: o.apiKey,
    maxRetries: 0,
    timeout: 24 * 3600_000,
    ...(o.headers ? { defaultHeaders: { ...o.headers } } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
  };
}
