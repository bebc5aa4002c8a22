import type OpenAI from 'openai';
import type { ExternallyTrainablePolicy } from '../../../core/contracts/ExternallyTrainablePolicy.js';
import type { GenerateRequest, Generation } from '../../../core/contracts/Policy.js';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { Message } from '../../../core/model/Message.js';
import type { ToolCallRequest } from '../../../core/model/ToolCallRequest.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { readApiKey } from '../../../core/util/readApiKey.js';
import { redactString } from '../../../core/util/redactSecrets.js';
import { LlmCaller, type LlmCallCounter } from '../../llm/LlmCaller.js';
import { LlmError } from '../../llm/LlmError.js';
import { llmMappaError } from '../../llm/llmMappaError.js';
import { sharedProviderLimiter } from '../../llm/ProviderLimiter.js';
import { createOpenAIClient, openaiLlmError } from '../../llm/providers/createOpenAIClient.js';
import type { RetryPolicy } from '../../llm/retryCall.js';
import { POLICY_RETRY_DEFAULTS } from './policyRetryDefaults.js';

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
  /** Time limit of one attempt, the whole response included (default 120 s). */
  readonly timeoutMs?: number | undefined;
  /** Backoff of retried requests (default `POLICY_RETRY_DEFAULTS`). */
  readonly retry?: RetryPolicy | undefined;
  /** Overrides `retry.retries` (the setting's older name, kept for existing pipelines). */
  readonly maxRetries?: number | undefined;
  /** Requests in flight to this endpoint and model at once (default: unlimited); shared with coaches on the same one. */
  readonly concurrency?: number | undefined;
  readonly requestsPerMinute?: number | undefined;
  readonly burst?: number | undefined;
  /** Seed of the retry jitter. */
  readonly seed?: number | undefined;
  /** Environment variable and config path of the settings, named in error hints. */
  readonly apiKeyEnv?: string | undefined;
  readonly path?: string | undefined;
  readonly extraBody?: Readonly<Record<string, unknown>> | undefined;
  /** Stream the completion (content, tool-call arguments and log-probs are assembled from the deltas). */
  readonly stream?: boolean | undefined;
  /** OpenAI `tool_choice` sent with requests that offer tools (default: the server's, i.e. `auto`). */
  readonly toolChoice?: 'auto' | 'required' | 'none' | undefined;
  /** OpenAI `parallel_tool_calls` sent with requests that offer tools. */
  readonly parallelToolCalls?: boolean | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /**
   * Directory of the weights the server starts from (a Hugging Face checkpoint or a PEFT adapter). An external trainer
   * (`trainer: { use: external }`) starts from it and replaces it with each new version.
   */
  readonly weights?: string | undefined;
  /** Path (relative to baseURL) of the reload endpoint: vLLM's `load_lora_adapter`, which `mappa serve` speaks too. */
  readonly reloadPath?: string | undefined;
  readonly reloadTimeoutMs?: number | undefined;
  /** Injectable fetch (tests, proxies). */
  readonly fetch?: typeof globalThis.fetch | undefined;
  readonly logger?: Logger | undefined;
}

interface WireToolCall {
  id?: string;
  function?: { name?: string; arguments?: string };
}

/** One completion, streamed or not, in the shape `generate` needs. */
interface Completion {
  text: string;
  toolCalls: ToolCallRequest[];
  logprobs: number[];
  tokenIds: number[];
  promptIds: number[];
  finishReason: string | null | undefined;
  model: string;
  usage?: { prompt_tokens: number; completion_tokens: number } | undefined;
  /** The weights version the server reports (mappa serve: body `model_version`, header `x-mappa-model-version`). */
  modelVersion?: unknown;
  headerVersion?: string | null;
}

