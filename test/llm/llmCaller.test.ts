// The shared LLM client layer (plugins/llm/) driven through each provider's real client library against a loopback
// fake of its wire protocol: retries, Retry-After, timeouts, aborts, limits, key handling and error mapping are tested
// here once; coaches and the openai-compatible policy each keep one wiring test.
import { describe, expect, it } from 'vitest';
import { MappaError } from '../../core/util/MappaError.js';
import { readApiKey } from '../../core/util/readApiKey.js';
import type { LlmBackend } from '../../plugins/llm/LlmBackend.js';
import { LlmCaller, type LlmCallCounter } from '../../plugins/llm/LlmCaller.js';
import { LlmError } from '../../plugins/llm/LlmError.js';
import { llmMappaError } from '../../plugins/llm/llmMappaError.js';
import { ProviderLimiter, sharedProviderLimiter } from '../../plugins/llm/ProviderLimiter.js';
import { AnthropicBackend } from '../../plugins/llm/providers/AnthropicBackend.js';
import { GeminiBackend } from '../../plugins/llm/providers/GeminiBackend.js';
import { OpenAIBackend } from '../../plugins/llm/providers/OpenAIBackend.js';
import type { RetryPolicy } from '../../plugins/llm/retryCall.js';
import { providerError, providerReply, requestTexts, scripted, type FakeProvider } from '../fakes/fakeProviderResponses.js';
import { useFakeServer } from '../fakes/useFakeServer.js';

const FAST: RetryPolicy = { retries: 3, minDelayMs: 5, maxDelayMs: 20, factor: 2, jitter: 0.5, maxTotalMs: 10_000 };

function backend(provider: FakeProvider, url: string, apiKey = 'EMPTY', fetchImpl?: typeof fetch): LlmBackend {
  const o = { apiKey, model: 'fake-model', ...(fetchImpl ? { fetch: fetchImpl } : {}) };
  if (provider === 'anthropic') return new AnthropicBackend({ baseURL: url, ...o });
  if (provider === 'gemini') return new GeminiBackend({ baseURL: url, ...o });
  return new OpenAIBackend({ baseURL: `${url}/v1`, ...o });
}

function caller(provider: string, o: { timeoutMs?: number; retry?: RetryPolicy; limiter?: ProviderLimiter; secret?: string } = {}) {
  const counts: Partial<Record<LlmCallCounter, number>> = {};
  const c = new LlmCaller({
    provider,
    label: `test ${provider}`,
    timeoutMs: o.timeoutMs ?? 3000,
    retry: o.retry ?? FAST,
    limiter: o.limiter ?? new ProviderLimiter({ concurrency: 8 }),
    seed: 1,
    secret: o.secret,
    count: (k) => void (counts[k] = (counts[k] ?? 0) + 1),
  });
  return { c, counts };
}

const requestText = (req: Parameters<typeof requestTexts>[0]) => requestTexts(req).join('\n');
const ask = { messages: [{ role: 'user' as const, content: 'hello' }] };

