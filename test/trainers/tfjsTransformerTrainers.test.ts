// The trainers on the real policy: a tfjs-transformer tiny preset (Llama-style, 2 layers, GQA, byte tokenizer).
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Trainer } from '../../core/contracts/Trainer.js';
import type { Experience } from '../../core/model/Experience.js';
import type { TfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/TfjsTransformerPolicy.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { createGrpoTrainer } from '../../plugins/trainers/grpo/grpoTrainerPlugin.js';
import { createReinforcePPBaselineTrainer } from '../../plugins/trainers/reinforce-pp/reinforcePPBaselineTrainerPlugin.js';
import { createReinforcePPTrainer } from '../../plugins/trainers/reinforce-pp/reinforcePPTrainerPlugin.js';
import { buildSequenceBatch, fromWindow } from '../../plugins/trainers/runtime/SequenceBatch.js';
import { sequenceLogprobs } from '../../plugins/trainers/runtime/sequenceLogprobs.js';
import { createSftTrainer } from '../../plugins/trainers/sft/sftTrainerPlugin.js';
import { describeTrainerConformance } from '../conformance/trainerConformance.js';
import { contrastBatch, exactKl, experience, maxWeightDiff, meanLogp, tfjsTiny, weightsOf } from './trainerTestKit.js';

const constant = { type: 'constant', warmupRatio: 0 } as const;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'mappa-tfjs-trainer-'));
  dirs.push(d);
  return d;
};

type Make = (extra?: Record<string, unknown>) => Promise<Trainer>;
const trainers: Record<string, Make> = {
  'reinforce++': (x = {}) => createReinforcePPTrainer({ lr: 0.01, schedule: constant, ...x }),
  'reinforce++-baseline': (x = {}) => createReinforcePPBaselineTrainer({ lr: 0.01, schedule: constant, ...x }),
  grpo: (x = {}) => createGrpoTrainer({ lr: 0.01, schedule: constant, ...x }),
  'grpo (rloo)': (x = {}) => createGrpoTrainer({ lr: 0.01, schedule: constant, estimator: 'rloo', ...x }),
  'grpo (Dr. GRPO)': (x = {}) => createGrpoTrainer({ lr: 0.01, schedule: constant, scaleByStd: false, aggregation: 'seq-mean-token-sum-norm', ...x }),
};
const sft: Make = (x = {}) => createSftTrainer({ lr: 0.01, schedule: constant, ...x });

/** Rows of different lengths (so batches carry right padding) with varied rewards in two groups. */
function mixedExperiences() {
  return [
    experience([259, 72, 105, 257, 260], [10, 11, 12], 1, { groupId: 'a0' }),
    experience([259, 72, 105, 257, 260], [20, 21, 22, 23, 257], 0, { groupId: 'a0' }),
    experience([259, 79, 257, 260], [13, 14], 0.7, { groupId: 'a1' }),
    experience([259, 79, 257, 260], [24], 0.2, { groupId: 'a1' }),
    experience([6, 7, 8, 9], [15, 16, 17, 18, 19], 0.3, { groupId: 'a0' }),
    experience([9], [25], 0.8, { groupId: 'a1' }),
    experience([1, 2, 3, 4, 5, 6], [26, 27], 0.1, { groupId: 'a1' }),
    experience([7, 7], [28, 29, 30], 0.6, { groupId: 'a0' }),
  ];
}

