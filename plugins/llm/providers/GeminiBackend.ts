import { ApiError, GoogleGenAI, type Content, type GenerateContentResponse } from '@google/genai';
import type { CompletionRequest, CompletionResult, LlmBackend } from '../LlmBackend.js';
import { LlmError } from '../LlmError.js';
import { parseRetryAfter } from '../parseRetryAfter.js';
import { scrubSecret } from '../scrubSecret.js';

export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

export interface GeminiBackendOptions {
  /** Defaults to the Gemini API; point it at a proxy or a loopback fake. */
  readonly baseURL?: string | undefined;
  readonly apiVersion?: string | undefined;
  readonly model: string;
  readonly apiKey: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Injectable fetch (tests, proxies). */
  readonly fetch?: typeof globalThis.fetch | undefined;
}

/** The Gemini API via `@google/genai` (API-key auth; Vertex AI users can use the OpenAI-compatible endpoint instead). */
export class GeminiBackend implements LlmBackend {
  readonly provider = 'gemini';
  readonly #client: GoogleGenAI;

  constructor(private readonly o: GeminiBackendOptions) {
    this.#client = new GoogleGenAI({
      apiKey: o.apiKey,
      // Explicit, so GOOGLE_GENAI_USE_VERTEXAI in the environment cannot silently switch the endpoint.
      vertexai: false,
      httpOptions: {
        ...(o.baseURL ? { baseUrl: o.baseURL } : {}),
        ...(o.apiVersion ? { apiVersion: o.apiVersion } : {}),
        ...(o.headers ? { headers: { ...o.headers } } : {}),
      },
    });
  }

  get model(): string {
    return this.o.model;
  }

  get baseURL(): string {
    return this.o.baseURL ?? GEMINI_DEFAULT_BASE_URL;
  }

  async complete(request: CompletionRequest, signal: AbortSignal): Promise<CompletionResult> {
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    const contents: Content[] = request.messages
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] }));
    // ApiError carries only the status, so the response headers (Retry-After) are read through our own fetch.
    let lastHeaders: Headers | undefined;
    const recordingFetch: typeof fetch = async (input, init) => {
      const res = await (this.o.fetch ?? globalThis.fetch)(input, init);
      if (!res.ok) lastHeaders = res.headers;
      return res;
    };
    let response: GenerateContentResponse;
    try {
      response = await this.#client.models.generateContent({
        model: this.o.model,
        contents,
        config: {
          abortSignal: signal,
          httpOptions: { fetch: recordingFetch },
          ...(system ? { systemInstruction: system } : {}),
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          ...(request.maxTokens ? { maxOutputTokens: request.maxTokens } : {}),
          ...(request.jsonSchema ? { responseMimeType: 'application/json', responseJsonSchema: request.jsonSchema } : {}),
        },
      });
    } catch (err) {
      throw this.#toLlmError(err, signal, lastHeaders);
    }
    // Thinking models return thought parts; only the answer parts are parsed (as in the reference coach).
    const parts = response.candidates?.[0]?.content?.parts ?? [];
    const text = parts
      .filter((p) => !p.thought && typeof p.text === 'string')
      .map((p) => p.text)
      .join('');
    const usage = response.usageMetadata;
    return {
      text,
      inputTokens: usage?.promptTokenCount ?? 0,
      // Thought tokens are billed as output.
      outputTokens: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
      ...(response.modelVersion ? { model: response.modelVersion } : {}),
    };
  }

  #toLlmError(err: unknown, signal: AbortSignal, headers: Headers | undefined): LlmError {
    const scrub = (m: string) => scrubSecret(m, this.o.apiKey);
    if (err instanceof ApiError) {
      return new LlmError(`gemini: HTTP ${err.status}: ${scrub(err.message)}`, {
        kind: 'http',
        status: err.status,
        retryAfterMs: parseRetryAfter(headers),
      });
    }
    if (signal.aborted || (err as Error)?.name === 'AbortError') return new LlmError('gemini: request aborted', { kind: 'aborted' });
    if (err instanceof TypeError) return new LlmError(`gemini: connection failed: ${scrub(err.message)}`, { kind: 'network' });
    return new LlmError(`gemini: ${scrub((err as Error)?.message ?? String(err))}`, { kind: 'invalid-response' });
  }
}