/** OpenAI tool calls as mappa's requests; a call without an id gets one, so its result can be matched. */
function toRequests(calls: readonly WireToolCall[] | null | undefined): ToolCallRequest[] {
  return (calls ?? []).map((c, i) => ({
    id: c.id || `call_${i}`,
    name: c.function?.name ?? '',
    arguments: c.function?.arguments ?? '',
    ...(c.function?.name ? {} : { parseError: 'the tool call has no function name' }),
  }));
}

interface ChoiceWithExtras {
  message?: { content?: string | null; tool_calls?: WireToolCall[] | null };
  finish_reason?: string | null;
  logprobs?: { content?: Array<{ token: string; logprob: number }> | null } | null;
  /** vLLM with `return_token_ids`. */
  token_ids?: number[] | null;
}

/** Header and body field in which `mappa serve` reports the weights version that produced a completion. */
export const MODEL_VERSION_HEADER = 'x-mappa-model-version';

/**
 * Policy that calls any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, OpenRouter, Gemini's
 * OpenAI-compatible API). It records log-probs and token ids when the server returns them. It cannot be trained in
 * this process (the weights live on the server), but a trainer outside it can (`trainer: { use: external }`): the
 * policy then pushes each new version to the server (`loadWeights`) and its `version` follows the served weights.
 * Each generation records the version the server reports (`model_version`, or the `x-mappa-model-version` header);
 * servers that report none get the local counter, counted in `stats().version_unreported`.
 */
export class OpenAICompatiblePolicy implements ExternallyTrainablePolicy {
  readonly trainable = false;
  readonly #client: OpenAI;
  #logprobsSupported: boolean;
  #calls = 0;
  #logprobsDropped = 0;
  #versionUnreported = 0;
  #version = 0;
  #weightsDir: string | undefined;
  readonly #caller: LlmCaller;
  readonly #requests: Record<Exclude<LlmCallCounter, 'attempts'>, number> = { retries: 0, rate_limited: 0, timeouts: 0, api_errors: 0 };

