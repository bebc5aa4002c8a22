import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMathChatRuleCoach } from '../../coaches/mathchat-rule/mathchatRuleCoachPlugin.js';
import { createRewardServer } from '../../plugins/serving/createRewardServer.js';
import type { RewardServer } from '../../plugins/serving/createRewardServer.js';
import { makeCoach, tempDir } from '../coaches/coachFixtures.js';
import { providerReply, requestTexts } from '../fakes/fakeProviderResponses.js';
import { startCliServer } from '../fakes/startCliServer.js';
import { useFakeServer } from '../fakes/useFakeServer.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

// Exactly what OpenRLHF sends: query = prompt + response (special tokens kept), prompts, labels.
const prompt = '<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n';
const openrlhfRequest = {
  query: [`${prompt}2+3 = 5, so the answer is \\boxed{5}<|im_end|>`, `${prompt}2+3 = 6, so the answer is \\boxed{6}<|im_end|>`],
  prompts: [prompt, prompt],
  labels: ['5', '5'],
};

describe('coach reward server with a rule coach (OpenRLHF protocol)', () => {
  let server: RewardServer;
  beforeAll(async () => {
    server = await createRewardServer({ coach: createMathChatRuleCoach(), agent: { role: 'Verifier', agentId: 'verifier' }, port: 0 });
  });
  afterAll(async () => server.close());

  it('POST /get_reward scores each query as an action and answers {rewards, scores, extra_logs}', async () => {
    const r = await post(`${server.url}/get_reward`, openrlhfRequest);
    expect(r.status).toBe(200);
    const { rewards, scores, extra_logs } = r.body as { rewards: number[]; scores: number[]; extra_logs: Record<string, number[]> };
    expect(rewards).toHaveLength(2);
    expect(rewards[0]).toBeGreaterThan(rewards[1]!); // right answer above wrong answer
    expect(rewards.map((x) => x * 10)).toEqual(extra_logs['coach_score']!.map((s) => s)); // default scale 0.1
    expect(scores).toEqual(extra_logs['coach_score']!.map((s) => s / 10));
    expect(extra_logs['coach_fallback']).toEqual([0, 0]);
    expect(r.body.evaluations[0]).toMatchObject({ coach: 'mathchat-rule', flags: { fallback: false }, outcome: { name: 'ANSWER_CORRECT', value: 1 } });
    expect(r.body.evaluations[1].outcome).toEqual({ name: 'ANSWER_CORRECT', value: 0 });
  });

  it('accepts the older query-only request and per-request role / agent_id', async () => {
    const r = await post(`${server.url}/get_reward`, { query: ['What is 2+3? The answer is \\boxed{5}'], role: 'Verifier', agent_id: 'v2' });
    expect(r.status).toBe(200);
    expect(r.body.rewards).toHaveLength(1);
  });

  it('POST /v1/evaluate takes the action JSON of `mappa coach eval --action` (one, or a batch)', async () => {
    const action = { task: { prompt: 'What is 2+3?' }, agent: { id: 'verifier', role: 'Verifier' }, action: 'The answer is \\boxed{5}', groundTruth: '5' };
    const one = await post(`${server.url}/v1/evaluate`, action);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ coach: 'mathchat-rule', evaluation: { flags: { fallback: false } } });
    expect(one.body.reward).toBeCloseTo(one.body.evaluation.score * 0.1, 10);
    const batch = await post(`${server.url}/v1/evaluate`, { actions: [action, { ...action, action: 'The answer is \\boxed{9}' }] });
    expect(batch.body.evaluations).toHaveLength(2);
    expect(batch.body.evaluations[0].score).toBeGreaterThan(batch.body.evaluations[1].score);
  });

  it('answers bad requests with OpenAI-shaped 4xx errors', async () => {
    const notList = await post(`${server.url}/get_reward`, { query: 'text' });
    expect(notList.status).toBe(400);
    expect(notList.body.error.param).toBe('query');
    const mismatch = await post(`${server.url}/get_reward`, { query: ['a', 'b'], prompts: ['a'] });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.message).toContain('prompts has 1 entries but query has 2');
    const badAction = await post(`${server.url}/v1/evaluate`, { task: { prompt: 'x' }, action: 'y' });
    expect(badAction.status).toBe(400);
    expect(badAction.body.error.message).toContain('agent');
    expect((await post(`${server.url}/get_reward`, '{"query": [')).body.error.code).toBe('invalid_json');
    expect((await post(`${server.url}/nope`, {})).status).toBe(404);
  });
});

