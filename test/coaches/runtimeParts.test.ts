import { describe, expect, it } from 'vitest';
import { coachInputFromActionFile, CoachActionFileSchema, parseCoachActionFile } from '../../coaches/coachActionFile.js';
import { BackendError, parseRetryAfter } from '../../coaches/llm/BackendError.js';
import { ProviderLimiter, sharedProviderLimiter } from '../../coaches/llm/ProviderLimiter.js';
import { contentKey, ResponseCache, stableStringify } from '../../coaches/llm/ResponseCache.js';
import { backoffDelay, retryCall } from '../../coaches/llm/retryCall.js';
import { tempDir } from './coachFixtures.js';

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
        throw new BackendError('bad request', { kind: 'http', status: 400 });
      }, fast, { random: () => 0 }),
    ).rejects.toThrow('bad request');
    expect(n).toBe(1);
    n = 0;
    const result = await retryCall(
      async () => {
        if (++n < 3) throw new BackendError('busy', { kind: 'http', status: 503 });
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

describe('response cache', () => {
  it('keys by content regardless of key order', () => {
    expect(stableStringify({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
    expect(contentKey({ a: 1, b: 2 })).toBe(contentKey({ b: 2, a: 1 }));
    expect(contentKey({ a: 1 })).not.toBe(contentKey({ a: 2 }));
  });

  it('stores and reads entries on disk; unreadable entries are misses', async () => {
    const { dir, remove } = tempDir();
    try {
      const cache = new ResponseCache<{ x: number }>(dir);
      const key = contentKey('k');
      expect(await cache.get(key)).toBeUndefined();
      await cache.set(key, { x: 1 });
      expect(await new ResponseCache<{ x: number }>(dir).get(key)).toEqual({ x: 1 });
    } finally {
      remove();
    }
  });

  it('shares one promise among identical calls in flight, then forgets it', async () => {
    const cache = new ResponseCache<number>(undefined);
    let runs = 0;
    const work = () => new Promise<number>((r) => setTimeout(() => r(++runs), 10));
    const a = cache.dedupe('k', work);
    const b = cache.dedupe('k', work);
    expect(a.merged).toBe(false);
    expect(b.merged).toBe(true);
    expect(await a.promise).toBe(await b.promise);
    expect(cache.inflightCount).toBe(0);
    expect(await cache.dedupe('k', work).promise).toBe(2);
  });
});

describe('action files', () => {
  it('fills defaults and builds a CoachInput', () => {
    const input = parseCoachActionFile(
      {
        task: { prompt: 'p' },
        agent: { id: 'analyst', role: 'Analyst', position: 2, count: 3 },
        action: 'code',
        toolOutput: 'Traceback',
        filesWritten: ['submission.csv'],
        previousActions: [{ agentId: 'de', role: 'Data Engineer', text: 't', filesWritten: ['X_train.pkl'] }],
        extras: { taskType: 'regression' },
      },
      'a.json',
    );
    expect(input.task).toEqual({ id: 'task', prompt: 'p', metadata: {} });
    expect(input.toolOutput).toBe('Traceback');
    expect(input.groundTruth).toBeUndefined();
    expect('groundTruth' in input).toBe(false);
    expect(input.actionRecord.filesWritten.map((f) => f.path)).toEqual(['submission.csv']);
    expect(input.actionRecord.index).toBe(1);
    expect(input.previousActions[0]!.filesWritten[0]!.writtenBy).toBe('de');
  });

  it('keeps falsy ground truth such as 0', () => {
    const parsed = CoachActionFileSchema.parse({ task: { prompt: 'p' }, agent: { id: 'a', role: 'A' }, action: 'x', groundTruth: 0 });
    expect(coachInputFromActionFile(parsed).groundTruth).toBe(0);
  });

  it('names every problem', () => {
    expect(() => parseCoachActionFile({ task: {}, agent: { id: 'a', role: 'A', position: 3, count: 3 } }, 'bad.json')).toThrow(
      /bad\.json: not a valid action file: .*task\.prompt.*action/,
    );
  });
});