describe('tfjs-transformer: one step moves log-probs the way the rewards say', () => {
  for (const [name, make] of Object.entries(trainers)) {
    it(name, async () => {
      const policy = await tfjsTiny();
      const batch = contrastBatch('agent', policy);
      const before = await Promise.all(batch.experiences.map((e) => meanLogp(policy, e)));
      const trainer = await make();
      const m = await trainer.step([batch], { step: 1, totalSteps: 10 });
      const after = await Promise.all(batch.experiences.map((e) => meanLogp(policy, e)));
      batch.experiences.forEach((e, i) => {
        if (e.reward > 0) expect(after[i], `rewarded action ${i}`).toBeGreaterThan(before[i]!);
        else expect(after[i], `unrewarded action ${i}`).toBeLessThan(before[i]!);
      });
      expect(m['agent']).toMatchObject({ optimizer_steps: 1, skipped_updates: 0 });
      expect(policy.version).toBe(1);
      await trainer.dispose?.();
      policy.dispose();
    });
  }

  it('sft raises the log-prob of the demonstrations it keeps and leaves the others alone', async () => {
    const policy = await tfjsTiny();
    const batch = contrastBatch('agent', policy);
    const before = await Promise.all(batch.good.map((e) => meanLogp(policy, e)));
    const trainer = await sft({ minReward: 0.5 });
    const m = await trainer.step([batch], { step: 1, totalSteps: 1 });
    const after = await Promise.all(batch.good.map((e) => meanLogp(policy, e)));
    after.forEach((v, i) => expect(v).toBeGreaterThan(before[i]!));
    expect(m['agent']).toMatchObject({ samples: 4, demos: 2, tokens: 5, optimizer_steps: 1 });
    await trainer.dispose?.();
    policy.dispose();
  });
});

describe('tfjs-transformer: KL to the reference', () => {
  it('starts at zero and grows as training moves away (reinforce++, k1 in the reward)', async () => {
    const policy = await tfjsTiny();
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
    // The reference runs the inference path (fused weights) and the policy the training path: equal up to rounding.
    expect(Math.abs(kls[0]!)).toBeLessThan(1e-9);
    expect(Math.abs(metric[0]!)).toBeLessThan(1e-6);
    for (let i = 1; i < kls.length; i++) expect(kls[i], `after ${i} steps`).toBeGreaterThan(kls[i - 1]!);
    expect(kls[4]).toBeGreaterThan(1e-4);
    expect(Math.abs(metric[3]!)).toBeGreaterThan(1e-4);
    ref.dispose();
    await trainer.dispose?.();
    policy.dispose();
  });

  it('k3 KL in the GRPO loss starts at zero and grows', async () => {
    const policy = await tfjsTiny();
    const batch = contrastBatch('agent', policy);
    const trainer = await trainers['grpo']!();
    const kl: number[] = [];
    for (let step = 1; step <= 4; step++) kl.push((await trainer.step([batch], { step, totalSteps: 4 }))['agent']!['kl_loss']!);
    // One mini-batch per step: step 1's loss sees the reference weights exactly.
    expect(Math.abs(kl[0]!)).toBeLessThan(1e-9);
    for (let i = 1; i < kl.length; i++) expect(kl[i], `step ${i + 1}`).toBeGreaterThan(kl[i - 1]!);
    await trainer.dispose?.();
    policy.dispose();
  });
});

