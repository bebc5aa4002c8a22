import Anthropic from '@anthropic-ai/sdk';
import { BackendError, parseRetryAfter } from '../BackendError.js';
import type { CompletionRequest, CompletionResult, LlmBackend } from '../LlmBackend.js';
import { scrubSecret } from '../scrubSecret.js';

export interface AnthropicBackendOptions {
  readonly baseURL: string;
  readonly model: string;
  readonly apiKey: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly fetch?: typeof globalThis.fetch | undefined;
}

/** The Anthropic Messages API via `@anthropic-ai/sdk`. */
export class AnthropicBackend implements LlmBackend {
  readonly provider = 'anthropic';
  readonly #client: Anthropic;

  constructor(private readonly o: AnthropicBackendOptions) {
    this.#client = new Anthropic({
      baseURL: o.baseURL,
      // An explicit key keeps the SDK from reading credentials from profiles or other environment variables.
      apiKey: o.apiKey,
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
    // The Messages API takes the system prompt as a separate field.
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    const body: Anthropic.MessageCreateParamsNonStreaming = {
      model: this.o.model,
      max_tokens: request.maxTokens ?? 2048,
      messages: request.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content })),
      ...(system ? { system } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.jsonSchema ? { output_config: { format: { type: 'json_schema', schema: { ...request.jsonSchema } } } } : {}),
    };
    let response: Anthropic.Message;
    try {
      response = await this.#client.messages.create(body, { signal });
    } catch (err) {
      throw this.#toBackendError(err);
    }
    const text = response.content
      .filter((b): b is Anthropic.TextBlock => b.type === 'text')
      .map((b) => b.text)
      .join('');
    return {
      text,
      inputTokens: response.usage?.input_tokens ?? 0,
      outputTokens: response.usage?.output_tokens ?? 0,
      ...(response.model ? { model: response.model } : {}),
    };
  }

  #toBackendError(err: unknown): BackendError {
    const scrub = (m: string) => scrubSecret(m, this.o.apiKey);
    if (err instanceof Anthropic.APIUserAbortError) return new BackendError('anthropic: request aborted', { kind: 'aborted' });
    if (err instanceof Anthropic.APIConnectionTimeoutError) return new BackendError('anthropic: request timed out', { kind: 'timeout' });
    if (err instanceof Anthropic.APIConnectionError) return new BackendError(`anthropic: connection failed: ${scrub(err.message)}`, { kind: 'network' });
    if (err instanceof Anthropic.APIError && err.status !== undefined) {
      return new BackendError(`anthropic: HTTP ${err.status}: ${scrub(err.message)}`, {
        kind: 'http',
        status: err.status,
        retryAfterMs: parseRetryAfter(err.headers),
      });
    }
    return new BackendError(`anthropic: ${scrub((err as Error)?.message ?? String(err))}`, { kind: 'invalid-response' });
  }
}
