import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Trainer } from '../../core/contracts/Trainer.js';
import { MappaError } from '../../core/util/MappaError.js';
import { createGrpoTrainer } from '../../plugins/trainers/grpo/grpoTrainerPlugin.js';
import { createReinforcePPBaselineTrainer } from '../../plugins/trainers/reinforce-pp/reinforcePPBaselineTrainerPlugin.js';
import { createReinforcePPTrainer } from '../../plugins/trainers/reinforce-pp/reinforcePPTrainerPlugin.js';
import { createSftTrainer } from '../../plugins/trainers/sft/sftTrainerPlugin.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { FakePolicy } from '../fakes/testPlugins.js';
import { TinyLmPolicy } from '../fakes/TinyLmPolicy.js';
import { contrastBatch, exactKl, experience, maxWeightDiff, meanLogp, tinyLm, weightsOf } from './trainerTestKit.js';

const constant = { type: 'constant', warmupRatio: 0 } as const;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const trainers: Record<string, (extra?: Record<string, unknown>) => Promise<Trainer>> = {
  'reinforce++': (x = {}) => createReinforcePPTrainer({ lr: 0.05, schedule: constant, ...x }),
  'reinforce++-baseline': (x = {}) => createReinforcePPBaselineTrainer({ lr: 0.05, schedule: constant, ...x }),
  grpo: (x = {}) => createGrpoTrainer({ lr: 0.05, schedule: constant, ...x }),
  'grpo (rloo)': (x = {}) => createGrpoTrainer({ lr: 0.05, schedule: constant, estimator: 'rloo', ...x }),
  'grpo (Dr. GRPO)': (x = {}) => createGrpoTrainer({ lr: 0.05, schedule: constant, scaleByStd: false, aggregation: 'seq-mean-token-sum-norm', ...x }),
};

describe('one step moves log-probs the way the rewards say', () => {
  for (const [name, make] of Object.entries(trainers)) {
    it(name, async () => {
      const policy = await tinyLm();
      const batch = contrastBatch('agent', policy);
      const before = await Promise.all(batch.experiences.map((e) => meanLogp(policy, e)));
      const trainer = await make();
      const m = await trainer.step([batch], { step: 1, totalSteps: 10 });
      const after = await Promise.all(batch.experiences.map((e) => meanLogp(policy, e)));
      batch.experiences.forEach((e, i) => {
        if (e.reward > 0) expect(after[i], `rewarded action ${i}`).toBeGreaterThan(before[i]!);
        else expect(after[i], `unrewarded action ${i}`).toBeLessThan(before[i]!);
      });
      expect(m['agent']!['optimizer_steps']).toBe(1);
      expect(policy.version).toBe(1);
      await trainer.dispose?.();
      policy.dispose();
    });
  }

  it('sft raises the log-prob of the demonstrations it keeps (minReward)', async () => {
    const policy = await tinyLm();
    const batch = contrastBatch('agent', policy);
    const before = await Promise.all(batch.good.map((e) => meanLogp(policy, e)));
    const trainer = await createSftTrainer({ lr: 0.05, schedule: constant, minReward: 0.5 });
    const m = await trainer.step([batch], { step: 1, totalSteps: 1 });
    const after = await Promise.all(batch.good.map((e) => meanLogp(policy, e)));
    after.forEach((v, i) => expect(v).toBeGreaterThan(before[i]!));
    expect(m['agent']).toMatchObject({ samples: 4, demos: 2, tokens: 5, optimizer_steps: 1 });
    await trainer.dispose?.();
  });
});

describe('KL to the reference', () => {
  it('starts at zero and grows as training moves away (reinforce++, k1 in the reward)', async () => {
    const policy = await tinyLm();
    const ref = policy.snapshot();
    const batch = contrastBatch('agent', policy);
    const seqs = batch.experiences.map((e) => [...e.contextIds, ...e.actionIds, 0, 0, 0].slice(0, 5));
    const trainer = await trainers['reinforce++']!();
    const kls: number[] = [];
    const metric: number[] = [];
    for (let step = 1; step <= 4; step++) {
      kls.push(await exactKl(policy, ref, seqs));
      metric.push((await trainer.step([batch], { step, totalSteps: 4 }))['agent']!['kl']!);
    }
    kls.push(await exactKl(policy, ref, seqs));
    expect(kls[0]).toBeCloseTo(0, 7);
    expect(metric[0]).toBe(0);
    for (let i = 1; i < kls.length; i++) expect(kls[i], `after ${i} steps`).toBeGreaterThan(kls[i - 1]!);
    expect(Math.abs(metric[1]!)).toBeGreaterThan(0);
    ref.dispose();
  });

  it('k3 KL in the GRPO loss starts at zero and grows', async () => {
    const policy = await tinyLm();
    const batch = contrastBatch('agent', policy);
    const trainer = await trainers['grpo']!({ miniBatches: 2 });
    const kl: number[] = [];
    for (let step = 1; step <= 4; step++) kl.push((await trainer.step([batch], { step, totalSteps: 4 }))['agent']!['kl_loss']!);
    // Mini-batch 1 of step 1 sees the reference weights exactly; mini-batch 2 already sees one update.
    expect(kl[0]).toBeGreaterThan(0);
    expect(kl[0]).toBeLessThan(kl[3]!);
    expect(kl[1]).toBeLessThan(kl[3]!);
    const fresh = await trainers['grpo']!();
    const one = await fresh.step([contrastBatch('agent', await tinyLm())], { step: 1, totalSteps: 1 });
    expect(one['agent']!['kl_loss']).toBe(0);
  });
});