describe('tfjs-transformer: gradient accumulation', () => {
  for (const aggregation of ['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const) {
    it(`micro-batches of 1 equal one padded batch of 8 (${aggregation})`, async () => {
      const run = async (microBatchSize: number) => {
        const policy = await tfjsTiny();
        // A large Adam ε makes the first update ≈ lr·g (not lr·sign(g)), so gradient differences would show.
        const trainer = await createReinforcePPTrainer({ lr: 0.05, schedule: constant, adamEps: 1, microBatchSize, aggregation, klCoef: 0.05 });
        const m = await trainer.step([{ agentId: 'agent', policy, experiences: mixedExperiences() }], { step: 1, totalSteps: 1 });
        const w = weightsOf(policy);
        const init = weightsOf(await tfjsTiny());
        await trainer.dispose?.();
        policy.dispose();
        return { w, moved: maxWeightDiff(w, init), m: m['agent']! };
      };
      const one = await run(8);
      const many = await run(1);
      // Updates are ≈ lr·g ≈ 1e-3 per weight; float32 summation order differs between the two ways.
      expect(one.moved).toBeGreaterThan(1e-3);
      expect(maxWeightDiff(one.w, many.w)).toBeLessThan(1e-8);
      expect(many.m['grad_norm']).toBeCloseTo(one.m['grad_norm']!, 5);
      expect(many.m['loss']).toBeCloseTo(one.m['loss']!, 6);
    });
  }

  it('sft: micro-batches of 1 equal one batch of 8', async () => {
    const run = async (microBatchSize: number) => {
      const policy = await tfjsTiny();
      const trainer = await sft({ lr: 0.05, adamEps: 1, microBatchSize });
      const m = await trainer.step([{ agentId: 'agent', policy, experiences: mixedExperiences() }], { step: 1, totalSteps: 1 });
      const w = weightsOf(policy);
      await trainer.dispose?.();
      policy.dispose();
      return { w, m: m['agent']! };
    };
    const one = await run(8);
    const many = await run(1);
    expect(maxWeightDiff(one.w, many.w)).toBeLessThan(1e-8);
    expect(many.m['loss']).toBeCloseTo(one.m['loss']!, 6);
  });
});

describe('tfjs-transformer: attention mask and right padding', () => {
  const rows = [
    { contextIds: [259, 72, 105, 257, 260], actionIds: [104, 105, 257] },
    { contextIds: [9], actionIds: [25] },
    { contextIds: [259, 79, 257, 260], actionIds: [13, 14, 15, 16, 17, 18] },
  ];

  it('forward reads the int32 mask the trainers pass like a float mask', async () => {
    const { tf } = await loadTf();
    const policy = await tfjsTiny();
    const b = buildSequenceBatch(rows, policy.padTokenId);
    const [asInt, asFloat] = tf.tidy(() => {
      const ids = tf.tensor2d(b.inputIds, [b.rows, b.length], 'int32');
      return [
        policy.forward(ids, tf.tensor2d(b.attentionMask, [b.rows, b.length], 'int32')).dataSync(),
        policy.forward(ids, tf.tensor2d(Float32Array.from(b.attentionMask), [b.rows, b.length], 'float32')).dataSync(),
      ];
    });
    expect(Buffer.from(asInt!.buffer).equals(Buffer.from(asFloat!.buffer))).toBe(true);
    policy.dispose();
  });

  it('padded rows give the log-probs of the same rows unpadded, and of score()', async () => {
    const { tf } = await loadTf();
    const policy = await tfjsTiny();
    const logp = (rs: typeof rows) => {
      const b = buildSequenceBatch(rs, policy.padTokenId);
      return tf.tidy(() => fromWindow(b, sequenceLogprobs(tf, policy, b, false, false).logp.dataSync()));
    };
    const together = logp(rows);
    const alone = rows.map((r) => logp([r])[0]!);
    const scored = await policy.score(rows.map((r) => ({ contextIds: r.contextIds, continuationIds: r.actionIds })));
    let worst = 0;
    together.forEach((row, i) =>
      row.forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - alone[i]![j]!), Math.abs(v - scored[i]![j]!));
      }),
    );
    expect(together.map((r) => r.length)).toEqual([3, 1, 6]);
    expect(worst).toBeLessThan(1e-5);
    // Changing the padding token changes nothing: padded positions are masked out.
    const other = buildSequenceBatch(rows, 42);
    const otherLogp = tf.tidy(() => fromWindow(other, sequenceLogprobs(tf, policy, other, false, false).logp.dataSync()));
    expect(otherLogp).toEqual(together);
    policy.dispose();
  });
});

describe('tfjs-transformer: memory', () => {
  for (const [name, make] of [...Object.entries(trainers), ['sft', sft] as const]) {
    it(`${name}: tf.memory().numTensors stays flat across steps`, async () => {
      const { tf } = await loadTf();
      const policy = await tfjsTiny();
      const batch = contrastBatch('agent', policy);
      const trainer = await make({ microBatchSize: 3, miniBatches: 2, epochs: 2 });
      const counts: number[] = [];
      for (let step = 1; step <= 4; step++) {
        await trainer.step([batch], { step, totalSteps: 4 });
        counts.push(tf.memory().numTensors);
      }
      expect(counts[2]).toBe(counts[1]);
      expect(counts[3]).toBe(counts[1]);
      const live = tf.memory().numTensors;
      await trainer.dispose?.();
      policy.dispose();
      expect(tf.memory().numTensors).toBeLessThan(live);
    });
  }
});

