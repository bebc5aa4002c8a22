import type { Coach, CoachCallOptions, CoachInput } from '../../core/contracts/Coach.js';
import type { Logger } from '../../core/contracts/Logger.js';
import type { CoachEvaluation, TokenUsage } from '../../core/model/CoachEvaluation.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { TemplateEngine } from '../../core/util/createTemplateEngine.js';
import type { ChatMessage, CompletionRequest, CompletionResult, LlmBackend } from '../../plugins/llm/LlmBackend.js';
import { LlmCaller } from '../../plugins/llm/LlmCaller.js';
import type { ProviderLimiter } from '../../plugins/llm/ProviderLimiter.js';
import type { RetryPolicy } from '../../plugins/llm/retryCall.js';
import { scrubSecret } from '../../plugins/llm/scrubSecret.js';
import { buildRepairMessages } from './buildRepairMessages.js';
import { coachTemplateVars } from './coachTemplateVars.js';
import { coachResponseSchema, parseCoachResponse, type ParsedCoachResponse } from './parseCoachResponse.js';
import { contentKey, ResponseCache } from './ResponseCache.js';

/** US dollars per million tokens. */
export interface TokenPrices {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

/** Call options the coach runtime understands besides the abort signal. */
export interface LlmCoachCallOptions extends CoachCallOptions {
  /** `bypass` skips the cache lookup (calibration re-scoring); successful results are still stored. */
  readonly cache?: 'use' | 'bypass';
}

export interface LlmCoachOptions {
  /** Coach name in evaluations and logs, e.g. `openai:gpt-4o-mini`. */
  readonly name: string;
  readonly backend: LlmBackend;
  /** Absolute path of the Liquid prompt template. */
  readonly templateFile: string;
  readonly system?: string | undefined;
  /** `null` leaves the temperature to the server (some reasoning models reject it). */
  readonly temperature: number | null;
  readonly maxTokens?: number | undefined;
  /** Ask for JSON-schema structured output (the parser reads `PROCESS_SCORE` lines too). */
  readonly structuredOutput: boolean;
  /** `with-ground-truth`: ask for and require `ANSWER_CORRECT` whenever the coach sees ground truth. */
  readonly answerCorrect: 'with-ground-truth' | 'never';
  readonly fallbackScore: number;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly limiter: ProviderLimiter;
  /** Directory of the on-disk cache; no disk cache when absent (identical in-flight calls are still merged). */
  readonly cacheDir?: string | undefined;
  readonly prices?: TokenPrices | undefined;
  readonly previousActionLimit: number;
  readonly previousToolOutputLimit: number;
  /** Seed of the retry jitter. */
  readonly seed: number;
  /** The API key in use, masked wherever it could appear in an error. */
  readonly secret?: string | undefined;
  readonly logger?: Logger | undefined;
  readonly templates?: TemplateEngine | undefined;
}

/** What the cache holds for one successful evaluation. */
interface CachedEvaluation {
  readonly v: 1;
  readonly score: number;
  readonly rationale: string;
  readonly outcome?: { readonly name: string; readonly value: number };
  readonly raw: string;
  readonly repaired: boolean;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  readonly details?: Readonly<Record<string, unknown>>;
}

const STAT_KEYS = [
  'evaluations',
  'calls',
  'cache_hits',
  'inflight_merges',
  'repairs',
  'fallbacks',
  'retries',
  'rate_limited',
  'timeouts',
  'api_errors',
  'clamped',
  'ignored_score_lines',
  'input_tokens',
  'output_tokens',
  'cost_usd',
] as const;
export type LlmCoachStatKey = (typeof STAT_KEYS)[number];

const CACHE_FORMAT = 'mappa-coach-v1';

/**
 * The runtime around every LLM coach: renders the prompt, asks the provider (bounded retries with backoff, jitter
 * and `Retry-After`; per-provider concurrency and rate limits; request timeouts), parses the reply strictly, sends
 * exactly one format-repair prompt when it cannot be read, and otherwise returns the neutral fallback score flagged
 * `fallback` with the reason. Successful results are cached on disk by content; failures never are. Every call,
 * repair, fallback, retry and token is counted in `stats()`.
 */
export class LlmCoach implements Coach {
  readonly scope = 'action' as const;
  readonly #o: LlmCoachOptions;
  readonly #templates: TemplateEngine;
  readonly #cache: ResponseCache<CachedEvaluation>;
  readonly #logger: Logger;
  readonly #caller: LlmCaller;
  readonly #stats: Record<LlmCoachStatKey, number> = Object.fromEntries(STAT_KEYS.map((k) => [k, 0])) as Record<LlmCoachStatKey, number>;