describe('coach reward server with an LLM coach: fallbacks are flagged and counted', () => {
  const fake = useFakeServer((req) => {
    const text = requestTexts(req).join('\n');
    return providerReply('openai', text.includes('UNSCORABLE') ? 'I would rather not give a number.' : 'Fine work.\nPROCESS_SCORE: 8');
  });
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('a query whose coach reply never parses gets the neutral score, flagged in extra_logs and evaluations, and counted', async () => {
    const coach = await makeCoach('openai', fake.url, { cache: false }, { cacheDir: tmp.dir });
    const server = await createRewardServer({ coach, agent: { role: 'Problem Solver' }, port: 0 });
    try {
      const r = await post(`${server.url}/get_reward`, { query: ['2+3 = 5', 'UNSCORABLE 2+3 = 5'], prompts: ['', ''], labels: ['', ''] });
      expect(r.status).toBe(200);
      expect(r.body.extra_logs.coach_fallback).toEqual([0, 1]);
      expect(r.body.extra_logs.coach_score).toEqual([8, 5]);
      expect(r.body.rewards).toEqual([0.8, 0.5]);
      expect(r.body.evaluations[1].flags.fallback).toBe(true);
      expect(r.body.evaluations[1].error).toBeTruthy();
      const stats = (await (await fetch(`${server.url}/stats`)).json()) as { server: Record<string, number>; coachStats: Record<string, number> };
      expect(stats.server).toMatchObject({ requests: 1, queries: 2, fallbacks: 1 });
      expect(stats.coachStats['fallbacks']).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('--on-fallback error answers 503 so the client retries instead of training on a neutral score', async () => {
    const coach = await makeCoach('openai', fake.url, { cache: false }, { cacheDir: tmp.dir });
    const server = await createRewardServer({ coach, port: 0, onFallback: 'error' });
    try {
      const r = await post(`${server.url}/get_reward`, { query: ['UNSCORABLE'] });
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('coach_fallback');
      expect(server.counters()['fallbacks']).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('mappa coach serve (CLI) with the verl compute_score shim in python3', () => {
  it('serves a coach file; the shim (urllib only) gets the score, and SIGTERM stops the server', async () => {
    const tmp = tempDir();
    const coachFile = join(tmp.dir, 'coach.yaml');
    writeFileSync(coachFile, 'use: mathchat-rule\n');
    const server = await startCliServer(['coach', 'serve', '--coach', coachFile, '--port', '0', '--role', 'Verifier', '--no-cache'], { ready: /on (http:\/\/127\.0\.0\.1:\d+)/ }).catch((e: unknown) => {
      tmp.remove();
      throw e;
    });
    const { url } = server;
    try {
      const script = [
        'import json, sys',
        `sys.path.insert(0, ${JSON.stringify(join(ROOT, 'examples', 'verl'))})`,
        'from mappa_reward import compute_score',
        'right = compute_score("mathchat", "The answer is \\\\boxed{5}", "5", extra_info={"question": "What is 2+3?", "index": 1})',
        'wrong = compute_score("mathchat", "The answer is \\\\boxed{7}", "5", extra_info={"question": "What is 2+3?", "index": 2})',
        'print(json.dumps([right, wrong]))',
      ].join('\n');
      const { stdout: out } = await promisify(execFile)('python3', ['-c', script], { env: { ...process.env, MAPPA_REWARD_URL: url, MAPPA_REWARD_ROLE: 'Verifier' }, timeout: 30_000 });
      const [right, wrong] = JSON.parse(out) as Array<{ score: number; coach_score: number; coach_fallback: number }>;
      expect(right!.score).toBeGreaterThan(wrong!.score);
      expect(right!.score).toBeCloseTo(right!.coach_score * 0.1, 10);
      expect([right!.coach_fallback, wrong!.coach_fallback]).toEqual([0, 0]);
    } finally {
      const code = await server.stop();
      tmp.remove();
      expect(code, server.stderr()).toBe(0);
    }
    expect(server.stdout()).toContain('SIGTERM, shutting down (2 queries, 0 fallbacks)');
  });
});
