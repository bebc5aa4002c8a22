import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRun } from '../../core/runner/createRun.js';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { FakeCoach, FakeEnvironment, fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function runTiny(raw: Record<string, unknown>, fakes = fakePlugins(), signal?: AbortSignal) {
  const registry = createBuiltinRegistry();
  registry.registerAll(fakes.defs, 'test');
  const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const runDir = await mkdtemp(join(tmpdir(), 'mappa-run-'));
  dirs.push(runDir);
  const run = await createRun({ pipeline: result.pipeline, runDir, logger: silentLogger, ...(signal ? { signal } : {}) });
  const summary = await run.runner.train();
  await run.dispose();
  return { summary, runDir, fakes };
}

async function readEpisodes(runDir: string, prefix: string) {
  const files = (await readdir(join(runDir, 'episodes'))).filter((f) => f.startsWith(prefix)).sort();
  const lines = (await Promise.all(files.map((f) => readFile(join(runDir, 'episodes', f), 'utf8')))).join('').trim().split('\n');
  return lines.map((l) => JSON.parse(l));
}

describe('runner end to end (fake plugins)', () => {
  it('runs steps, coaches every action, trains each agent and writes the run directory', async () => {
    const { summary, runDir, fakes } = await runTiny(tinyPipeline());
    expect(summary.step).toBe(2);
    expect(summary.interrupted).toBe(false);
    for (const f of ['config.resolved.yaml', 'metrics.jsonl', 'metrics.csv', 'logs', 'checkpoints/step-0002/runner.json']) {
      expect(existsSync(join(runDir, f)), f).toBe(true);
    }
    const metrics = summary.metrics;
    expect(metrics.map((m) => m.step)).toEqual([0, 1, 2]);
    expect(metrics[1]!['train/episodes']).toBe(6);
    expect(metrics[1]!['eval/episodes']).toBe(2);
    const episodes = await readEpisodes(runDir, 'train-step-0001');
    expect(episodes).toHaveLength(6);
    for (const ep of episodes) {
      expect(ep.actions.length).toBeGreaterThanOrEqual(3);
      for (const a of ep.actions) expect(a.coach?.score).toBeTypeOf('number');
      expect(ep.outcome).toBeDefined();
    }
    // The trainer got one batch per agent, built from exact token ids.
    expect(fakes.trainer.steps).toHaveLength(2);
    const batches = fakes.trainer.steps[0]!.batches;
    expect(batches.map((b) => b.agentId).sort()).toEqual(['coder', 'solver', 'verifier']);
    const solverExp = batches.find((b) => b.agentId === 'solver')!.experiences[0]!;
    expect(solverExp.actionIds.length).toBeGreaterThan(0);
    expect(String.fromCharCode(...solverExp.actionIds)).toMatch(/^a says \d$/);
    expect(solverExp.reward).toBeCloseTo(solverExp.score * 0.1);
    // Multi-action agents see their own previous action and the tool response in later contexts.
    const twoAction = episodes.flatMap((e: any) => e.actions).find((a: any) => a.agentId === 'coder' && a.turnIndex === 1);
    expect(twoAction).toBeDefined();
    expect(String.fromCharCode(...twoAction.contextIds)).toContain('<tool_response>ran</tool_response>');
    expect(fakes.env.created).toBe(fakes.env.closed);
    const csv = await readFile(join(runDir, 'metrics.csv'), 'utf8');
    expect(csv.split('\n')[0]).toContain('train/success_rate');
  });

  it('gives the same episodes for the same seed and different ones for another seed', async () => {
    const strip = (eps: any[]) =>
      eps.map((e) => ({ task: e.taskId, actions: e.actions.map((a: any) => [a.agentId, a.text, a.coach?.score]), outcome: e.outcome }));
    const a = await runTiny(tinyPipeline({ run: { steps: 1, concurrency: 4 } }));
    const b = await runTiny(tinyPipeline({ run: { steps: 1, concurrency: 1 } }));
    const c = await runTiny({ ...tinyPipeline({ run: { steps: 1 } }), seed: 8 });
    const ea = strip(await readEpisodes(a.runDir, 'train'));
    expect(ea).toEqual(strip(await readEpisodes(b.runDir, 'train')));
    expect(ea).not.toEqual(strip(await readEpisodes(c.runDir, 'train')));
  });

  it('keeps episode ids unique when a step spans an epoch boundary and repeats a task', async () => {
    // 4 training tasks, 3 per step: step 2 takes the last task of epoch 0 and two of epoch 1.
    const { summary, runDir } = await runTiny(tinyPipeline({ run: { steps: 3, tasksPerStep: 3, samplesPerTask: 1, eval: { atStart: false, atEnd: false } } }));
    const episodes = await readEpisodes(runDir, 'train');
    expect(episodes).toHaveLength(9);
    expect(new Set(episodes.map((e: any) => e.id)).size).toBe(9);
    expect(episodes.filter((e: any) => e.error)).toEqual([]);
    expect(summary.metrics.every((m) => (m['train/failed_episodes'] ?? 0) === 0)).toBe(true);
  });

  it('warm-starts trained policies from demonstrations and reuses the cached weights on a second run', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'mappa-cache-'));
    dirs.push(cacheDir);
    const raw = {
      ...tinyPipeline({ run: { steps: 1, cacheDir, eval: { atStart: true, atEnd: false } } }),
      warmStart: { demonstrations: { use: 'fake-demos', count: 4 }, trainer: { use: 'fake-trainer' } },
    };
    const first = await runTiny(raw);
    // The warm-start trainer saw each policy's demonstrations, encoded by the policy itself, before any rollout.
    const warm = first.fakes.trainer.steps[0]!;
    expect(warm.step).toBe(0);
    expect(warm.batches).toHaveLength(1);
    expect(first.fakes.trainer.steps.filter((s) => s.step === 0)).toHaveLength(3);
    const demo = warm.batches[0]!.experiences[0]!;
    expect(String.fromCharCode(...demo.actionIds)).toMatch(/^[abc] says 0$/);
    const row0 = first.summary.metrics[0]!;
    expect(row0['warmstart/a/demonstrations']).toBe(4);
    expect(row0['warmstart/a/cache_hit']).toBe(0);
    expect(row0['eval/episodes']).toBe(2);
    const second = await runTiny(raw);
    expect(second.fakes.trainer.steps.filter((s) => s.step === 0)).toHaveLength(0);
    expect(second.summary.metrics[0]!['warmstart/a/cache_hit']).toBe(1);
    expect(second.fakes.policies.get('a')!.loads[0]).toContain(join(cacheDir, 'warm-start'));
  });

  it('records a failing episode with its cause, counts it, and keeps going', async () => {
    const fakes = fakePlugins({ env: new FakeEnvironment({ crashOn: 't1' }) });
    const raw = tinyPipeline({ run: { steps: 1, tasksPerStep: 4, samplesPerTask: 1 } });
    raw.policies.b.toolEvery = 1;
    const { summary, runDir } = await runTiny(raw, fakes);
    const episodes = await readEpisodes(runDir, 'train');
    const failed = episodes.filter((e: any) => e.error);
    expect(failed).toHaveLength(1);
    expect(failed[0].error).toMatchObject({ kind: 'tool', agentId: 'coder', message: 'tool crashed' });
    expect(summary.metrics[1]!['train/failed_episodes']).toBe(1);
    expect(summary.metrics[1]!['train/failed/tool']).toBe(1);
    expect(summary.metrics[1]!['experiences/skippedFailedEpisode']).toBeGreaterThan(0);
  });

  it('flags coach failures as fallbacks, counts them and leaves them out of training', async () => {
    const fakes = fakePlugins({ coach: new FakeCoach('action', { failOn: 'a says' }) });
    const { summary, fakes: f } = await runTiny(tinyPipeline({ run: { steps: 1, tasksPerStep: 2, samplesPerTask: 1 } }), fakes);
    const m = summary.metrics[1]!;
    expect(m['train/coach/fallbacks']).toBe(2);
    expect(m['train/coach_errors']).toBe(2);
    expect(m['experiences/skippedFallback']).toBe(2);
    expect(f.trainer.steps[0]!.batches.find((b) => b.agentId === 'solver')!.experiences).toHaveLength(0);
  });

  it('stops cleanly on abort and keeps finished episodes', async () => {
    const controller = new AbortController();
    const fakes = fakePlugins();
    const raw = tinyPipeline({ run: { steps: 3, concurrency: 1, eval: { atStart: false, every: 0, atEnd: false } } });
    raw.policies.a.latencyMs = 30;
    setTimeout(() => controller.abort(), 150);
    const { summary, runDir } = await runTiny(raw, fakes, controller.signal);
    expect(summary.interrupted).toBe(true);
    expect(summary.step).toBeLessThan(3);
    const episodes = await readEpisodes(runDir, 'train');
    expect(episodes.length).toBeGreaterThan(0);
  });
});