describe('tfjs-transformer: checkpoints', () => {
  it('policy.save / load (float32, HF layout) round-trips every weight bit for bit and restores the version', async () => {
    const policy = await tfjsTiny({ seed: 1 });
    const trainer = await trainers['reinforce++']!();
    for (let step = 1; step <= 2; step++) await trainer.step([contrastBatch('agent', policy)], { step, totalSteps: 2 });
    const dir = await tempDir();
    await policy.save(dir);
    const other = await tfjsTiny({ seed: 9 });
    expect(maxWeightDiff(weightsOf(other), weightsOf(policy))).toBeGreaterThan(0);
    await other.load(dir);
    const a = weightsOf(policy);
    const b = weightsOf(other);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, x] of a) expect(Buffer.from(b.get(k)!.buffer).equals(Buffer.from(x.buffer)), k).toBe(true);
    expect(other.version).toBe(2);
    await trainer.dispose?.();
    policy.dispose();
    other.dispose();
  });

  const resumeCases: Array<[string, Make]> = [
    ['reinforce++', trainers['reinforce++']!],
    ['grpo (k3 KL in the loss)', trainers['grpo']!],
    ['sft', sft],
  ];
  for (const [name, make] of resumeCases) {
    it(`${name}: stopping after step 2 and resuming from saved state gives the same steps 3–4, bit for bit`, async () => {
      const opts = { miniBatches: 2, microBatchSize: 3, schedule: { type: 'cosine', warmupRatio: 0.3, minLrRatio: 0.1 } };
      const batches = (p: TfjsTransformerPolicy) => [{ agentId: 'agent', policy: p, experiences: mixedExperiences() }];
      const straight = await tfjsTiny({ seed: 3 });
      const a = await make(opts);
      const metricsA = [];
      for (let step = 1; step <= 4; step++) metricsA.push(await a.step(batches(straight), { step, totalSteps: 4 }));

      const first = await tfjsTiny({ seed: 3 });
      const b = await make(opts);
      for (let step = 1; step <= 2; step++) await b.step(batches(first), { step, totalSteps: 4 });
      const dir = await tempDir();
      await first.save(join(dir, 'policy'));
      await b.saveState!(join(dir, 'trainer'));
      await b.dispose?.();
      first.dispose();

      const resumed = await tfjsTiny({ seed: 99 }); // other initial weights: everything must come from the checkpoint
      await resumed.load(join(dir, 'policy'));
      expect(resumed.version).toBe(2);
      const c = await make(opts);
      await c.loadState!(join(dir, 'trainer'));
      // What was loaded is what was saved: optimizer moments and step, reference weights, RNG state, step.
      await c.saveState!(join(dir, 'again'));
      for (const rel of ['state.json', 'policy-0/optimizer.bin', 'policy-0/optimizer.json', ...(name === 'sft' ? [] : ['policy-0/reference.bin'])]) {
        const x = await readFile(join(dir, 'trainer', rel));
        const y = await readFile(join(dir, 'again', rel));
        expect(x.equals(y), rel).toBe(true);
      }
      const metricsC = [];
      for (let step = 3; step <= 4; step++) metricsC.push(await c.step(batches(resumed), { step, totalSteps: 4 }));
      expect(metricsC).toEqual(metricsA.slice(2));
      expect(maxWeightDiff(weightsOf(resumed), weightsOf(straight))).toBe(0);
      expect(resumed.version).toBe(straight.version);
      for (const t of [a, c]) await t.dispose?.();
      straight.dispose();
      resumed.dispose();
    });
  }
});

