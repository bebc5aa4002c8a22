import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/util/createLogger.js';
import { startFakeServer } from '../fakes/fakeOpenAIServer.js';
import { providerError, providerReply, requestTexts, scripted } from '../fakes/fakeProviderResponses.js';
import { useFakeServer } from '../fakes/useFakeServer.js';
import { makeCoach, mathInput, solverInput, tempDir, uniqueModel } from './coachFixtures.js';

const ok = (text: string, usage?: { input: number; output: number }) => providerReply('openai', text, usage);

describe('LLM coach runtime (OpenAI wire protocol, real openai client)', () => {
  const server = useFakeServer(() => ok('PROCESS_SCORE: 5'));

  it('reads a good answer: score, outcome, rationale, usage, flags', async () => {
    server.setHandler(scripted([ok('The verifier checked the code output.\nPROCESS_SCORE: 8\nANSWER_CORRECT: 1', { input: 120, output: 30 })]));
    const coach = await makeCoach('openai', server.url);
    const e = await coach.evaluate(mathInput());
    expect(e.score).toBe(8);
    expect(e.outcome).toEqual({ name: 'ANSWER_CORRECT', value: 1 });
    expect(e.rationale).toBe('The verifier checked the code output.');
    expect(e.flags).toEqual({ repaired: false, fallback: false, cached: false });
    expect(e.usage).toEqual({ inputTokens: 120, outputTokens: 30 });
    expect(e.coach).toMatch(/^openai:judge-/);
    expect(server.requests).toHaveLength(1);
    const body = server.requests[0]!.body as { temperature: number; messages: Array<{ role: string; content: string }> };
    expect(body.temperature).toBe(0);
    expect(body.messages[0]!.content).toContain('What is 2+3?');
    expect(body.messages[0]!.content).toContain('ANSWER_CORRECT');
    expect(coach.stats()).toMatchObject({ evaluations: 1, calls: 1, repairs: 0, fallbacks: 0, input_tokens: 120, output_tokens: 30 });
  });

  it('sends no temperature when it is set to null, and the token limit under the configured field', async () => {
    server.setHandler(scripted([ok('PROCESS_SCORE: 5')]));
    const coach = await makeCoach('openai', server.url, { temperature: null, maxTokens: 300, maxTokensField: 'max_completion_tokens' });
    await coach.evaluate(solverInput());
    const body = server.requests[0]!.body as Record<string, unknown>;
    expect('temperature' in body).toBe(false);
    expect(body['max_completion_tokens']).toBe(300);
    expect('max_tokens' in body).toBe(false);
  });

  it.each([
    ['no score', 'The agent did well.'],
    ['a word for a score', 'PROCESS_SCORE: nine'],
    ['a final score line that is not a number', 'PROCESS_SCORE: 7\nOn reflection:\nPROCESS_SCORE: three'],
  ])('sends one repair prompt for %s, and uses the repaired answer', async (_name, bad) => {
    server.setHandler(scripted([ok(bad), ok('PROCESS_SCORE: 6')]));
    const coach = await makeCoach('openai', server.url);
    const e = await coach.evaluate(solverInput());
    expect(e.score).toBe(6);
    expect(e.flags).toEqual({ repaired: true, fallback: false, cached: false });
    expect(e.details?.['unreadableReply']).toBe(bad);
    expect(server.requests).toHaveLength(2);
    const repairTexts = requestTexts(server.requests[1]!);
    expect(repairTexts.at(-2)).toBe(bad);
    expect(repairTexts.at(-1)).toContain('could not be read');
    expect(repairTexts.at(-1)).toContain('PROCESS_SCORE: <number from 0 to 10>');
    expect(coach.stats()).toMatchObject({ calls: 2, repairs: 1, fallbacks: 0 });
  });

  it('clamps an out-of-range score to [0, 10] and reports it instead of repairing', async () => {
    server.setHandler(scripted([ok('PROCESS_SCORE: 11')]));
    const coach = await makeCoach('openai', server.url);
    const e = await coach.evaluate(solverInput());
    expect(e.score).toBe(10);
    expect(e.details?.['clampedFrom']).toBe(11);
    expect(coach.stats()).toMatchObject({ clamped: 1, repairs: 0 });
  });

  it('falls back (flagged, with the reason, counted) when the repair fails too, and never caches it', async () => {
    const { dir, remove } = tempDir();
    try {
      server.setHandler(scripted([ok('I think it is fine.')]));
      const lines: string[] = [];
      const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) });
      const model = uniqueModel();
      const coach = await makeCoach('openai', server.url, { model, fallbackScore: 5 }, { cacheDir: dir, logger });
      const e = await coach.evaluate(solverInput());
      expect(e.score).toBe(5);
      expect(e.flags).toEqual({ repaired: false, fallback: true, cached: false });
      expect(e.error).toMatch(/after one repair prompt.*no "PROCESS_SCORE/);
      expect(coach.stats()).toMatchObject({ calls: 2, repairs: 1, fallbacks: 1 });
      expect(lines.some((l) => l.includes('fallback'))).toBe(true);
      // A second coach on the same cache must ask again: fallbacks are not stored.
      const again = await makeCoach('openai', server.url, { model }, { cacheDir: dir });
      const e2 = await again.evaluate(solverInput());
      expect(e2.flags.cached).toBe(false);
      expect(server.requests).toHaveLength(4);
    } finally {
      remove();
    }
  });

  it('requires ANSWER_CORRECT when the coach sees ground truth', async () => {
    server.setHandler(scripted([ok('PROCESS_SCORE: 9'), ok('PROCESS_SCORE: 9\nANSWER_CORRECT: 0')]));
    const coach = await makeCoach('openai', server.url);
    const e = await coach.evaluate(mathInput());
    expect(e.outcome).toEqual({ name: 'ANSWER_CORRECT', value: 0 });
    expect(e.flags.repaired).toBe(true);
    expect(requestTexts(server.requests[1]!).at(-1)).toContain('ANSWER_CORRECT: <0 or 1>');
  });

  // Retries, Retry-After, timeouts and limits are the shared LLM caller's (test/llm/llmCaller.test.ts, every
  // provider); this checks the coach is wired to it and counts its events in the coach stats.
  it('uses the shared LLM caller: counts retries, 429s, timeouts and HTTP errors in its stats', async () => {
    server.setHandler(
      scripted([providerError('openai', 429, 'rate limited', { 'retry-after': '0.05' }), providerError('openai', 500, 'internal'), { hang: true }, ok('PROCESS_SCORE: 7')]),
    );
    const coach = await makeCoach('openai', server.url, { timeoutMs: 300 });
    const e = await coach.evaluate(solverInput());
    expect(e.score).toBe(7);
    expect(coach.stats()).toMatchObject({ calls: 4, retries: 3, rate_limited: 1, api_errors: 2, timeouts: 1, fallbacks: 0 });
  });

  it('gives up after the configured number of retries and falls back with the HTTP error', async () => {
    server.setHandler(() => providerError('openai', 500, 'always broken'));
    const coach = await makeCoach('openai', server.url, { retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 } });
    const e = await coach.evaluate(solverInput());
    expect(e.flags.fallback).toBe(true);
    expect(e.error).toContain('HTTP 500');
    expect(server.requests).toHaveLength(3);
    expect(coach.stats()).toMatchObject({ retries: 2, fallbacks: 1 });
  });

  it('lets a caller abort through instead of scoring', async () => {
    server.setHandler(() => ({ hang: true }));
    const coach = await makeCoach('openai', server.url, { timeoutMs: 10_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('run stopped')), 100);
    await expect(coach.evaluate(solverInput(), { signal: controller.signal })).rejects.toThrow();
    expect(coach.stats()['fallbacks']).toBe(0);
  });

  it('keys the cache on the server too: the same model on another endpoint is asked, not served from cache (issue 18 item 3)', async () => {
    const { dir, remove } = tempDir();
    const other = await startFakeServer(() => ok('Other server.\nPROCESS_SCORE: 2', { input: 10, output: 2 }));
    try {
      server.setHandler(scripted([ok('Fine.\nPROCESS_SCORE: 7', { input: 100, output: 10 })]));
      const model = uniqueModel();
      const first = await makeCoach('openai', server.url, { model }, { cacheDir: dir });
      const a = await first.evaluate(solverInput());
      const second = await makeCoach('openai', other.url, { model }, { cacheDir: dir });
      const b = await second.evaluate(solverInput());
      expect(a.score).toBe(7);
      expect(other.requests).toHaveLength(1);
      expect(b.flags.cached).toBe(false);
      expect(b.score).toBe(2);
    } finally {
      await other.close();
      remove();
    }
  });

  it('serves repeats from the on-disk cache, across coach instances', async () => {
    const { dir, remove } = tempDir();
    try {
      server.setHandler(scripted([ok('Fine.\nPROCESS_SCORE: 7', { input: 100, output: 10 })]));
      const model = uniqueModel();
      const first = await makeCoach('openai', server.url, { model }, { cacheDir: dir });
      const a = await first.evaluate(solverInput());
      const second = await makeCoach('openai', server.url, { model }, { cacheDir: dir });
      const b = await second.evaluate(solverInput());
      expect(server.requests).toHaveLength(1);
      expect(b.score).toBe(a.score);
      expect(b.rationale).toBe(a.rationale);
      expect(b.flags).toEqual({ repaired: false, fallback: false, cached: true });
      expect(b.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
      expect(second.stats()).toMatchObject({ cache_hits: 1, calls: 0 });
      // A different prompt is a different entry.
      await second.evaluate(solverInput(1));
      expect(server.requests).toHaveLength(2);
    } finally {
      remove();
    }
  });

  it('merges identical calls in flight', async () => {
    server.setHandler(() => ({ ...ok('PROCESS_SCORE: 6'), delayMs: 100 }));
    const coach = await makeCoach('openai', server.url);
    const [a, b, c] = await Promise.all([coach.evaluate(solverInput()), coach.evaluate(solverInput()), coach.evaluate(solverInput(1))]);
    expect(server.requests).toHaveLength(2);
    expect(a.score).toBe(6);
    expect(b.score).toBe(6);
    // Whichever of the two identical calls reached the server first, the other one shared its request.
    const merged = [a, b].filter((e) => e.flags.cached);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.details?.['merged']).toBe(true);
    expect(merged[0]!.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
    expect(c.flags.cached).toBe(false);
    expect(coach.stats()).toMatchObject({ inflight_merges: 1, calls: 2 });
  });

  it('accounts tokens and cost, including the repair call', async () => {
    server.setHandler(scripted([ok('no score here', { input: 1000, output: 200 }), ok('PROCESS_SCORE: 8', { input: 1300, output: 10 })]));
    const coach = await makeCoach('openai', server.url, { prices: { inputPerMillion: 2, outputPerMillion: 10 } });
    const e = await coach.evaluate(solverInput());
    const cost = (2300 * 2 + 210 * 10) / 1e6;
    expect(e.usage?.inputTokens).toBe(2300);
    expect(e.usage?.outputTokens).toBe(210);
    expect(e.usage?.costUsd).toBeCloseTo(cost, 12);
    expect(coach.stats()['cost_usd']).toBeCloseTo(cost, 9);
    expect(coach.stats()).toMatchObject({ input_tokens: 2300, output_tokens: 210 });
  });

  it('asks for JSON-schema structured output and reads the JSON reply', async () => {
    server.setHandler(scripted([ok('{"rationale": "Solid.", "process_score": 9, "answer_correct": 1}')]));
    const coach = await makeCoach('openai', server.url, { structuredOutput: true });
    const e = await coach.evaluate(mathInput());
    expect(e.score).toBe(9);
    expect(e.outcome?.value).toBe(1);
    expect(e.rationale).toBe('Solid.');
    const format = (server.requests[0]!.body as { response_format: { type: string; json_schema: { schema: { required: string[] } } } }).response_format;
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.schema.required).toEqual(['rationale', 'process_score', 'answer_correct']);
  });

  it('keeps the API key out of errors, logs and evaluations', async () => {
    const key = 'mappa-test-secret-0123456789';
    process.env['MAPPA_COACH_TEST_KEY'] = key;
    try {
      server.setHandler(() => providerError('openai', 401, `Incorrect API key provided: ${key}. Also sk-proj-abcdefghijklmnop.`));
      const lines: string[] = [];
      const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
      const coach = await makeCoach('openai', server.url, { apiKeyEnv: 'MAPPA_COACH_TEST_KEY' }, { logger });
      const e = await coach.evaluate(solverInput());
      expect(server.requests[0]!.headers['authorization']).toBe(`Bearer ${key}`);
      expect(e.flags.fallback).toBe(true);
      expect(e.error).toContain('HTTP 401');
      const everything = JSON.stringify(e) + lines.join('\n');
      expect(everything).not.toContain(key);
      expect(everything).not.toContain('sk-proj-abcdefghijklmnop');
      expect(everything).toContain('[redacted]');
    } finally {
      delete process.env['MAPPA_COACH_TEST_KEY'];
    }
  });

  it('refuses to start without a key for a remote URL, naming the variable', async () => {
    delete process.env['MAPPA_MISSING_KEY'];
    const { createOpenAICoach } = await import('../../coaches/llm/openaiCoachPlugin.js');
    await expect(createOpenAICoach({ baseURL: 'https://api.example.invalid/v1', model: 'm', apiKeyEnv: 'MAPPA_MISSING_KEY' })).rejects.toThrow(
      /MAPPA_MISSING_KEY is not set/,
    );
  });
});
