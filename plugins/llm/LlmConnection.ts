/** Where and how an LLM client connects. The key comes from the environment (`readApiKey`), never from a file. */
export interface LlmConnection {
  readonly baseURL: string;
  /** `EMPTY` for loopback servers that need none. */
  readonly apiKey: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Injectable fetch (tests, proxies). */
  readonly fetch?: typeof globalThis.fetch | undefined;
}