/** Experiences from the policy's own generations: exact ids, generation log-probs and policy version. */
async function generated(policy: TfjsTransformerPolicy): Promise<Experience[]> {
  const contexts = [
    [259, 72, 105, 257, 260],
    [259, 79, 107, 257, 260],
    [259, 50, 43, 50, 257, 260],
  ];
  const gens = await Promise.all(
    contexts.flatMap((contextIds, c) => [0, 1].map((k) => policy.generateFromIds({ contextIds, seed: 10 * c + k, sampling: { maxNewTokens: 5 } }))),
  );
  return gens.map((g, i) =>
    experience([...g.contextIds], [...g.tokenIds], (i * 7) % 5, { groupId: `g${Math.floor(i / 2)}`, rolloutLogprobs: g.logprobs, policyVersion: g.policyVersion }),
  );
}

describe('tfjs-transformer: old log-probs from the rollout (oldLogprobs: rollout)', () => {
  // A large Adam ε makes the first update ≈ lr·g rather than lr·sign(g), so tiny log-prob differences stay tiny.
  const opts = { lr: 0.01, schedule: constant, microBatchSize: 4, adamEps: 1 };

  it('generation log-probs match the recomputed ones (rollout_kl ≈ 0), and reusing them trains the same way', async () => {
    const run = async (oldLogprobs: 'recompute' | 'rollout') => {
      const policy = await tfjsTiny({ seed: 4 });
      const experiences = await generated(policy);
      const trainer = await createReinforcePPTrainer({ ...opts, oldLogprobs });
      const m = (await trainer.step([{ agentId: 'agent', policy, experiences }], { step: 1, totalSteps: 1 }))['agent']!;
      const w = weightsOf(policy);
      await trainer.dispose?.();
      policy.dispose();
      return { m, w, tokens: experiences.reduce((s, e) => s + e.actionIds.length, 0) };
    };
    const recompute = await run('recompute');
    const reuse = await run('rollout');
    expect(recompute.m['tokens']).toBe(recompute.tokens);
    // The KV-cache decoding path and the training forward agree to float rounding.
    expect(Math.abs(recompute.m['rollout_kl']!)).toBeLessThan(1e-6);
    expect(recompute.m['rollout_kl']).not.toBe(undefined);
    expect(recompute.m).not.toHaveProperty('old_reused');
    expect(reuse.m).toMatchObject({ old_reused: 6, old_recomputed: 0 });
    expect(reuse.m).not.toHaveProperty('entropy');
    expect(reuse.m).not.toHaveProperty('rollout_kl');
    expect(Math.abs(reuse.m['ppo_kl']!)).toBeLessThan(1e-6);
    expect(reuse.m['kl']).toBeCloseTo(recompute.m['kl']!, 5);
    expect(reuse.m['loss']).toBeCloseTo(recompute.m['loss']!, 4);
    const init = await tfjsTiny({ seed: 4 });
    expect(maxWeightDiff(recompute.w, weightsOf(init))).toBeGreaterThan(1e-4);
    expect(maxWeightDiff(reuse.w, recompute.w)).toBeLessThan(1e-6);
    init.dispose();
  });

  it('recomputes (and says so) when the rollout log-probs are missing or came from an older policy version', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (msg: string) => void warnings.push(msg) };
    const run = async (oldLogprobs: 'recompute' | 'rollout') => {
      const policy = await tfjsTiny({ seed: 4 });
      const experiences = await generated(policy);
      const trainer = await createReinforcePPTrainer({ ...opts, oldLogprobs }, { logger });
      // Without rollout log-probs at all: recomputed in both modes, so both runs stay identical.
      const bare = experiences.slice(0, 2).map((e) => ({ ...e, rolloutLogprobs: [] }));
      await trainer.step([{ agentId: 'agent', policy, experiences: bare }], { step: 1, totalSteps: 2 });
      expect(policy.version).toBe(1);
      // Generated at version 0: stale for the second step.
      const m = (await trainer.step([{ agentId: 'agent', policy, experiences }], { step: 2, totalSteps: 2 }))['agent']!;
      const w = weightsOf(policy);
      await trainer.dispose?.();
      policy.dispose();
      return { m, w };
    };
    const recompute = await run('recompute');
    expect(warnings).toEqual([]);
    const reuse = await run('rollout');
    expect(reuse.m).toMatchObject({ old_reused: 0, old_recomputed: 6 });
    expect(warnings).toEqual([
      expect.stringMatching(/2 of 2 experiences of agent "agent" have no rollout log-probs from policy version 0/),
      expect.stringMatching(/6 of 6 experiences of agent "agent" have no rollout log-probs from policy version 1/),
    ]);
    const { old_reused: _r, old_recomputed: _c, ...rest } = reuse.m;
    expect(rest).toEqual(recompute.m);
    expect(maxWeightDiff(reuse.w, recompute.w)).toBe(0);
  });
});

