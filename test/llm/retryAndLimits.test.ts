// The shared LLM client layer's parts (plugins/llm/): Retry-After parsing, the retry policy and the provider limiter.
import { describe, expect, it } from 'vitest';
import { LlmError } from '../../plugins/llm/LlmError.js';
import { parseRetryAfter } from '../../plugins/llm/parseRetryAfter.js';
import { ProviderLimiter, sharedProviderLimiter } from '../../plugins/llm/ProviderLimiter.js';
import { backoffDelay, retryCall } from '../../plugins/llm/retryCall.js';

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] ?? null });

describe('Retry-After parsing', () => {
  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '2' }))).toBe(2000);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
    expect(parseRetryAfter(headers({ 'retry-after': new Date(10_000).toUTCString() }), 4000)).toBe(6000);
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(headers({}))).toBeUndefined();
  });
});

describe('retry policy', () => {
  const policy = { retries: 5, minDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5, maxTotalMs: 60_000 };
  it('backs off exponentially up to the cap, with bounded jitter', () => {
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay({ ...policy, jitter: 0 }, n, () => 0.5))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(policy, 2, () => 0)).toBe(400);
    expect(backoffDelay(policy, 2, () => 0.999)).toBe(200);
  });

  it('retries only retryable errors', async () => {
    let n = 0;
    const fast = { ...policy, minDelayMs: 1, maxDelayMs: 2 };
    await expect(
      retryCall(async () => {
        n++;
        throw new LlmError('bad request', { kind: 'http', status: 400 });
      }, fast, { random: () => 0 }),
    ).rejects.toThrow('bad request');
    expect(n).toBe(1);
    n = 0;
    const result = await retryCall(
      async () => {
        if (++n < 3) throw new LlmError('busy', { kind: 'http', status: 503 });
        return 'done';
      },
      fast,
      { random: () => 0 },
    );
    expect(result).toBe('done');
    expect(n).toBe(3);
  });
});

describe('provider limiter', () => {
  it('spaces requests by the rate limit', async () => {
    const limiter = new ProviderLimiter({ concurrency: 10, requestsPerMinute: 1200, burst: 1 });
    const starts: number[] = [];
    await Promise.all([0, 1, 2, 3].map(() => limiter.run(async () => void starts.push(performance.now()))));
    // 1200/min = one every 50 ms after the first.
    expect(starts[3]! - starts[0]!).toBeGreaterThanOrEqual(140);
  });

  it('limits concurrency and applies the strictest shared setting', async () => {
    const key = `test|${Math.random()}`;
    const a = sharedProviderLimiter(key, { concurrency: 4 });
    const b = sharedProviderLimiter(key, { concurrency: 2 });
    expect(b).toBe(a);
    expect(a.concurrency).toBe(2);
    let inFlight = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        a.run(async () => {
          max = Math.max(max, ++inFlight);
          await new Promise((r) => setTimeout(r, 20));
          inFlight--;
        }),
      ),
    );
    expect(max).toBe(2);
  });

  it('holds requests during a pause', async () => {
    const limiter = new ProviderLimiter({ concurrency: 2 });
    limiter.pauseFor(120);
    const t0 = performance.now();
    await limiter.run(async () => undefined);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
  });
});

