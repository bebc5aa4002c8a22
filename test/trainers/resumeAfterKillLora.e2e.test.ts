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

/** A mixed pipeline: two agents train LoRA adapters on one shared tiny base, the third fine-tunes a full model. */
function pipeline(tmp: string) {
  const prompt = join(ROOT, 'test', 'fixtures', 'tiny-pipeline', 'prompts', 'agent.liquid');
  const tiny = { use: 'tfjs-transformer', preset: 'tiny', maxNewTokens: 6, maxContextLength: 256 };
  return {
    name: 'resume-after-kill-lora',
    seed: 5,
    plugins: [join(ROOT, 'test', 'fakes', 'trainerTestPlugins.ts')],
    tasks: {
      use: 'inline',
      tasks: [1, 2, 3, 4].map((i) => ({ id: `t${i}`, prompt: `pick ${i}`, answer: i, split: i < 4 ? 'train' : 'test' })),
    },
    environment: { use: 'test-env' },
    policies: {
      a: { ...tiny, lora: { r: 4, alpha: 16 } },
      b: { ...tiny, lora: { r: 4, alpha: 16, targets: ['q_proj', 'v_proj', 'down_proj'] } },
      full: { ...tiny, seed: 2 },
    },
    agents: [
      { id: 'solver', role: 'Problem Solver', policy: 'a', prompt },
      { id: 'coder', role: 'Code Executor', policy: 'b', prompt },
      { id: 'verifier', role: 'Verifier', policy: 'full', prompt },
    ],
    coach: { use: 'digit-coach', mode: 'checksum' },
    trainer: { use: 'reinforce++', lr: 5e-3, microBatchSize: 2, miniBatches: 2, maskTruncated: false, schedule: { type: 'cosine', warmupRatio: 0.25 } },
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

describe('mappa train --resume after SIGKILL with LoRA adapters', () => {
  it('adapters, their optimizer state and reference resume bit-identically; the full-model agent alongside too', { timeout: 180_000 }, async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'mappa-resume-lora-'));
    dirs.push(tmp);
    const { straightDir, killedDir } = await trainStraightAndKilled(tmp, pipeline(tmp), 2, (killed) => {
      expect(existsSync(join(killed, 'checkpoints', 'step-0001', 'policies', 'a', 'adapter_model.safetensors'))).toBe(true);
      // Checkpoints of a LoRA policy hold its adapter, never the base.
      expect(existsSync(join(killed, 'checkpoints', 'step-0001', 'policies', 'a', 'model.safetensors'))).toBe(false);
    });
    const a = await readMetrics(straightDir);
    const b = await readMetrics(killedDir);
    expect(b).toEqual(a);
    for (const agent of ['solver', 'coder', 'verifier']) {
      expect(Number(a[2]![`trainer/${agent}/grad_norm`]), agent).toBeGreaterThan(0);
      expect(Math.abs(Number(a[2]![`trainer/${agent}/kl`])), agent).toBeGreaterThan(0);
    }
    const step3 = (run: string, rel: string) => readFile(join(run, 'checkpoints', 'step-0003', rel));
    for (const rel of [
      'policies/a/adapter_model.safetensors',
      'policies/a/adapter_config.json',
      'policies/b/adapter_model.safetensors',
      'policies/full/model.safetensors',
      'trainer/state.json',
      'trainer/policy-0/optimizer.bin',
      'trainer/policy-0/reference.bin',
      'trainer/policy-1/optimizer.bin',
      'trainer/policy-2/optimizer.bin',
    ]) {
      expect((await step3(straightDir, rel)).equals(await step3(killedDir, rel)), rel).toBe(true);
    }
    const cfg = JSON.parse((await step3(killedDir, 'policies/b/adapter_config.json')).toString()) as Record<string, unknown>;
    expect(cfg['target_modules']).toEqual(['q_proj', 'v_proj', 'down_proj']);
  });
});