describe('tfjs-transformer: off-policy steps (run.overlap: one-step)', () => {
  const opts = { lr: 0.01, schedule: constant, microBatchSize: 4, adamEps: 1 };

  it('samples of an older version keep their generation (behaviour) log-probs as the old ones', { timeout: 180_000 }, async () => {
    const run = async (offPolicy: boolean) => {
      const policy = await tfjsTiny({ seed: 4 });
      const experiences = await generated(policy);
      const trainer = await createReinforcePPTrainer(opts);
      // Step 1 moves the policy to version 1 (the reference stays at version 0, which generated `experiences`).
      await trainer.step([{ agentId: 'agent', policy, experiences: experiences.slice(0, 2).map((e) => ({ ...e, rolloutLogprobs: [] })) }], { step: 1, totalSteps: 2, offPolicy });
      const m = (await trainer.step([{ agentId: 'agent', policy, experiences }], { step: 2, totalSteps: 2, offPolicy }))['agent']!;
      const w = weightsOf(policy);
      await trainer.dispose?.();
      policy.dispose();
      return { m, w };
    };
    const onPolicy = await run(false);
    const offPolicy = await run(true);
    expect(onPolicy.m).not.toHaveProperty('stale_samples');
    expect(offPolicy.m['stale_samples']).toBe(6);
    // The ratio starts at π_current/π_behaviour: its mean log gap is the policy's move in step 1, as behaviour_kl says.
    expect(Math.abs(offPolicy.m['behaviour_kl']!)).toBeGreaterThan(1e-5);
    expect(offPolicy.m['ppo_kl']).toBeCloseTo(offPolicy.m['behaviour_kl']!, 6);
    expect(Math.abs(onPolicy.m['ppo_kl']!)).toBeLessThan(1e-6);
    // The behaviour policy is the reference's version here, so the k1 KL in the reward is ≈ 0 instead of the move.
    expect(Math.abs(offPolicy.m['kl']!)).toBeLessThan(1e-6);
    expect(Math.abs(onPolicy.m['kl']!)).toBeGreaterThan(1e-5);
    expect(offPolicy.m['entropy']).toBeCloseTo(onPolicy.m['entropy']!, 6);
    expect(maxWeightDiff(offPolicy.w, onPolicy.w)).toBeGreaterThan(0);
  });
});

const realBatches = async () => [contrastBatch('solver', await tfjsTiny({ id: 'a' })), contrastBatch('verifier', await tfjsTiny({ id: 'b', seed: 5 }))];
describeTrainerConformance('reinforce++ on tfjs-transformer', { create: async () => ({ trainer: await createReinforcePPTrainer({ lr: 0.01 }), batches: await realBatches() }) });
describeTrainerConformance('reinforce++-baseline on tfjs-transformer', {
  create: async () => ({ trainer: await createReinforcePPBaselineTrainer({ lr: 0.01 }), batches: await realBatches() }),
});
describeTrainerConformance('grpo on tfjs-transformer', { create: async () => ({ trainer: await createGrpoTrainer({ lr: 0.01 }), batches: await realBatches() }) });
describeTrainerConformance('sft on tfjs-transformer', { create: async () => ({ trainer: await createSftTrainer({ lr: 0.01 }), batches: await realBatches() }) });
