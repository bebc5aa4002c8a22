import type { Logger } from '../../core/contracts/Logger.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { Rng } from '../../core/util/Rng.js';
import { LlmError } from './LlmError.js';
import type { ProviderLimiter } from './ProviderLimiter.js';
import { retryCall, type RetryPolicy } from './retryCall.js';
import { scrubSecret } from './scrubSecret.js';

/** What a caller counts: HTTP attempts, retries, 429s, attempts that timed out, and HTTP errors of any status. */
export type LlmCallCounter = 'attempts' | 'retries' | 'rate_limited' | 'timeouts' | 'api_errors';

export interface LlmCallerOptions {
  /** Provider name in error messages (`openai`, `anthropic`, `gemini`). */
  readonly provider: string;
  /** Who calls, in log lines (e.g. `coach openai:gpt-4o-mini`, `policy solver`). */
  readonly label: string;
  /** Time limit of one attempt, the whole response included (streamed or not). */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** The provider's shared limiter (`sharedProviderLimiter`). */
  readonly limiter: ProviderLimiter;
  /** Seed of the backoff jitter. */
  readonly seed: number;
  /** Turns what an attempt threw into an `LlmError` (the client's mapper); `LlmError`s pass through untouched. */
  readonly mapError?: ((err: unknown) => LlmError) | undefined;
  /** Masked in messages of errors this caller makes itself. */
  readonly secret?: string | undefined;
  /** Called once per counted event, so the owner keeps (and can restore) its own counters. */
  readonly count?: ((counter: LlmCallCounter) => void) | undefined;
  readonly logger?: Logger | undefined;
}

/**
 * The one way mappa calls an LLM provider (coaches and the `openai-compatible` policy): each attempt runs under the
 * provider's shared limiter (concurrency, token-bucket rate, and the provider-wide pause a 429's `Retry-After` sets)
 * with its own timeout, combined with the caller's abort signal; failures become `LlmError`s; retryable ones (429,
 * 408/409/425, 5xx, timeouts, network errors) are retried with seeded exponential backoff, a server's `Retry-After`
 * replacing the computed delay, bounded in count and total time. An abort of the caller's signal is never retried.
 */
export class LlmCaller {
  readonly #o: LlmCallerOptions;
  readonly #rng: Rng;
  readonly #logger: Logger;

  constructor(options: LlmCallerOptions) {
    this.#o = options;
    this.#rng = Rng.fromSeed(options.seed);
    this.#logger = options.logger ?? silentLogger;
  }

  /** Runs `attempt` (one HTTP request; it must honour the signal it gets) with limits, timeout and retries. */
  call<T>(attempt: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const once = () => this.#o.limiter.run(() => this.#attempt(attempt, signal), signal);
    return retryCall(once, this.#o.retry, {
      random: () => this.#rng.next(),
      signal,
      onRetry: (error, delayMs, n) => {
        this.#o.count?.('retries');
        // A 429 speaks for the whole provider: hold every call to it, not just this one.
        if (error.status === 429 && error.retryAfterMs !== undefined) this.#o.limiter.pauseFor(error.retryAfterMs);
        this.#logger.debug(`${this.#o.label}: retry ${n} in ${delayMs} ms`, { error: error.message });
      },
    });
  }

  async #attempt<T>(attempt: (signal: AbortSignal) => Promise<T>, outer: AbortSignal | undefined): Promise<T> {
    this.#o.count?.('attempts');
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#o.timeoutMs);
    const signal = outer ? AbortSignal.any([outer, timeout.signal]) : timeout.signal;
    try {
      return await attempt(signal);
    } catch (err) {
      if (timeout.signal.aborted && !outer?.aborted) {
        this.#o.count?.('timeouts');
        throw new LlmError(`${this.#o.provider}: no response within ${this.#o.timeoutMs} ms`, { kind: 'timeout' });
      }
      const e = this.#toLlmError(err);
      if (e.kind === 'http') {
        this.#o.count?.('api_errors');
        if (e.status === 429) this.#o.count?.('rate_limited');
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  #toLlmError(err: unknown): LlmError {
    if (err instanceof LlmError) return err;
    if (this.#o.mapError) return this.#o.mapError(err);
    const message = scrubSecret((err as Error)?.message ?? String(err), this.#o.secret);
    return new LlmError(`${this.#o.provider}: ${message}`, { kind: 'invalid-response' });
  }
}
