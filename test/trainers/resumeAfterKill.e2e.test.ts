import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetrics, ROOT, trainStraightAndKilled } from './cliRunKit.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function pipeline(tmp: string) {
  const prompt = join(ROOT, 'test', 'fixtures', 'tiny-pipeline', 'prompts', 'agent.liquid');
  return {
    name: 'resume-after-kill',
    seed: 11,
    plugins: [join(ROOT, 'test', 'fakes', 'trainerTestPlugins.ts')],
    tasks: {
      use: 'inline',
      tasks: [1, 2, 3, 4, 5].map((i) => ({ id: `t${i}`, prompt: `pick ${i}`, answer: i, split: i < 5 ? 'train' : 'test' })),
    },
    environment: { use: 'test-env' },
    policies: {
      a: { use: 'tiny-lm', seed: 1, eosBias: 3 },
      b: { use: 'tiny-lm', seed: 2, eosBias: 3, layers: 1 },
      c: { use: 'tiny-lm', seed: 3, eosBias: 3 },
    },
    agents: [
      { id: 'solver', role: 'Problem Solver', policy: 'a', prompt },
      { id: 'coder', role: 'Code Executor', policy: 'b', prompt, maxActions: 2 },
      { id: 'verifier', role: 'Verifier', policy: 'c', prompt },
    ],
    coach: { use: 'digit-coach' },
    // Mini-batch shuffling uses the trainer RNG, the cosine schedule the step, the KL the reference: all must resume.
    trainer: { use: 'reinforce++', lr: 0.01, microBatchSize: 2, miniBatches: 2, schedule: { type: 'cosine', warmupRatio: 0.25 } },
    rewards: { trainOnTruncated: true },
    run: {
      steps: 4,
      tasksPerStep: 2,
      samplesPerTask: 2,
      concurrency: 2,
      checkpointEvery: 1,
      report: false,
      outputDir: join(tmp, 'runs'),
      cacheDir: join(tmp, 'cache'),
      eval: { atStart: false, every: 2, atEnd: true },
    },
  };
}

describe('mappa train --resume after SIGKILL', () => {
  it('ends with the same metrics and weights as an uninterrupted run', { timeout: 180_000 }, async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'mappa-resume-'));
    dirs.push(tmp);
    const { straightDir, killedDir } = await trainStraightAndKilled(tmp, pipeline(tmp), 3, (killed) => {
      // Killed after step 3's rollouts, before it was trained or checkpointed.
      expect(existsSync(join(killed, 'checkpoints', 'step-0002', 'trainer', 'state.json'))).toBe(true);
      expect(existsSync(join(killed, 'checkpoints', 'step-0003'))).toBe(false);
      expect(existsSync(join(killed, 'episodes', 'train-step-0003.jsonl'))).toBe(true);
    });

    const a = await readMetrics(straightDir);
    const b = await readMetrics(killedDir);
    expect(a.map((r) => r['step'])).toEqual([1, 2, 3, 4]);
    expect(b).toEqual(a);
    // Every agent really trained (so equal metrics mean something).
    for (const agent of ['solver', 'coder', 'verifier']) expect(Number(a[3]![`trainer/${agent}/tokens`])).toBeGreaterThan(0);
    for (const rel of ['policies/a/weights.bin', 'policies/b/weights.bin', 'policies/c/weights.bin', 'trainer/policy-0/optimizer.bin', 'trainer/state.json']) {
      const x = await readFile(join(straightDir, 'checkpoints', 'step-0004', rel));
      const y = await readFile(join(killedDir, 'checkpoints', 'step-0004', rel));
      expect(x.equals(y), rel).toBe(true);
    }
  });
});
