import pRetry from 'p-retry';
import { abortableSleep } from './abortableSleep.js';
import { LlmError } from './LlmError.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /** Fraction of each backoff delay that is randomized (0 = none, 1 = full jitter). */
  readonly jitter: number;
  /** Give up when the next wait would end later than this after the first attempt started. */
  readonly maxTotalMs: number;
}

export interface RetryHooks {
  /** Uniform random number in [0, 1) for jitter (seeded by the caller). */
  readonly random: () => number;
  /** Called before each wait; `retryAfterMs` is set when the server asked for it. */
  readonly onRetry?: (error: LlmError, delayMs: number, attempt: number) => void;
  readonly signal?: AbortSignal | undefined;
}

/** Backoff before retry number `n` (0-based): exponential, capped, with the configured share of jitter. */
export function backoffDelay(policy: RetryPolicy, n: number, random: () => number): number {
  const base = Math.min(policy.maxDelayMs, policy.minDelayMs * policy.factor ** n);
  return Math.round(base * (1 - policy.jitter * random()));
}

/**
 * Runs `attempt` with retries on retryable `LlmError`s (429, 408/409/425, 5xx, timeouts, network errors).
 * A server's `Retry-After` replaces the computed backoff. The count and the total time are both bounded; the last
 * error is thrown when either bound is reached or the error is not retryable.
 */
export async function retryCall<T>(attempt: () => Promise<T>, policy: RetryPolicy, hooks: RetryHooks): Promise<T> {
  const started = performance.now();
  return pRetry(attempt, {
    retries: policy.retries,
    // The wait happens in shouldRetry, where the error (and its Retry-After) is known.
    minTimeout: 0,
    factor: 1,
    maxRetryTime: policy.maxTotalMs,
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    shouldRetry: async ({ error, retriesConsumed }) => {
      if (!(error instanceof LlmError) || !error.retryable) return false;
      const delay = error.retryAfterMs ?? backoffDelay(policy, retriesConsumed, hooks.random);
      if (performance.now() - started + delay > policy.maxTotalMs) return false;
      hooks.onRetry?.(error, delay, retriesConsumed + 1);
      await abortableSleep(delay, hooks.signal);
      return true;
    },
  });
}
