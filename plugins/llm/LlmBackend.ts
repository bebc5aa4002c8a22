/** One chat message of a plain text completion. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** A provider-neutral text completion request. */
export interface CompletionRequest {
  readonly messages: readonly ChatMessage[];
  /** Omitted: the server's default (some reasoning models reject a temperature). */
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** JSON schema the reply must follow (structured output), for backends that support it. */
  readonly jsonSchema?: Readonly<Record<string, unknown>>;
  /** Name of that schema where the wire format wants one (OpenAI's `json_schema.name`; default `response`). */
  readonly jsonSchemaName?: string;
}

export interface CompletionResult {
  /** The reply text (for thinking models, only the non-thought parts). */
  readonly text: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Model name the server reports, if any. */
  readonly model?: string;
}

/**
 * One provider's text completion (messages in, text and token counts out). It makes exactly one HTTP request per call
 * (no retries of its own: `LlmCaller` retries, limits and times out) and turns failures into `LlmError`.
 */
export interface LlmBackend {
  /** Provider name (`openai`, `anthropic`, `gemini`); part of cache keys and limiter keys. */
  readonly provider: string;
  readonly model: string;
  /** Base URL requests go to; identifies the provider for shared rate limits. */
  readonly baseURL: string;
  complete(request: CompletionRequest, signal: AbortSignal): Promise<CompletionResult>;
}