  constructor(options: LlmCoachOptions) {
    this.#o = options;
    this.#templates = options.templates ?? new TemplateEngine();
    this.#cache = new ResponseCache(options.cacheDir);
    this.#logger = options.logger ?? silentLogger;
    this.#caller = new LlmCaller({
      provider: options.backend.provider,
      label: `coach ${options.name}`,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      limiter: options.limiter,
      seed: options.seed,
      secret: options.secret,
      logger: this.#logger,
      count: (c) => this.#stats[c === 'attempts' ? 'calls' : c]++,
    });
  }

  get name(): string {
    return this.#o.name;
  }

  stats(): Readonly<Record<string, number>> {
    return { ...this.#stats, cost_usd: Math.round(this.#stats.cost_usd * 1e6) / 1e6 };
  }

  /** Continues the run's counters after a resume (every stat of this coach is a cumulative count or sum). */
  restoreStats(saved: Readonly<Record<string, number>>): void {
    for (const k of STAT_KEYS) {
      const v = saved[k];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) this.#stats[k] = v;
    }
  }

  /** Whether this input must be answered with `ANSWER_CORRECT`. */
  asksAnswerCorrect(input: CoachInput): boolean {
    return this.#o.answerCorrect === 'with-ground-truth' && input.groundTruth !== undefined;
  }

  /** The prompt text this coach sends for an input (for `mappa coach eval --show-prompt`). */
  async renderPrompt(input: CoachInput): Promise<string> {
    const ask = this.asksAnswerCorrect(input);
    const prompt = await this.#templates.renderFile(
      this.#o.templateFile,
      coachTemplateVars(input, {
        askAnswerCorrect: ask,
        previousActionLimit: this.#o.previousActionLimit,
        previousToolOutputLimit: this.#o.previousToolOutputLimit,
      }),
    );
    if (!this.#o.structuredOutput) return prompt;
    return `${prompt.trimEnd()}\n\nReturn your verdict as a JSON object with "rationale" and "process_score"${ask ? ' and "answer_correct"' : ''}.\n`;
  }

  async evaluate(input: CoachInput, options: LlmCoachCallOptions = {}): Promise<CoachEvaluation> {
    const ask = this.asksAnswerCorrect(input);
    const prompt = await this.renderPrompt(input);
    const messages: ChatMessage[] = [
      ...(this.#o.system ? [{ role: 'system' as const, content: this.#o.system }] : []),
      { role: 'user', content: prompt },
    ];
    const request: CompletionRequest = {
      messages,
      ...(this.#o.temperature !== null ? { temperature: this.#o.temperature } : {}),
      ...(this.#o.maxTokens ? { maxTokens: this.#o.maxTokens } : {}),
      ...(this.#o.structuredOutput ? { jsonSchema: coachResponseSchema(ask), jsonSchemaName: 'coach_evaluation' } : {}),
    };
    const key = contentKey({
      format: CACHE_FORMAT,
      provider: this.#o.backend.provider,
      // Two servers may serve different weights under the same model name (a local vLLM vs the provider).
      endpoint: this.#o.backend.baseURL.replace(/\/+$/, ''),
      model: this.#o.backend.model,
      messages,
      temperature: this.#o.temperature,
      maxTokens: this.#o.maxTokens ?? null,
      jsonSchema: request.jsonSchema ?? null,
      askAnswerCorrect: ask,
    });
    this.#stats.evaluations++;
    if (options.cache !== 'bypass') {
      const hit = await this.#cache.get(key);
      if (hit?.v === 1) {
        this.#stats.cache_hits++;
        return this.#fromCache(hit);
      }
    }
    // Merged callers share the first caller's request (and its abort signal).
    const { promise, merged } = this.#cache.dedupe(key, () => this.#compute(request, ask, key, options.signal));
    if (!merged) return promise;
    this.#stats.inflight_merges++;
    const shared = await promise;
    if (shared.flags.fallback) {
      this.#stats.fallbacks++;
      return shared;
    }
    return { ...shared, usage: this.#usage(0, 0), flags: { ...shared.flags, cached: true }, details: { ...shared.details, merged: true } };
  }

  async #compute(request: CompletionRequest, ask: boolean, key: string, signal: AbortSignal | undefined): Promise<CoachEvaluation> {
    let inputTokens = 0;
    let outputTokens = 0;
    const add = (r: CompletionResult) => {
      inputTokens += r.inputTokens;
      outputTokens += r.outputTokens;
    };

    let first: CompletionResult;
    try {
      first = await this.#request(request, signal);
    } catch (err) {
      // A run that is being stopped is not a coach failure: let the abort through instead of scoring.
      if (signal?.aborted) throw err;
      return this.#fallback(`request failed: ${this.#message(err)}`, '', this.#usage(0, 0));
    }
    add(first);
    const parsed = parseCoachResponse(first.text, { requireAnswerCorrect: ask });
    if (parsed.ok) return await this.#success(parsed, first.text, false, this.#usage(inputTokens, outputTokens), key, {});

    this.#stats.repairs++;
    const repairRequest: CompletionRequest = {
      ...request,
      messages: buildRepairMessages(request.messages, first.text, parsed.error, { requireAnswerCorrect: ask, structured: this.#o.structuredOutput }),
    };
    let second: CompletionResult;
    try {
      second = await this.#request(repairRequest, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      return this.#fallback(`unreadable reply (${parsed.error}); the repair request failed: ${this.#message(err)}`, first.text, this.#usage(inputTokens, outputTokens));
    }
    add(second);
    const repaired = parseCoachResponse(second.text, { requireAnswerCorrect: ask });
    if (repaired.ok) {
      return await this.#success(repaired, second.text, true, this.#usage(inputTokens, outputTokens), key, { unreadableReply: first.text, parseError: parsed.error });
    }
    return this.#fallback(
      `unreadable reply after one repair prompt (${repaired.error}; first reply: ${parsed.error})`,
      second.text,
      this.#usage(inputTokens, outputTokens),
      { unreadableReply: first.text },
    );
  }

  /** One logical request: retried, rate-limited and timed out per attempt by the shared LLM caller. */
  #request(request: CompletionRequest, signal: AbortSignal | undefined): Promise<CompletionResult> {
    return this.#caller.call(async (attemptSignal) => {
      const result = await this.#o.backend.complete(request, attemptSignal);
      this.#stats.input_tokens += result.inputTokens;
      this.#stats.output_tokens += result.outputTokens;
      this.#stats.cost_usd += this.#cost(result.inputTokens, result.outputTokens);
      return result;
    }, signal);
  }

  async #success(
    parsed: Extract<ParsedCoachResponse, { ok: true }>,
    raw: string,
    repaired: boolean,
    usage: TokenUsage,
    key: string,
    extraDetails: Record<string, unknown>,
  ): Promise<CoachEvaluation> {
    if (parsed.clampedFrom !== undefined) this.#stats.clamped++;
    if (parsed.ignoredScoreLines) this.#stats.ignored_score_lines += parsed.ignoredScoreLines;
    const details: Record<string, unknown> = {
      ...extraDetails,
      ...(parsed.clampedFrom !== undefined ? { clampedFrom: parsed.clampedFrom } : {}),
      ...(parsed.ignoredScoreLines ? { ignoredScoreLines: parsed.ignoredScoreLines } : {}),
      format: parsed.format,
    };
    const outcome = parsed.answerCorrect !== undefined ? { name: 'ANSWER_CORRECT', value: parsed.answerCorrect } : undefined;
    const record: CachedEvaluation = {
      v: 1,
      score: parsed.score,
      rationale: parsed.rationale,
      ...(outcome ? { outcome } : {}),
      raw,
      repaired,
      usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens },
      details,
    };
    try {
      await this.#cache.set(key, record);
    } catch (err) {
      this.#logger.warn(`coach ${this.name}: could not write the cache entry (result kept, not cached)`, { error: this.#message(err) });
    }
    return {
      score: parsed.score,
      rationale: parsed.rationale,
      ...(outcome ? { outcome } : {}),
      raw,
      usage,
      flags: { repaired, fallback: false, cached: false },
      coach: this.name,
      details,
    };
  }

  #fromCache(hit: CachedEvaluation): CoachEvaluation {
    return {
      score: hit.score,
      rationale: hit.rationale,
      ...(hit.outcome ? { outcome: hit.outcome } : {}),
      raw: hit.raw,
      // Nothing was spent on this call; the original spend is kept for reference.
      usage: this.#usage(0, 0),
      flags: { repaired: hit.repaired, fallback: false, cached: true },
      coach: this.name,
      details: { ...hit.details, cachedUsage: hit.usage },
    };
  }

  #fallback(error: string, raw: string, usage: TokenUsage, details: Record<string, unknown> = {}): CoachEvaluation {
    this.#stats.fallbacks++;
    const message = scrubSecret(error, this.#o.secret);
    this.#logger.warn(`coach ${this.name}: neutral fallback score ${this.#o.fallbackScore} used`, { error: message });
    return {
      score: this.#o.fallbackScore,
      rationale: `coach fallback: ${message}`,
      raw,
      usage,
      flags: { repaired: false, fallback: true, cached: false },
      error: message,
      coach: this.name,
      details,
    };
  }

  #cost(inputTokens: number, outputTokens: number): number {
    const p = this.#o.prices;
    return p ? (inputTokens * p.inputPerMillion + outputTokens * p.outputPerMillion) / 1e6 : 0;
  }

  #usage(inputTokens: number, outputTokens: number): TokenUsage {
    return { inputTokens, outputTokens, ...(this.#o.prices ? { costUsd: this.#cost(inputTokens, outputTokens) } : {}) };
  }

  #message(err: unknown): string {
    return scrubSecret((err as Error)?.message ?? String(err), this.#o.secret);
  }
}