describe('gradient accumulation', () => {
  for (const aggregation of ['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const) {
    it(`micro-batches of 1 equal one batch of 8 (${aggregation})`, async () => {
      const run = async (microBatchSize: number) => {
        const policy = await tinyLm({ layers: 1 });
        const exps = [
          ...contrastBatch('agent', policy, 'a').experiences,
          experience([6, 7, 8, 9], [15, 16, 17, 18, 19], 0.3, { groupId: 'a0' }),
          experience([9], [25], 0.8, { groupId: 'a1' }),
          experience([1, 2, 3, 4, 5, 6], [26, 27], 0.1, { groupId: 'a1' }),
          experience([7, 7], [28, 29, 30], 0.6, { groupId: 'a0' }),
        ];
        // A large Adam ε makes the first update ≈ lr·g (not lr·sign(g)), so gradient differences would show.
        const trainer = await createReinforcePPTrainer({ lr: 0.05, schedule: constant, adamEps: 1, microBatchSize, aggregation, klCoef: 0.05 });
        const m = await trainer.step([{ agentId: 'agent', policy, experiences: exps }], { step: 1, totalSteps: 1 });
        return { w: weightsOf(policy), m: m['agent']! };
      };
      const one = await run(8);
      const many = await run(1);
      expect(maxWeightDiff(one.w, many.w)).toBeLessThan(1e-7);
      expect(many.m['grad_norm']).toBeCloseTo(one.m['grad_norm']!, 5);
      expect(many.m['loss']).toBeCloseTo(one.m['loss']!, 6);
      expect(one.m['grad_norm']).toBeGreaterThan(0);
    });
  }
});

describe('memory', () => {
  for (const [name, make] of [...Object.entries(trainers), ['sft', () => createSftTrainer({ lr: 0.01 })] as const]) {
    it(`${name}: tf.memory().numTensors stays flat across steps`, async () => {
      const { tf } = await loadTf();
      const policy = await tinyLm({ layers: 1 });
      const batch = contrastBatch('agent', policy);
      const trainer = await make({ microBatchSize: 3, miniBatches: 2, epochs: 2 });
      const counts: number[] = [];
      for (let step = 1; step <= 4; step++) {
        await trainer.step([batch], { step, totalSteps: 4 });
        counts.push(tf.memory().numTensors);
      }
      expect(counts[3]).toBe(counts[1]);
      expect(counts[2]).toBe(counts[1]);
      const live = tf.memory().numTensors;
      await trainer.dispose?.();
      policy.dispose();
      expect(tf.memory().numTensors).toBeLessThan(live);
    });
  }
});

describe('state save/load', () => {
  /** A policy whose frozen copy cannot hand its weights back (the trainer must keep its own copy). */
  class OpaqueSnapshotLm extends TinyLmPolicy {
    override snapshot() {
      const { forward, dispose } = super.snapshot();
      return { forward, dispose };
    }
  }

  const cases: Array<[string, (x?: Record<string, unknown>) => Promise<Trainer>, boolean]> = [
    ['reinforce++', trainers['reinforce++']!, false],
    ['grpo', trainers['grpo']!, false],
    ['reinforce++ with an opaque reference model', trainers['reinforce++']!, true],
    ['sft', (x = {}) => createSftTrainer({ lr: 0.02, schedule: { type: 'cosine', warmupRatio: 0.3, minLrRatio: 0.1 }, ...x }), false],
  ];
  for (const [name, make, opaque] of cases) {
    it(`${name}: stopping after step 2 and resuming from saved state gives the same steps 3–4`, async () => {
      const { tf } = await loadTf();
      const newPolicy = (seed: number) => (opaque ? new OpaqueSnapshotLm(tf, { id: 'p', vocabSize: 32, dim: 16, seed }) : new TinyLmPolicy(tf, { id: 'p', vocabSize: 32, dim: 16, seed }));
      const opts = { miniBatches: 2, microBatchSize: 3, schedule: { type: 'cosine', warmupRatio: 0.3, minLrRatio: 0.1 } };
      const batches = (p: TinyLmPolicy) => [contrastBatch('agent', p)];
      const straight = newPolicy(3);
      const a = await make(opts);
      const metricsA = [];
      for (let step = 1; step <= 4; step++) metricsA.push(await a.step(batches(straight), { step, totalSteps: 4 }));

      const first = newPolicy(3);
      const b = await make(opts);
      for (let step = 1; step <= 2; step++) await b.step(batches(first), { step, totalSteps: 4 });
      const dir = await mkdtemp(join(tmpdir(), 'mappa-trainer-state-'));
      dirs.push(dir);
      await first.save(join(dir, 'policy'));
      await b.saveState!(join(dir, 'trainer'));
      await b.dispose?.();
      first.dispose();

      const resumed = newPolicy(99); // different init: everything must come from the checkpoint
      await resumed.load(join(dir, 'policy'));
      const c = await make(opts);
      await c.loadState!(join(dir, 'trainer'));
      const metricsC = [];
      for (let step = 3; step <= 4; step++) metricsC.push(await c.step(batches(resumed), { step, totalSteps: 4 }));
      expect(metricsC).toEqual(metricsA.slice(2));
      expect(maxWeightDiff(weightsOf(resumed), weightsOf(straight))).toBe(0);
      await a.dispose?.();
      await c.dispose?.();
    });
  }

  it('refuses the state of another trainer', async () => {
    const policy = await tinyLm();
    const a = await trainers['grpo']!();
    await a.step([contrastBatch('agent', policy)], { step: 1, totalSteps: 1 });
    const dir = await mkdtemp(join(tmpdir(), 'mappa-trainer-state-'));
    dirs.push(dir);
    await a.saveState!(dir);
    const b = await trainers['reinforce++']!();
    await expect(b.loadState!(dir)).rejects.toThrow(/trainer "grpo"/);
  });
});

describe('agents and policies', () => {
  it('shared policy (joint): one update over both agents\' samples', async () => {
    const policy = await tinyLm();
    const trainer = await trainers['reinforce++']!();
    const m = await trainer.step([contrastBatch('a1', policy), contrastBatch('a2', policy)], { step: 1, totalSteps: 1 });
    expect(policy.version).toBe(1);
    expect(m['a1']!['optimizer_steps']).toBe(1);
    expect(m['a1']!['grad_norm']).toBe(m['a2']!['grad_norm']);
    const strict = await trainers['reinforce++']!({ sharedPolicy: 'error' });
    await expect(strict.step([contrastBatch('a1', policy), contrastBatch('a2', policy)], { step: 1, totalSteps: 1 })).rejects.toThrow(MappaError);
  });

  it('normalization: per-agent whitens each agent; global whitens across agents', async () => {
    const p1 = await tinyLm({ id: 'p1' });
    const p2 = await tinyLm({ id: 'p2', seed: 4 });
    const high = contrastBatch('high', p1);
    const low = { ...contrastBatch('low', p2) };
    const lowBatch = { ...low, experiences: low.experiences.map((e) => ({ ...e, reward: e.reward - 5 })) };
    const per = await (await trainers['reinforce++']!({ klCoef: 0 })).step([high, lowBatch], { step: 1, totalSteps: 1 });
    expect(per['high']!['adv_mean']).toBeCloseTo(0, 9);
    expect(per['low']!['adv_mean']).toBeCloseTo(0, 9);
    expect(per['low']!['adv_std']).toBeCloseTo(1, 6);
    const glob = await (await trainers['reinforce++']!({ klCoef: 0, normalization: 'global' })).step([high, lowBatch], { step: 1, totalSteps: 1 });
    expect(glob['high']!['adv_mean']).toBeGreaterThan(0.5);
    expect(glob['low']!['adv_mean']).toBeLessThan(-0.5);
  });

  it('masks truncated actions and counts them', async () => {
    const policy = await tinyLm();
    const batch = contrastBatch('agent', policy);
    const exps = [...batch.experiences, experience([2], [9, 9, 9, 9], 1, { truncated: true })];
    const m = await (await trainers['reinforce++']!()).step([{ ...batch, experiences: exps }], { step: 1, totalSteps: 1 });
    expect(m['agent']).toMatchObject({ samples: 5, masked_samples: 1, tokens: 10 });
  });

  it('refuses a policy that is not a local trainable policy, and validate() names it', async () => {
    const trainer = await trainers['reinforce++']!();
    const fake = new FakePolicy('remote');
    expect(trainer.validate!(new Map([['remote', fake]]))).toEqual([expect.stringContaining('"remote"')]);
    await expect(trainer.step([{ agentId: 'x', policy: fake, experiences: [experience([1], [2], 1)] }], { step: 1, totalSteps: 1 })).rejects.toThrow(
      /not a local trainable policy/,
    );
  });
});

describe('state that does not match the model', () => {
  it('is refused with a clear error', async () => {
    const a = await trainers['reinforce++']!();
    await a.step([contrastBatch('agent', await tinyLm({ dim: 16 }))], { step: 1, totalSteps: 2 });
    const dir = await mkdtemp(join(tmpdir(), 'mappa-trainer-state-'));
    dirs.push(dir);
    await a.saveState!(dir);
    const b = await trainers['reinforce++']!();
    await b.loadState!(dir);
    await expect(b.step([contrastBatch('agent', await tinyLm({ dim: 8 }))], { step: 2, totalSteps: 2 })).rejects.toThrow(
      /does not match policy "p": optimizer state .* is 32x16, the policy's is 32x8/,
    );
  });
});
