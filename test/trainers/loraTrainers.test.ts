// The trainers on LoRA policies: only adapter parameters get gradients and Adam moments; the base never moves; the KL
// reference is the adapter at the start of training (or the bare base), without a second copy of the base.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Trainer } from '../../core/contracts/Trainer.js';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import type { LoraOptions } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import type { TfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/TfjsTransformerPolicy.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { createGrpoTrainer } from '../../plugins/trainers/grpo/grpoTrainerPlugin.js';
import { createReinforcePPBaselineTrainer } from '../../plugins/trainers/reinforce-pp/reinforcePPBaselineTrainerPlugin.js';
import { createReinforcePPTrainer } from '../../plugins/trainers/reinforce-pp/reinforcePPTrainerPlugin.js';
import { createSftTrainer } from '../../plugins/trainers/sft/sftTrainerPlugin.js';
import { contrastBatch, exactKl, meanLogp } from './trainerTestKit.js';

const { tf } = await loadTf();
const constant = { type: 'constant', warmupRatio: 0 } as const;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const loraTiny = (id: string, lora: LoraOptions = {}) =>
  createTfjsTransformerPolicy({ preset: 'tiny', id, seed: 3, maxContextLength: 64, base: `trainer-test-${id}`, lora: { r: 4, alpha: 8, seed: 1, ...lora } });

function snapshotOf(weights: ReadonlyMap<string, { dataSync(): ArrayLike<number> }>): Map<string, Float32Array> {
  return new Map([...weights].map(([k, v]) => [k, Float32Array.from(v.dataSync())]));
}
function equalMaps(a: Map<string, Float32Array>, b: Map<string, Float32Array>): boolean {
  return [...a].every(([k, x]) => {
    const y = b.get(k)!;
    return x.length === y.length && x.every((v, i) => v === y[i]);
  });
}

const trainers: Record<string, (x?: Record<string, unknown>) => Promise<Trainer>> = {
  'reinforce++': (x = {}) => createReinforcePPTrainer({ lr: 0.02, schedule: constant, ...x }),
  'reinforce++-baseline': (x = {}) => createReinforcePPBaselineTrainer({ lr: 0.02, schedule: constant, ...x }),
  grpo: (x = {}) => createGrpoTrainer({ lr: 0.02, schedule: constant, ...x }),
  'grpo (rloo)': (x = {}) => createGrpoTrainer({ lr: 0.02, schedule: constant, estimator: 'rloo', ...x }),
};

describe('trainers on LoRA policies', () => {
  for (const [name, make] of Object.entries(trainers)) {
    it(`${name}: moves log-probs the way the rewards say, training only the adapter`, async () => {
      const policy = await loraTiny(name.replace(/\W/g, ''));
      const baseBefore = snapshotOf(policy.lora!.base.weights);
      const batch = contrastBatch('agent', policy);
      const before = await Promise.all(batch.experiences.map((e) => meanLogp(policy, e)));
      const trainer = await make();
      // Two steps: B starts at zero, so the first update moves B only and the second moves A as well.
      await trainer.step([batch], { step: 1, totalSteps: 10 });
      const adapterMid = snapshotOf(policy.variables());
      const m = await trainer.step([batch], { step: 2, totalSteps: 10 });
      const after = await Promise.all(batch.experiences.map((e) => meanLogp(policy, e)));
      batch.experiences.forEach((e, i) => {
        if (e.reward > 0) expect(after[i], `rewarded action ${i}`).toBeGreaterThan(before[i]!);
        else expect(after[i], `unrewarded action ${i}`).toBeLessThan(before[i]!);
      });
      expect(m['agent']).toMatchObject({ optimizer_steps: 1, skipped_updates: 0 });
      expect(equalMaps(baseBefore, snapshotOf(policy.lora!.base.weights))).toBe(true);
      expect(equalMaps(adapterMid, snapshotOf(policy.variables()))).toBe(false);
      // Optimizer state and reference hold adapter tensors only.
      const dir = await mkdtemp(join(tmpdir(), 'mappa-lora-trainer-'));
      dirs.push(dir);
      await trainer.saveState!(dir);
      for (const file of ['optimizer.json', 'reference.json']) {
        const { specs } = JSON.parse(await readFile(join(dir, 'policy-0', file), 'utf8')) as { specs: Array<{ name: string }> };
        expect(specs.length, file).toBeGreaterThan(0);
        expect(specs.every((s) => /lora_[AB]\.weight$/.test(s.name)), file).toBe(true);
      }
      await trainer.dispose?.();
      policy.dispose();
    });
  }

  it('sft (warm start) trains the adapter only', async () => {
    const policy = await loraTiny('sft');
    const baseBefore = snapshotOf(policy.lora!.base.weights);
    const batch = contrastBatch('agent', policy);
    const before = await Promise.all(batch.good.map((e) => meanLogp(policy, e)));
    const trainer = await createSftTrainer({ lr: 0.02, schedule: constant, minReward: 0.5 });
    await trainer.step([batch], { step: 1, totalSteps: 2 });
    await trainer.step([batch], { step: 2, totalSteps: 2 });
    const after = await Promise.all(batch.good.map((e) => meanLogp(policy, e)));
    after.forEach((a, i) => expect(a).toBeGreaterThan(before[i]!));
    expect(equalMaps(baseBefore, snapshotOf(policy.lora!.base.weights))).toBe(true);
    await trainer.dispose?.();
    policy.dispose();
  });

  it('the KL reference is the adapter at the start of training, or the bare base with reference: base', async () => {
    const seqs = [[2, 3, 10, 11, 12, 20]];
    const initial = await loraTiny('ref-initial');
    // A non-zero starting adapter, so "initial" and "base" differ from the start.
    let k = 0;
    for (const [n, v] of initial.variables()) if (n.endsWith('lora_B.weight')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', k++)));
    initial.markUpdated();
    // The base's derived tensors (Wᵀ for training, fused inference weights) exist once, whoever asks first.
    await initial.score([{ contextIds: [2, 3], continuationIds: [10] }]);
    tf.tidy(() => initial.forward(tf.tensor2d(seqs, undefined, 'int32'), tf.ones([1, 6])));
    const memBefore = tf.memory().numBytes;
    const ref = initial.snapshot();
    expect(await exactKl(initial, ref, seqs)).toBeLessThan(1e-6);
    // The reference holds the adapter's copy and its inference tensors only: no second base.
    const adapterBytes = [...initial.variables().values()].reduce((s, v) => s + v.size * 4, 0);
    const refBytes = tf.memory().numBytes - memBefore;
    expect(refBytes).toBeLessThan(3 * adapterBytes);
    expect(refBytes).toBeLessThan(0.5 * initial.lora!.base.bytes);
    const dir = await mkdtemp(join(tmpdir(), 'mappa-lora-ref-'));
    dirs.push(dir);
    await initial.save(dir);
    const bare = await loraTiny('ref-base', { adapter: dir, reference: 'base' });
    const bareRef = bare.snapshot();
    const baseOnly = await createTfjsTransformerPolicy({ preset: 'tiny', seed: 3, maxContextLength: 64 });
    const ids = tf.tensor2d(seqs, undefined, 'int32');
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(bareRef.forward(ids, tf.onesLike(ids)), baseOnly.forward(ids, tf.onesLike(ids))))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-5);
    expect(await exactKl(bare, bareRef, seqs)).toBeGreaterThan(1e-6);
    ids.dispose();
    for (const x of [ref, bareRef]) x.dispose();
    for (const p of [initial, bare, baseOnly]) p.dispose();
  });
});
