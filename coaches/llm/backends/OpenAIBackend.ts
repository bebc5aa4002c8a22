import OpenAI from 'openai';
import { BackendError, parseRetryAfter } from '../BackendError.js';
import type { CompletionRequest, CompletionResult, LlmBackend } from '../LlmBackend.js';
import { scrubSecret } from '../scrubSecret.js';

export interface OpenAIBackendOptions {
  readonly baseURL: string;
  readonly model: string;
  readonly apiKey: string;
  /** `max_completion_tokens` for OpenAI reasoning models, `max_tokens` for most OpenAI-compatible servers. */
  readonly maxTokensField?: 'max_tokens' | 'max_completion_tokens' | undefined;
  readonly extraBody?: Readonly<Record<string, unknown>> | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly fetch?: typeof globalThis.fetch | undefined;
}

/** OpenAI-compatible chat completions (OpenAI, vLLM, Ollama, OpenRouter, Gemini's OpenAI endpoint) via the `openai` package. */
export class OpenAIBackend implements LlmBackend {
  readonly provider = 'openai';
  readonly #client: OpenAI;

  constructor(private readonly o: OpenAIBackendOptions) {
    this.#client = new OpenAI({
      baseURL: o.baseURL,
      apiKey: o.apiKey,
      // The coach runtime owns retries and timeouts (it aborts through the signal).
      maxRetries: 0,
      timeout: 24 * 3600_000,
      ...(o.headers ? { defaultHeaders: { ...o.headers } } : {}),
      ...(o.fetch ? { fetch: o.fetch } : {}),
    });
  }

  get model(): string {
    return this.o.model;
  }

  get baseURL(): string {
    return this.o.baseURL;
  }

  async complete(request: CompletionRequest, signal: AbortSignal): Promise<CompletionResult> {
    const body: Record<string, unknown> = {
      model: this.o.model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.maxTokens ? { [this.o.maxTokensField ?? 'max_tokens']: request.maxTokens } : {}),
      ...(request.jsonSchema
        ? { response_format: { type: 'json_schema', json_schema: { name: 'coach_evaluation', schema: request.jsonSchema, strict: true } } }
        : {}),
      ...(this.o.extraBody ?? {}),
    };
    let response: OpenAI.Chat.Completions.ChatCompletion;
    try {
      response = await this.#client.chat.completions.create(body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, {
        signal,
      });
    } catch (err) {
      throw this.#toBackendError(err);
    }
    const choice = response.choices?.[0];
    if (!choice) throw new BackendError('openai: response has no choices', { kind: 'invalid-response' });
    return {
      text: choice.message?.content ?? '',
      inputTokens: response.usage?.prompt_tokens ?? 0,
      outputTokens: response.usage?.completion_tokens ?? 0,
      ...(response.model ? { model: response.model } : {}),
    };
  }

  #toBackendError(err: unknown): BackendError {
    const scrub = (m: string) => scrubSecret(m, this.o.apiKey);
    if (err instanceof OpenAI.APIUserAbortError) return new BackendError('openai: request aborted', { kind: 'aborted' });
    if (err instanceof OpenAI.APIConnectionTimeoutError) return new BackendError('openai: request timed out', { kind: 'timeout' });
    if (err instanceof OpenAI.APIConnectionError) return new BackendError(`openai: connection failed: ${scrub(err.message)}`, { kind: 'network' });
    if (err instanceof OpenAI.APIError && err.status !== undefined) {
      return new BackendError(`openai: HTTP ${err.status}: ${scrub(err.message)}`, {
        kind: 'http',
        status: err.status,
        retryAfterMs: parseRetryAfter(err.headers),
      });
    }
    return new BackendError(`openai: ${scrub((err as Error)?.message ?? String(err))}`, { kind: 'invalid-response' });
  }
}