  constructor(private readonly o: OpenAICompatiblePolicyOptions) {
    this.#client = createOpenAIClient(o);
    const retry = { ...POLICY_RETRY_DEFAULTS, ...o.retry, ...(o.maxRetries !== undefined ? { retries: o.maxRetries } : {}) };
    this.#caller = new LlmCaller({
      provider: 'openai',
      label: `policy ${o.id}`,
      timeoutMs: o.timeoutMs ?? 120_000,
      retry,
      limiter: sharedProviderLimiter(`openai|${o.baseURL}|${o.model}`, {
        concurrency: o.concurrency ?? Number.POSITIVE_INFINITY,
        requestsPerMinute: o.requestsPerMinute,
        burst: o.burst,
      }),
      seed: o.seed ?? 0,
      mapError: (err) => openaiLlmError(err, o.apiKey),
      secret: o.apiKey,
      count: (c) => {
        if (c !== 'attempts') this.#requests[c]++;
      },
      logger: o.logger,
    });
    this.#logprobsSupported = o.logprobs ?? true;
    this.#weightsDir = o.weights;
  }

  get id(): string {
    return this.o.id;
  }

  /** Version of the weights being served: 0 at start, then the version of the last weights pushed. */
  get version(): number {
    return this.#version;
  }

  get weightsDir(): string | undefined {
    return this.#weightsDir;
  }

  /**
   * Calls made, how often the server refused log-probs (then they were dropped and the call repeated), how many
   * responses reported no model version (their generations carry the local counter instead), and the shared LLM
   * caller's counts: retries, 429s, attempts that timed out and HTTP errors.
   */
  stats(): Record<string, number> {
    return { calls: this.#calls, logprobs_dropped: this.#logprobsDropped, version_unreported: this.#versionUnreported, ...this.#requests };
  }

  setServedWeights(dir: string, version: number): void {
    this.#weightsDir = dir;
    this.#version = version;
  }

  async loadWeights(dir: string, version: number, signal?: AbortSignal): Promise<void> {
    const url = `${this.o.baseURL.replace(/\/+$/, '')}/${(this.o.reloadPath ?? 'load_lora_adapter').replace(/^\/+/, '')}`;
    const timeout = AbortSignal.timeout(this.o.reloadTimeoutMs ?? 600_000);
    const body = { lora_name: this.o.model, lora_path: dir, load_inplace: true, version };
    let res: Response;
    try {
      res = await (this.o.fetch ?? globalThis.fetch)(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {}), ...(this.o.headers ?? {}) },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      throw new MappaError(`policy ${this.o.id}: cannot reach ${url} to load weights ${dir}: ${redactString((err as Error).message)}`, {
        hint: 'is the server running, and does it allow runtime weight loading? (vLLM: --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True; or `mappa serve`)',
        cause: err,
      });
    }
    if (!res.ok) {
      const text = redactString((await res.text().catch(() => '')).slice(0, 2000));
      throw new MappaError(`policy ${this.o.id}: ${url} refused to load weights ${dir} as version ${version} (HTTP ${res.status}): ${text}`, {
        hint:
          res.status === 404
            ? 'the server has no runtime loading route: start vLLM with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True, or use `mappa serve`'
            : 'check that the server can read that directory and that it holds a checkpoint or adapter of the served model',
      });
    }
    this.setServedWeights(dir, version);
  }

  #messages(messages: readonly Message[]): OpenAI.Chat.Completions.ChatCompletionMessageParam[] {
    return messages.map((m) => {
      // Function tool calls and their results travel in OpenAI's own fields, matched by call id.
      if (m.role === 'assistant' && m.toolCalls?.length) {
        return {
          role: 'assistant',
          content: m.content === '' ? null : m.content,
          tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
        };
      }
      if (m.role === 'tool' && m.toolCallId !== undefined) return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
      const role = m.role === 'tool' ? (this.o.toolRole ?? 'user') : m.role;
      return { role, content: m.content } as OpenAI.Chat.Completions.ChatCompletionMessageParam;
    });
  }

  async #complete(body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<Completion> {
    const { data, response: http } = await this.#client.chat.completions
      .create(body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, signal ? { signal } : {})
      .withResponse();
    const response = data as OpenAI.Chat.Completions.ChatCompletion & { prompt_token_ids?: number[] | null; model_version?: unknown };
    const choice = response.choices?.[0] as ChoiceWithExtras | undefined;
    if (!choice) throw new LlmError('openai: response has no choices', { kind: 'invalid-response' });
    return {
      text: choice.message?.content ?? '',
      toolCalls: toRequests(choice.message?.tool_calls),
      logprobs: choice.logprobs?.content?.map((t) => t.logprob) ?? [],
      tokenIds: choice.token_ids ?? [],
      promptIds: response.prompt_token_ids ?? [],
      finishReason: choice.finish_reason,
      model: response.model,
      usage: response.usage,
      modelVersion: response.model_version,
      headerVersion: http.headers.get(MODEL_VERSION_HEADER),
    };
  }

  async #stream(body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<Completion> {
    const { data: stream, response: http } = await this.#client.chat.completions
      .create(
        { ...(body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming), stream: true, stream_options: { include_usage: true } },
        signal ? { signal } : {},
      )
      .withResponse();
    const out: Completion = {
      text: '',
      toolCalls: [],
      logprobs: [],
      tokenIds: [],
      promptIds: [],
      finishReason: undefined,
      model: '',
      headerVersion: http.headers.get(MODEL_VERSION_HEADER),
    };
    const calls: WireToolCall[] = [];
    for await (const chunk of stream) {
      const c = chunk as typeof chunk & { prompt_token_ids?: number[] | null; model_version?: unknown };
      out.model ||= c.model;
      if (c.model_version !== undefined) out.modelVersion = c.model_version;
      if (c.prompt_token_ids) out.promptIds = c.prompt_token_ids;
      if (c.usage) out.usage = c.usage;
      const choice = c.choices?.[0] as (ChoiceWithExtras & { delta?: { content?: string | null; tool_calls?: Array<WireToolCall & { index: number }> } }) | undefined;
      if (!choice) continue;
      out.text += choice.delta?.content ?? '';
      // Tool-call deltas carry their index; the id and name arrive once, the arguments in pieces.
      for (const d of choice.delta?.tool_calls ?? []) {
        const call = (calls[d.index] ??= { function: { name: '', arguments: '' } });
        if (d.id) call.id = d.id;
        if (d.function?.name) call.function!.name += d.function.name;
        if (d.function?.arguments) call.function!.arguments += d.function.arguments;
      }
      for (const t of choice.logprobs?.content ?? []) out.logprobs.push(t.logprob);
      if (choice.token_ids) out.tokenIds.push(...choice.token_ids);
      if (choice.finish_reason) out.finishReason = choice.finish_reason;
    }
    out.toolCalls = toRequests(calls.filter((c) => c !== undefined));
    return out;
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
      ...(request.tools?.length
        ? {
            tools: request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })),
            ...(this.o.toolChoice ? { tool_choice: this.o.toolChoice } : {}),
            ...(this.o.parallelToolCalls !== undefined ? { parallel_tool_calls: this.o.parallelToolCalls } : {}),
          }
        : {}),
      ...(this.o.extraBody ?? {}),
    };
    const call = (withLogprobs: boolean): Promise<Completion> => {
      const full = { ...body, ...(withLogprobs ? { logprobs: true } : {}) };
      // A stream is read to its end inside the attempt, so the attempt's timeout covers it and a retry repeats it whole.
      return this.#caller.call((signal) => (this.o.stream ? this.#stream(full, signal) : this.#complete(full, signal)), request.signal);
    };
    this.#calls++;
    let response: Completion;
    try {
      try {
        response = await call(this.#logprobsSupported);
      } catch (err) {
        // Some servers reject `logprobs`; drop it once, count it, and say so in the log rather than failing the run.
        if (!(this.#logprobsSupported && err instanceof LlmError && err.status === 400 && /logprob/i.test(err.message))) throw err;
        this.#logprobsSupported = false;
        this.#logprobsDropped++;
        this.o.logger?.warn(`policy ${this.o.id}: server rejected logprobs; continuing without them`, { error: redactString(err.message) });
        response = await call(false);
      }
    } catch (err) {
      throw llmMappaError(err, { who: `policy ${this.o.id}`, baseURL: this.o.baseURL, model: this.o.model, path: this.o.path, apiKeyEnv: this.o.apiKeyEnv });
    }
    const reported = reportedVersion(response.modelVersion) ?? reportedVersion(response.headerVersion);
    if (reported === undefined) this.#versionUnreported++;
    return {
      text: response.text,
      contextIds: response.promptIds,
      tokenIds: response.tokenIds,
      logprobs: response.logprobs,
      finishReason: response.finishReason === 'length' ? 'length' : 'stop',
      ...(response.toolCalls.length ? { toolCalls: response.toolCalls } : {}),
      policyVersion: reported ?? this.version,
      info: {
        model: response.model,
        ...(response.usage ? { promptTokens: response.usage.prompt_tokens, completionTokens: response.usage.completion_tokens } : {}),
      },
    };
  }
}

function reportedVersion(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Plain factory for users who do not use DI; `apiKey` defaults to the environment variable. */
export function createOpenAICompatiblePolicy(
  options: Omit<OpenAICompatiblePolicyOptions, 'apiKey' | 'id'> & { id?: string; apiKey?: string; apiKeyEnv?: string },
): OpenAICompatiblePolicy {
  const apiKeyEnv = options.apiKeyEnv ?? 'OPENAI_API_KEY';
  const apiKey = options.apiKey ?? readApiKey(apiKeyEnv, options.baseURL, 'openai-compatible');
  return new OpenAICompatiblePolicy({ ...options, id: options.id ?? options.model, apiKey, ...(options.apiKey === undefined ? { apiKeyEnv } : {}) });
}

