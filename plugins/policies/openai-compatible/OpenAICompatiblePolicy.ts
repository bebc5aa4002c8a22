import OpenAI from 'openai';
import type { GenerateRequest, Generation, Policy } from '../../../core/contracts/Policy.js';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { Message } from '../../../core/model/Message.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { readApiKey } from '../../../core/util/readApiKey.js';
import { redactString } from '../../../core/util/redactSecrets.js';

export interface OpenAICompatiblePolicyOptions {
  readonly id: string;
  readonly baseURL: string;
  readonly model: string;
  readonly apiKey: string;
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly maxTokens?: number | undefined;
  /** Ask for per-token log-probs (OpenAI, vLLM and others support it). */
  readonly logprobs?: boolean | undefined;
  /** Ask vLLM for the generated and prompt token ids (`return_token_ids`), so no text is re-tokenized. */
  readonly returnTokenIds?: boolean | undefined;
  /** Send the per-generation seed (for servers that honour it). */
  readonly sendSeed?: boolean | undefined;
  /** Role used for tool responses: most chat servers reject `tool` messages without tool-call ids. */
  readonly toolRole?: 'user' | 'tool' | undefined;
  readonly timeoutMs?: number | undefined;
  readonly maxRetries?: number | undefined;
  readonly extraBody?: Readonly<Record<string, unknown>> | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Injectable fetch (tests, proxies). */
  readonly fetch?: typeof globalThis.fetch | undefined;
  readonly logger?: Logger | undefined;
}

interface ChoiceWithExtras {
  message?: { content?: string | null };
  finish_reason?: string | null;
  logprobs?: { content?: Array<{ token: string; logprob: number }> | null } | null;
  /** vLLM with `return_token_ids`. */
  token_ids?: number[] | null;
}

/**
 * Inference-only policy that calls any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, OpenRouter,
 * Gemini's OpenAI-compatible API). It records log-probs and token ids when the server returns them; it cannot be
 * trained in this process because the weights live on the server.
 */
export class OpenAICompatiblePolicy implements Policy {
  readonly trainable = false;
  readonly version = 0;
  readonly #client: OpenAI;
  #logprobsSupported: boolean;
  #calls = 0;
  #logprobsDropped = 0;

  constructor(private readonly o: OpenAICompatiblePolicyOptions) {
    this.#client = new OpenAI({
      baseURL: o.baseURL,
      apiKey: o.apiKey,
      timeout: o.timeoutMs ?? 120_000,
      maxRetries: o.maxRetries ?? 3,
      ...(o.headers ? { defaultHeaders: o.headers } : {}),
      ...(o.fetch ? { fetch: o.fetch } : {}),
    });
    this.#logprobsSupported = o.logprobs ?? true;
  }

  get id(): string {
    return this.o.id;
  }

  /** Calls made and how often the server refused log-probs (then they were dropped and the call repeated). */
  stats(): Record<string, number> {
    return { calls: this.#calls, logprobs_dropped: this.#logprobsDropped };
  }

  #messages(messages: readonly Message[]): OpenAI.Chat.Completions.ChatCompletionMessageParam[] {
    return messages.map((m) => {
      const role = m.role === 'tool' ? (this.o.toolRole ?? 'user') : m.role;
      return { role, content: m.content } as OpenAI.Chat.Completions.ChatCompletionMessageParam;
    });
  }

  async generate(request: GenerateRequest): Promise<Generation> {
    const s = request.sampling ?? {};
    const greedy = s.greedy === true;
    const body: Record<string, unknown> = {
      model: this.o.model,
      messages: this.#messages(request.messages),
      temperature: greedy ? 0 : (s.temperature ?? this.o.temperature ?? 1),
      ...(greedy ? {} : s.topP ?? this.o.topP ? { top_p: s.topP ?? this.o.topP } : {}),
      ...(s.maxNewTokens ?? this.o.maxTokens ? { max_tokens: s.maxNewTokens ?? this.o.maxTokens } : {}),
      ...(s.stopStrings?.length ? { stop: [...s.stopStrings] } : {}),
      ...(this.o.sendSeed !== false ? { seed: request.seed } : {}),
      ...(this.o.returnTokenIds ? { return_token_ids: true } : {}),
      ...(this.o.extraBody ?? {}),
    };
    const call = async (withLogprobs: boolean) =>
      (await this.#client.chat.completions.create(
        { ...(body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming), ...(withLogprobs ? { logprobs: true } : {}) },
        request.signal ? { signal: request.signal } : {},
      )) as OpenAI.Chat.Completions.ChatCompletion & { prompt_token_ids?: number[] | null };
    this.#calls++;
    let response;
    try {
      response = await call(this.#logprobsSupported);
    } catch (err) {
      // Some servers reject `logprobs`; drop it once, count it, and say so in the log rather than failing the run.
      if (this.#logprobsSupported && err instanceof OpenAI.BadRequestError && /logprob/i.test(err.message)) {
        this.#logprobsSupported = false;
        this.#logprobsDropped++;
        this.o.logger?.warn(`policy ${this.o.id}: server rejected logprobs; continuing without them`, { error: redactString(err.message) });
        response = await call(false);
      } else {
        throw new MappaError(`policy ${this.o.id}: ${this.o.baseURL} ${redactString((err as Error).message)}`, { cause: err });
      }
    }
    const choice = response.choices?.[0] as ChoiceWithExtras | undefined;
    if (!choice) throw new MappaError(`policy ${this.o.id}: response has no choices`);
    const text = choice.message?.content ?? '';
    const logprobs = choice.logprobs?.content?.map((t) => t.logprob) ?? [];
    const tokenIds = choice.token_ids ?? [];
    return {
      text,
      contextIds: response.prompt_token_ids ?? [],
      tokenIds,
      logprobs,
      finishReason: choice.finish_reason === 'length' ? 'length' : 'stop',
      policyVersion: this.version,
      info: {
        model: response.model,
        ...(response.usage ? { promptTokens: response.usage.prompt_tokens, completionTokens: response.usage.completion_tokens } : {}),
      },
    };
  }
}

/** Plain factory for users who do not use DI; `apiKey` defaults to the environment variable. */
export function createOpenAICompatiblePolicy(
  options: Omit<OpenAICompatiblePolicyOptions, 'apiKey' | 'id'> & { id?: string; apiKey?: string; apiKeyEnv?: string },
): OpenAICompatiblePolicy {
  const apiKey = options.apiKey ?? readApiKey(options.apiKeyEnv ?? 'OPENAI_API_KEY', options.baseURL, 'openai-compatible');
  return new OpenAICompatiblePolicy({ ...options, id: options.id ?? options.model, apiKey });
}

