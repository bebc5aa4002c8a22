import pLimit, { type LimitFunction } from 'p-limit';
import { abortableSleep } from './abortableSleep.js';

export interface ProviderLimits {
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Requests started per minute (token bucket); unlimited when absent. */
  readonly requestsPerMinute?: number | undefined;
  /** Requests that may start back to back before the rate applies (bucket size). Default: one second's worth. */
  readonly burst?: number | undefined;
}

/**
 * Concurrency limit (p-limit) plus a token-bucket rate limit for one provider, and a provider-wide pause that
 * a 429 with `Retry-After` sets, so every call to that provider waits rather than only the one that was refused.
 */
export class ProviderLimiter {
  readonly #limit: LimitFunction;
  #rpm: number | undefined;
  #capacity = 1;
  #tokens = 1;
  #last = performance.now();
  #pausedUntil = 0;

  constructor(limits: ProviderLimits) {
    this.#limit = pLimit(limits.concurrency);
    this.#setRate(limits.requestsPerMinute, limits.burst);
  }

  get concurrency(): number {
    return this.#limit.concurrency;
  }

  get requestsPerMinute(): number | undefined {
    return this.#rpm;
  }

  /** Applies the stricter of the current and the given limits (coaches sharing a provider share one limiter). */
  tighten(limits: ProviderLimits): void {
    if (limits.concurrency < this.#limit.concurrency) this.#limit.concurrency = limits.concurrency;
    if (limits.requestsPerMinute !== undefined && (this.#rpm === undefined || limits.requestsPerMinute < this.#rpm)) {
      this.#setRate(limits.requestsPerMinute, limits.burst);
    }
  }

  /** Holds every request to this provider for `ms` (e.g. a 429's `Retry-After`). */
  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, performance.now() + ms);
  }

  run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#limit(async () => {
      await this.#acquire(signal);
      return fn();
    });
  }

  #setRate(rpm: number | undefined, burst: number | undefined): void {
    this.#rpm = rpm;
    if (rpm === undefined) return;
    this.#capacity = Math.max(1, burst ?? Math.ceil(rpm / 60));
    this.#tokens = Math.min(this.#tokens, this.#capacity);
    this.#last = performance.now();
  }

  async #acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = performance.now();
      if (now < this.#pausedUntil) {
        await abortableSleep(this.#pausedUntil - now, signal);
        continue;
      }
      if (this.#rpm === undefined) return;
      const perMs = this.#rpm / 60_000;
      this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#last) * perMs);
      this.#last = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await abortableSleep(Math.ceil((1 - this.#tokens) / perMs), signal);
    }
  }
}

const shared = new Map<string, ProviderLimiter>();

/**
 * The limiter every coach in this process uses for one provider endpoint and model. When coaches configure
 * different limits for the same endpoint, the strictest applies.
 */
export function sharedProviderLimiter(key: string, limits: ProviderLimits): ProviderLimiter {
  const existing = shared.get(key);
  if (existing) {
    existing.tighten(limits);
    return existing;
  }
  const limiter = new ProviderLimiter(limits);
  shared.set(key, limiter);
  return limiter;
}
