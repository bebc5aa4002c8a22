/** One chat message sent to a coach model. */
export interface CoachChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** A provider-neutral completion request; every field takes part in the cache key. */
export interface CompletionRequest {
  readonly messages: readonly CoachChatMessage[];
  /** Omitted: the server's default (some reasoning models reject a temperature). */
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** JSON schema the reply must follow (structured output), for backends that support it. */
  readonly jsonSchema?: Readonly<Record<string, unknown>>;
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
 * The thin part of an LLM coach that speaks one provider's wire protocol. It makes exactly one HTTP request per call
 * (no retries of its own: the coach runtime retries, limits and caches) and turns failures into `BackendError`.
 */
export interface LlmBackend {
  /** Provider name, part of the cache key (`openai`, `anthropic`, `gemini`). */
  readonly provider: string;
  readonly model: string;
  /** Base URL requests go to; identifies the provider for shared rate limits. */
  readonly baseURL: string;
  complete(request: CompletionRequest, signal: AbortSignal): Promise<CompletionResult>;
}
