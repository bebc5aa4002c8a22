import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { startFakeServer, type FakeServer } from '../fakes/fakeOpenAIServer.js';
import { providerReply, requestTexts } from '../fakes/fakeProviderResponses.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';
import { FAST_RETRY, uniqueModel } from './coachFixtures.js';

describe('an LLM coach inside a training run', () => {
  let server: FakeServer;
  let dir: string;
  beforeAll(async () => {
    // The score depends on the prompt, so it differs between agents but not between runs.
    server = await startFakeServer((req) => {
      const prompt = requestTexts(req).join('');
      return providerReply('openai', `Looks fine.\nPROCESS_SCORE: ${prompt.length % 11}\nANSWER_CORRECT: 1`, { input: 100, output: 10 });
    });
    dir = await mkdtemp(join(tmpdir(), 'mappa-coach-pipeline-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function train(coach: Record<string, unknown>, name: string) {
    const registry = createBuiltinRegistry();
    const fakes = fakePlugins();
    registry.registerAll(fakes.defs, 'test');
    const raw = tinyPipeline({ coach, run: { steps: 1, cacheDir: join(dir, 'cache') } });
    const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const runDir = join(dir, name);
    const run = await createRun({ pipeline: result.pipeline, runDir, logger: silentLogger });
    const summary = await run.runner.train();
    await run.dispose();
    const files = (await readdir(join(runDir, 'episodes'))).filter((f) => f.startsWith('train-'));
    const episodes = (await readFile(join(runDir, 'episodes', files[0]!), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    return { summary, episodes };
  }

  it('scores every action, reports runtime and bias counters in the metrics, and reuses the cache on a rerun', async () => {
    const model = uniqueModel();
    const coach = {
      use: 'bias-monitor',
      coach: { use: 'openai', baseURL: `${server.url}/v1`, model, template: 'builtin:generic', retry: FAST_RETRY, prices: { inputPerMillion: 1, outputPerMillion: 2 } },
    };
    const first = await train(coach, 'run1');
    const actions = first.episodes.flatMap((e: { actions: Array<{ coach: { score: number; flags: { fallback: boolean; cached: boolean } } }> }) => e.actions);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a: { coach: { flags: { fallback: boolean } } }) => !a.coach.flags.fallback)).toBe(true);
    const row = first.summary.metrics.find((m) => m.step === 1)!;
    expect(row['coach/calls']).toBeGreaterThanOrEqual(actions.length);
    expect(row['coach/fallbacks']).toBe(0);
    expect(row['coach/cost_usd']).toBeGreaterThan(0);
    expect(row['coach/bias/mean/agent/solver']).toBeTypeOf('number');
    expect(row['train/coach/fallbacks']).toBe(0);

    const requestsBefore = server.requests.length;
    const second = await train(coach, 'run2');
    const secondActions = second.episodes.flatMap((e: { actions: unknown[] }) => e.actions) as Array<{ coach: { score: number; flags: { cached: boolean } } }>;
    // Same seed, same prompts: every evaluation comes from the cache with the same score.
    expect(server.requests.length - requestsBefore).toBe(0);
    expect(secondActions.every((a) => a.coach.flags.cached)).toBe(true);
    expect(secondActions.map((a) => a.coach.score)).toEqual(actions.map((a: { coach: { score: number } }) => a.coach.score));
  });
});
