import type Anthropic from '@anthropic-ai/sdk';
import type { CompletionRequest, CompletionResult, LlmBackend } from '../LlmBackend.js';
import type { LlmConnection } from '../LlmConnection.js';
import { anthropicLlmError, createAnthropicClient } from './createAnthropicClient.js';

export interface AnthropicBackendOptions extends LlmConnection {
  readonly model: string;
}

/** The Anthropic Messages API via `@anthropic-ai/sdk`. */
export class AnthropicBackend implements LlmBackend {
  readonly provider = 'anthropic';
  readonly #client: Anthropic;

  constructor(private readonly o: AnthropicBackendOptions) {
    this.#client = createAnthropicClient(o);
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
      throw anthropicLlmError(err, this.o.apiKey);
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
}