describe.each<FakeProvider>(['openai', 'anthropic', 'gemini'])('LLM caller with the %s client', (provider) => {
  const server = useFakeServer(() => providerReply(provider, 'fine'));

  it('retries a 429 after its Retry-After and a 500, and counts them', async () => {
    const times: number[] = [];
    server.setHandler(
      scripted([
        () => (times.push(performance.now()), providerError(provider, 429, 'rate limited', { 'retry-after': '0.3' })),
        () => (times.push(performance.now()), providerError(provider, 500, 'internal')),
        () => (times.push(performance.now()), providerReply(provider, 'done')),
      ]),
    );
    const b = backend(provider, server.url);
    const { c, counts } = caller(provider);
    const r = await c.call((signal) => b.complete(ask, signal));
    expect(r.text).toBe('done');
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(290);
    // The 500's backoff is the computed one (at most 20 ms here), not another Retry-After.
    expect(times[2]! - times[1]!).toBeLessThan(250);
    expect(counts).toEqual({ attempts: 3, retries: 2, api_errors: 2, rate_limited: 1 });
  });

  it('times out a hanging attempt and retries it', async () => {
    server.setHandler(scripted([{ hang: true }, providerReply(provider, 'late but fine')]));
    const b = backend(provider, server.url);
    const { c, counts } = caller(provider, { timeoutMs: 250 });
    expect((await c.call((signal) => b.complete(ask, signal))).text).toBe('late but fine');
    expect(counts).toEqual({ attempts: 2, timeouts: 1, retries: 1 });
  });

  it('sends the key from the environment and keeps it out of errors', async () => {
    const key = `${provider}-secret-key-987654321`;
    process.env['MAPPA_LLM_TEST_KEY'] = key;
    try {
      const apiKey = readApiKey('MAPPA_LLM_TEST_KEY', server.url, 'test');
      server.setHandler(() => providerError(provider, 403, `key ${key} is not allowed`));
      const b = backend(provider, server.url, apiKey);
      const { c, counts } = caller(provider, { secret: apiKey });
      const err = await c.call((signal) => b.complete(ask, signal)).catch((e: unknown) => e);
      const h = server.requests[0]!.headers;
      // This @anthropic-ai/sdk version sends the key as a bearer token; older ones used x-api-key.
      const sent = provider === 'anthropic' ? (h['x-api-key'] ?? h['authorization']) : provider === 'gemini' ? h['x-goog-api-key'] : h['authorization'];
      expect(String(sent)).toContain(key);
      expect(err).toBeInstanceOf(LlmError);
      expect((err as LlmError).status).toBe(403);
      expect((err as LlmError).message).toContain('HTTP 403');
      expect((err as LlmError).message).not.toContain(key);
      // A 403 is not worth retrying.
      expect(counts).toEqual({ attempts: 1, api_errors: 1 });
      const mapped = llmMappaError(err, { who: 'policy p', baseURL: server.url, model: 'fake-model', path: 'policies.p', apiKeyEnv: 'MAPPA_LLM_TEST_KEY' });
      expect(mapped.message).not.toContain(key);
      expect(mapped.hint).toContain('MAPPA_LLM_TEST_KEY (policies.p.apiKeyEnv)');
    } finally {
      delete process.env['MAPPA_LLM_TEST_KEY'];
    }
  });

  it('uses the injected fetch', async () => {
    server.setHandler(() => providerReply(provider, 'via injected fetch'));
    const seen: string[] = [];
    const spy: typeof fetch = (input, init) => {
      seen.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    const { c } = caller(provider);
    const b = backend(provider, server.url, 'EMPTY', spy);
    expect((await c.call((signal) => b.complete(ask, signal))).text).toBe('via injected fetch');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain(server.url);
  });
});

describe('LLM caller behaviour that does not depend on the provider', () => {
  const server = useFakeServer(() => providerReply('openai', 'fine'));

  it('gives up after the configured retries and throws the last error', async () => {
    server.setHandler(() => providerError('openai', 503, 'overloaded'));
    const b = backend('openai', server.url);
    const { c, counts } = caller('openai', { retry: { ...FAST, retries: 2 } });
    const err = await c.call((signal) => b.complete(ask, signal)).catch((e: unknown) => e);
    expect((err as LlmError).status).toBe(503);
    expect(server.requests).toHaveLength(3);
    expect(counts).toMatchObject({ attempts: 3, retries: 2, api_errors: 3 });
  });

  it('bounds the total retry time: a Retry-After beyond it ends the retries at once', async () => {
    server.setHandler(() => providerError('openai', 429, 'later', { 'retry-after': '30' }));
    const b = backend('openai', server.url);
    const { c, counts } = caller('openai', { retry: { ...FAST, retries: 10, maxTotalMs: 2000 } });
    const t0 = performance.now();
    const err = await c.call((signal) => b.complete(ask, signal)).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(1500);
    expect((err as LlmError).status).toBe(429);
    expect(counts).toEqual({ attempts: 1, api_errors: 1, rate_limited: 1 });
  });

  it('does not retry a 400', async () => {
    server.setHandler(() => providerError('openai', 400, 'bad request'));
    const b = backend('openai', server.url);
    const { c, counts } = caller('openai');
    await expect(c.call((signal) => b.complete(ask, signal))).rejects.toThrow(/HTTP 400/);
    expect(counts).toEqual({ attempts: 1, api_errors: 1 });
  });

  it("stops at once when the caller's signal aborts, without retrying", async () => {
    server.setHandler(() => ({ hang: true }));
    const b = backend('openai', server.url);
    const { c, counts } = caller('openai', { timeoutMs: 5000 });
    const ac = new AbortController();
    const t0 = performance.now();
    setTimeout(() => ac.abort(new Error('run stopped')), 100);
    await expect(c.call((signal) => b.complete(ask, signal), ac.signal)).rejects.toThrow();
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(counts).toEqual({ attempts: 1 });
  });

  it('limits requests in flight per endpoint and model, across callers sharing the limiter', async () => {
    server.setHandler(() => ({ ...providerReply('openai', 'slow'), delayMs: 60 }));
    const key = `openai|${server.url}|shared-${Math.random()}`;
    const a = caller('openai', { limiter: sharedProviderLimiter(key, { concurrency: 4 }) });
    const b = caller('openai', { limiter: sharedProviderLimiter(key, { concurrency: 2 }) });
    const be = backend('openai', server.url);
    await Promise.all([a, b, a, b, a, b].map(({ c }) => c.call((signal) => be.complete(ask, signal))));
    expect(server.requests).toHaveLength(6);
    expect(server.maxConcurrent()).toBe(2);
  });

  it('holds every call to a provider while a 429 Retry-After runs', async () => {
    const limiter = new ProviderLimiter({ concurrency: 8 });
    const arrivals: Array<[string, number]> = [];
    server.setHandler(
      scripted([
        (req) => (arrivals.push([requestText(req), performance.now()]), providerError('openai', 429, 'slow down', { 'retry-after-ms': '300' })),
        (req) => (arrivals.push([requestText(req), performance.now()]), providerReply('openai', 'ok')),
      ]),
    );
    const b = backend('openai', server.url);
    const first = caller('openai', { limiter });
    const second = caller('openai', { limiter });
    const p1 = first.c.call((signal) => b.complete({ messages: [{ role: 'user', content: 'first' }] }, signal));
    // The second caller starts once the 429 is in (during the pause); it was never refused itself, yet it waits too.
    while (!first.counts.retries) await new Promise((r) => setTimeout(r, 5));
    const p2 = second.c.call((signal) => b.complete({ messages: [{ role: 'user', content: 'second' }] }, signal));
    await Promise.all([p1, p2]);
    const refusedAt = arrivals[0]![1];
    const secondAt = arrivals.find(([t]) => t === 'second')![1];
    expect(arrivals[0]![0]).toBe('first');
    expect(secondAt - refusedAt).toBeGreaterThanOrEqual(280);
    expect(second.counts).toEqual({ attempts: 1 });
  });

  it('maps failures to MappaErrors whose hint says what to do', async () => {
    const ctx = { who: 'policy solver', baseURL: 'http://127.0.0.1:9/v1', model: 'm', path: 'policies.solver', apiKeyEnv: 'OPENAI_API_KEY' };
    const cases: Array<[LlmError, RegExp]> = [
      [new LlmError('openai: request timed out', { kind: 'timeout' }), /raise policies\.solver\.timeoutMs/],
      [new LlmError('openai: connection failed', { kind: 'network' }), /is the server running at http:\/\/127\.0\.0\.1:9\/v1/],
      [new LlmError('openai: HTTP 404: no such model', { kind: 'http', status: 404 }), /serves model "m"/],
      [new LlmError('openai: HTTP 429', { kind: 'http', status: 429 }), /policies\.solver\.requestsPerMinute/],
    ];
    for (const [e, hint] of cases) {
      const m = llmMappaError(e, ctx);
      expect(m).toBeInstanceOf(MappaError);
      expect(m.message).toBe(`policy solver: request to http://127.0.0.1:9/v1 failed: ${e.message}`);
      expect(m.hint).toMatch(hint);
    }
  });

  it('reports a connection refused as a retried network error', async () => {
    const b = new OpenAIBackend({ baseURL: 'http://127.0.0.1:9/v1', apiKey: 'EMPTY', model: 'm' });
    const { c, counts } = caller('openai', { retry: { ...FAST, retries: 1 } });
    const err = await c.call((signal) => b.complete(ask, signal)).catch((e: unknown) => e);
    expect((err as LlmError).kind).toBe('network');
    expect(counts).toEqual({ attempts: 2, retries: 1 });
  });
});
