import type OpenAI from 'openai';
import type { CompletionRequest, CompletionResult, LlmBackend } from '../LlmBackend.js';
import type { LlmConnection } from '../LlmConnection.js';
import { LlmError } from '../LlmError.js';
import { createOpenAIClient, openaiLlmError } from './createOpenAIClient.js';

export interface OpenAIBackendOptions extends LlmConnection {
  readonly model: string;
  /** `max_completion_tokens` for OpenAI reasoning models, `max_tokens` for most OpenAI-compatible servers. */
  readonly maxTokensField?: 'max_tokens' | 'max_completion_tokens' | undefined;
  readonly extraBody?: Readonly<Record<string, unknown>> | undefined;
}

/** OpenAI-compatible chat completions (OpenAI, vLLM, Ollama, OpenRouter, Gemini's OpenAI endpoint) via the `openai` package. */
export class OpenAIBackend implements LlmBackend {
  readonly provider = 'openai';
  readonly #client: OpenAI;

  constructor(private readonly o: OpenAIBackendOptions) {
    this.#client = createOpenAIClient(o);
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
        ? { response_format: { type: 'json_schema', json_schema: { name: request.jsonSchemaName ?? 'response', schema: request.jsonSchema, strict: true } } }
        : {}),
      ...(this.o.extraBody ?? {}),
    };
    let response: OpenAI.Chat.Completions.ChatCompletion;
    try {
      response = await this.#client.chat.completions.create(body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, {
        signal,
      });
    } catch (err) {
      throw openaiLlmError(err, this.o.apiKey);
    }
    const choice = response.choices?.[0];
    if (!choice) throw new LlmError('openai: response has no choices', { kind: 'invalid-response' });
    return {
      text: choice.message?.content ?? '',
      inputTokens: response.usage?.prompt_tokens ?? 0,
      outputTokens: response.usage?.completion_tokens ?? 0,
      ...(response.model ? { model: response.model } : {}),
    };
  }
}
