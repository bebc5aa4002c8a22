import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetrics, ROOT, runCli, trainStraightAndKilled } from './cliRunKit.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Three agents on two real tfjs-transformer tiny policies (the coder and the verifier share one). */
function pipeline(tmp: string) {
  const prompt = join(ROOT, 'test', 'fixtures', 'tiny-pipeline', 'prompts', 'agent.liquid');
  const policy = (seed: number) => ({ use: 'tfjs-transformer', preset: 'tiny', seed, maxNewTokens: 6, maxContextLength: 256 });
  return {
    name: 'resume-after-kill-tfjs',
    seed: 5,
    plugins: [join(ROOT, 'test', 'fakes', 'trainerTestPlugins.ts')],
    tasks: {
      use: 'inline',
      tasks: [1, 2, 3, 4].map((i) => ({ id: `t${i}`, prompt: `pick ${i}`, answer: i, split: i < 4 ? 'train' : 'test' })),
    },
    environment: { use: 'test-env' },
    policies: { a: policy(1), b: policy(2) },
    agents: [
      { id: 'solver', role: 'Problem Solver', policy: 'a', prompt },
      { id: 'coder', role: 'Code Executor', policy: 'b', prompt },
      { id: 'verifier', role: 'Verifier', policy: 'b', prompt },
    ],
    // Random text from untrained models: a checksum gives varied rewards (a digit score would be 0 everywhere).
    coach: { use: 'digit-coach', mode: 'checksum' },
    // Shuffled mini-batches (trainer RNG), a cosine schedule (step), k1 KL (reference), Adam moments: all must resume.
    // Untrained models rarely stop on their own, so length-cut actions are trained too.
    trainer: { use: 'reinforce++', lr: 2e-3, microBatchSize: 2, miniBatches: 2, maskTruncated: false, schedule: { type: 'cosine', warmupRatio: 0.25 } },
    rewards: { trainOnTruncated: true },
    run: {
      steps: 3,
      tasksPerStep: 2,
      samplesPerTask: 2,
      concurrency: 4,
      checkpointEvery: 1,
      report: false,
      outputDir: join(tmp, 'runs'),
      cacheDir: join(tmp, 'cache'),
      eval: { atStart: false, every: 0, atEnd: true },
    },
  };
}

describe('mappa train --resume after SIGKILL, real tfjs-transformer policies', () => {
  it('ends with the same metrics and bit-identical weights, optimizer and reference as an uninterrupted run', { timeout: 120_000 }, async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'mappa-resume-tfjs-'));
    dirs.push(tmp);
    const { file, straightDir, killedDir } = await trainStraightAndKilled(tmp, pipeline(tmp), 2, (killed) => {
      expect(existsSync(join(killed, 'checkpoints', 'step-0001', 'trainer', 'state.json'))).toBe(true);
      expect(existsSync(join(killed, 'checkpoints', 'step-0002'))).toBe(false);
    });

    const a = await readMetrics(straightDir);
    const b = await readMetrics(killedDir);
    expect(a.map((r) => r['step'])).toEqual([1, 2, 3]);
    expect(b).toEqual(a);
    // Training really moved the policies: rewards vary, gradients flow, and the KL to the reference left zero.
    for (const agent of ['solver', 'coder', 'verifier']) {
      expect(Number(a[2]![`trainer/${agent}/tokens`]), agent).toBeGreaterThan(0);
      expect(Number(a[2]![`trainer/${agent}/grad_norm`]), agent).toBeGreaterThan(0);
      expect(Math.abs(Number(a[2]![`trainer/${agent}/kl`])), agent).toBeGreaterThan(0);
    }
    expect(Math.abs(Number(a[0]!['trainer/solver/kl']))).toBeLessThan(1e-6);
    const state = JSON.parse(await readFile(join(killedDir, 'checkpoints', 'step-0003', 'policies', 'a', 'mappa_policy.json'), 'utf8'));
    expect(state.policyVersion).toBe(3);
    for (const rel of [
      'policies/a/model.safetensors',
      'policies/b/model.safetensors',
      'policies/b/mappa_policy.json',
      'trainer/state.json',
      'trainer/policy-0/optimizer.bin',
      'trainer/policy-0/reference.bin',
      'trainer/policy-1/optimizer.bin',
      'trainer/policy-1/reference.bin',
    ]) {
      const x = await readFile(join(straightDir, 'checkpoints', 'step-0003', rel));
      const y = await readFile(join(killedDir, 'checkpoints', 'step-0003', rel));
      expect(x.equals(y), rel).toBe(true);
    }

    // `mappa eval --checkpoint` reproduces the run's own final evaluation from the saved weights.
    const evalDir = join(tmp, 'eval');
    const evaluated = await runCli(['eval', file, '--checkpoint', join(straightDir, 'checkpoints', 'step-0003'), '--run-dir', evalDir]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const [evalRow] = await readMetrics(evalDir);
    const evalKeys = Object.keys(a[2]!).filter((k) => k.startsWith('eval/'));
    expect(evalKeys.length).toBeGreaterThan(3);
    expect(evalRow!['step']).toBe(3);
    for (const k of evalKeys) expect(evalRow![k], k).toEqual(a[2]![k]);
  });
});
