import type * as TF from '@tensorflow/tfjs';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { AgentBatch, TrainMetrics, TrainStepContext } from '../../../core/contracts/Trainer.js';
import type { Experience } from '../../../core/model/Experience.js';
import type { Tf } from '../../tfjs/loadTf.js';
import { aggregationWeights } from '../math/aggregationWeights.js';
import { approxKl } from '../math/approxKl.js';
import { grpoAdvantages } from '../math/grpoAdvantages.js';
import { maskedMean } from '../math/maskedMean.js';
import { ppoClipLoss } from '../math/ppoClipLoss.js';
import { reinforcePPAdvantages } from '../math/reinforcePPAdvantages.js';
import { returnsToGo } from '../math/returnsToGo.js';
import { rlooAdvantages } from '../math/rlooAdvantages.js';
import { tokenRewards } from '../math/tokenRewards.js';
import type { KlEstimator, LossAggregation } from '../math/types.js';
import type { OptimizerOptions } from './OptimizerOptions.js';
import { optimizerStep, type MicroBatchLoss } from './optimizerStep.js';
import { policyLossTf } from './policyLossTf.js';
import type { PolicySlot } from './PolicySlot.js';
import { buildSequenceBatch, fromWindow, toWindow } from './SequenceBatch.js';
import { sequenceLogprobs } from './sequenceLogprobs.js';
import { SlotTrainer, updateMetrics, type UpdateTally } from './SlotTrainer.js';

/** How per-sequence rewards become per-token advantages. */
export type AdvantageSpec =
  | {
      /** REINFORCE++ (OpenRLHF `reinforce`), or REINFORCE++-baseline (`reinforce_baseline`: r − group mean first). */
      readonly kind: 'reinforce';
      readonly baseline: boolean;
      readonly gamma: number;
      /** Whitening scope: each agent's samples (reference code) or all agents' samples together (paper wording). */
      readonly normalization: 'per-agent' | 'global';
    }
  | {
      /** GRPO family: per-group normalization (OpenRLHF `group_norm` / `dr_grpo`, or `rloo`), no whitening. */
      readonly kind: 'group';
      readonly estimator: 'grpo' | 'rloo';
      readonly scaleByStd: boolean;
      readonly eps: number;
    };

export interface PolicyGradientOptions extends OptimizerOptions {
  readonly name: string;
  readonly advantage: AdvantageSpec;
  readonly clipEps: number;
  readonly clipEpsHigh?: number | undefined;
  readonly dualClip?: number | undefined;
  readonly klCoef: number;
  readonly klEstimator: KlEstimator;
  readonly klPlacement: 'reward' | 'loss';
  readonly entropyCoef: number;
  readonly aggregation: LossAggregation;
  readonly lossScaleFactor?: number | undefined;
  readonly rewardClip: number;
  readonly maskTruncated: boolean;
}

/** Wall-clock split of the last `step`, in milliseconds. */
export interface StepTimings {
  /** Old (rollout-policy) and reference log-probs and entropy. */
  scoreMs: number;
  advantageMs: number;
  updateMs: number;
}

interface Row {
  readonly exp: Experience;
  /** Position of the row's agent in the step's batches. */
  readonly agent: number;
  readonly mask: number[];
  old: number[];
  ref: number[] | undefined;
  entropy: number[];
  adv: number[];
  /** Per-sequence reward after group shaping (equal to the reward for plain REINFORCE++). */
  shaped: number;
}

interface AgentState {
  readonly batch: AgentBatch;
  readonly slot: PolicySlot;
  readonly rows: Row[];
  readonly masked: number;
  readonly m: {
    loss: number;
    updates: number;
    clip: number;
    ppoKl: number;
    klLoss: number;
    tokensSeen: number;
  };
}

/**
 * REINFORCE++, REINFORCE++-baseline and the GRPO family over TrainablePolicy models, with OpenRLHF semantics
 * (docs/trainers.md). One optimizer and one frozen reference per policy; the math lives in `../math` and is the only
 * implementation: old/reference log-probs are read back to plain arrays, advantages are computed there, and the
 * differentiable loss is built from those numbers as constants.
 */
export class PolicyGradientTrainer extends SlotTrainer {
  readonly name: string;
  /** Timings of the last step (for benchmarks and logs). */
  lastTimings: StepTimings = { scoreMs: 0, advantageMs: 0, updateMs: 0 };

  constructor(
    tf: Tf,
    readonly options: PolicyGradientOptions,
    logger?: Logger,
  ) {
    const [beta1, beta2] = options.adamBetas;
    super(tf, { beta1, beta2, eps: options.adamEps, weightDecay: options.weightDecay }, options.seed, options.klCoef > 0, logger);
    this.name = options.name;
  }

  async step(batches: readonly AgentBatch[], context: TrainStepContext): Promise<Record<string, TrainMetrics>> {
    const o = this.options;
    const timings: StepTimings = { scoreMs: 0, advantageMs: 0, updateMs: 0 };
    const agents: AgentState[] = batches.map((batch, agent) => {
      const policy = this.trainable(batch);
      const rows: Row[] = [];
      let masked = 0;
      for (const exp of batch.experiences) {
        const keep = !(o.maskTruncated && exp.truncated) && exp.actionIds.length > 0 && exp.contextIds.length > 0;
        if (!keep) masked++;
        rows.push({ exp, agent, mask: exp.actionIds.map(() => (keep ? 1 : 0)), old: [], ref: undefined, entropy: [], adv: [], shaped: exp.reward });
      }
      return { batch, slot: this.slot(policy), rows, masked, m: { loss: 0, updates: 0, clip: 0, ppoKl: 0, klLoss: 0, tokensSeen: 0 } };
    });
    if (o.sharedPolicy === 'error') this.assertNoSharedPolicy(agents.map((a) => ({ agentId: a.batch.agentId, slot: a.slot })));

    // 1. Scoring: log-probs of the actions under the current (rollout) policy and the reference.
    let t = performance.now();
    for (const a of agents) this.#score(a.slot, a.rows.filter(isTrained));
    timings.scoreMs = performance.now() - t;

    // 2. Advantages, on plain arrays.
    t = performance.now();
    this.#advantages(agents);
    timings.advantageMs = performance.now() - t;

    // 3. Updates, one policy at a time.
    t = performance.now();
    const updates = new Map<PolicySlot, UpdateTally>();
    for (const slot of new Set(agents.map((a) => a.slot))) {
      const mine = agents.filter((a) => a.slot === slot);
      const rows = mine.flatMap((a) => a.rows.filter(isTrained));
      if (rows.length === 0) continue;
      updates.set(slot, this.#update(slot, rows, agents, context));
      slot.policy.markUpdated();
    }
    timings.updateMs = performance.now() - t;
    this.lastTimings = timings;
    this.lastStep = context.step;

    const out: Record<string, TrainMetrics> = {};
    for (const a of agents) {
      const trained = a.rows.filter(isTrained);
      const tokens = trained.reduce((s, r) => s + r.mask.length, 0);
      const m: Record<string, number> = { samples: a.rows.length, tokens, masked_samples: a.masked };
      if (a.rows.length > 0) m['reward_mean'] = a.rows.reduce((s, r) => s + r.exp.reward, 0) / a.rows.length;
      const u = updates.get(a.slot);
      if (tokens > 0 && u) {
        const masks = trained.map((r) => r.mask);
        const advs = trained.map((r) => r.adv);
        const advMean = maskedMean(advs, masks);
        m['adv_mean'] = advMean;
        m['adv_std'] = Math.sqrt(maskedMean(advs.map((row) => row.map((v) => (v - advMean) ** 2)), masks));
        m['entropy'] = maskedMean(trained.map((r) => r.entropy), masks);
        if (trained[0]!.ref) m['kl'] = maskedMean(approxKl(trained.map((r) => r.old), trained.map((r) => r.ref!), masks, 'k1'), masks);
        m['loss'] = a.m.updates > 0 ? a.m.loss / a.m.updates : 0;
        m['clip_frac'] = a.m.tokensSeen > 0 ? a.m.clip / a.m.tokensSeen : 0;
        m['ppo_kl'] = a.m.tokensSeen > 0 ? a.m.ppoKl / a.m.tokensSeen : 0;
        if (o.klPlacement === 'loss' && o.klCoef > 0) m['kl_loss'] = a.m.updates > 0 ? a.m.klLoss / a.m.updates : 0;
        Object.assign(m, updateMetrics(u));
      }
      out[a.batch.agentId] = m;
    }
    return out;
  }

  #score(slot: PolicySlot, rows: Row[]): void {
    const tf = this.tf;
    const order = [...rows].sort((x, y) => seqLength(x) - seqLength(y));
    for (let i = 0; i < order.length; i += this.options.microBatchSize) {
      const chunk = order.slice(i, i + this.options.microBatchSize);
      const batch = buildSequenceBatch(
        chunk.map((r) => r.exp),
        slot.policy.padTokenId,
      );
      const [old, entropy, ref] = tf.tidy(() => {
        const cur = sequenceLogprobs(tf, slot.policy, batch, true, false);
        const out: TF.Tensor[] = [cur.logp, cur.entropy!];
        if (slot.reference) out.push(sequenceLogprobs(tf, slot.reference, batch, false, false).logp);
        return out;
      });
      const oldRows = fromWindow(batch, old!.dataSync());
      const entRows = fromWindow(batch, entropy!.dataSync());
      const refRows = ref ? fromWindow(batch, ref.dataSync()) : undefined;
      tf.dispose([old!, entropy!, ...(ref ? [ref] : [])]);
      chunk.forEach((r, j) => {
        r.old = oldRows[j]!;
        r.entropy = entRows[j]!;
        r.ref = refRows?.[j];
      });
    }
  }

  #advantages(agents: readonly AgentState[]): void {
    const o = this.options;
    const spec = o.advantage;
    const klInReward = o.klPlacement === 'reward' ? o.klCoef : 0;
    // Group shaping of the scalar rewards (over every sample of the agent, trained or masked, as OpenRLHF).
    for (const a of agents) {
      const rewards = a.rows.map((r) => r.exp.reward);
      const groups = a.rows.map((r) => r.exp.groupId);
      let shaped = rewards;
      if (spec.kind === 'reinforce' && spec.baseline) shaped = grpoAdvantages(rewards, groups, { scaleByStd: false });
      else if (spec.kind === 'group') {
        shaped = spec.estimator === 'rloo' ? rlooAdvantages(rewards, groups) : grpoAdvantages(rewards, groups, { eps: spec.eps, scaleByStd: spec.scaleByStd });
      }
      a.rows.forEach((r, i) => (r.shaped = shaped[i]!));
    }
    if (spec.kind === 'reinforce') {
      const scopes = spec.normalization === 'global' ? [agents] : agents.map((a) => [a]);
      for (const scope of scopes) {
        const rows = scope.flatMap((a) => a.rows.filter(isTrained));
        if (rows.length === 0) continue;
        const adv = reinforcePPAdvantages({
          logp: rows.map((r) => r.old),
          refLogp: rows.map((r) => r.ref ?? r.old),
          mask: rows.map((r) => r.mask),
          reward: rows.map((r) => r.shaped),
          klCoef: klInReward,
          gamma: spec.baseline ? 1 : spec.gamma,
          rewardClip: o.rewardClip,
          klEstimator: o.klEstimator,
        });
        rows.forEach((r, i) => (r.adv = adv[i]!));
      }
      return;
    }
    // GRPO family: shaped reward on the last token (+ KL in the reward if asked), return-to-go with γ = 1, no whitening.
    for (const a of agents) {
      const rows = a.rows.filter(isTrained);
      if (rows.length === 0) continue;
      const mask = rows.map((r) => r.mask);
      const kl = klInReward > 0 ? approxKl(rows.map((r) => r.old), rows.map((r) => r.ref ?? r.old), mask, o.klEstimator) : mask.map((m) => m.map(() => 0));
      const rewards = tokenRewards({ reward: rows.map((r) => r.shaped), kl, mask, klCoef: klInReward, rewardClip: o.rewardClip });
      const adv = returnsToGo(rewards, mask, 1);
      rows.forEach((r, i) => (r.adv = adv[i]!));
    }
  }

  #update(slot: PolicySlot, rows: Row[], agents: readonly AgentState[], context: TrainStepContext): UpdateTally {
    const o = this.options;
    const tf = this.tf;
    const klInLoss = o.klPlacement === 'loss' && o.klCoef > 0 && slot.reference !== undefined;
    const lossOptions = {
      clipEps: o.clipEps,
      clipEpsHigh: o.clipEpsHigh ?? o.clipEps,
      dualClip: o.dualClip,
      klCoef: klInLoss ? o.klCoef : 0,
      klEstimator: o.klEstimator,
      entropyCoef: o.entropyCoef,
    };
    const withEntropy = o.entropyCoef !== 0;
    return this.miniBatchUpdates(slot, rows, o, context, (mini, lr) => {
      const scale = o.lossScaleFactor ?? Math.max(...mini.map((r) => r.mask.length));
      const weights = aggregationWeights(
        mini.map((r) => r.mask),
        o.aggregation,
        { lossScaleFactor: scale },
      );
      const weightOf = new Map(mini.map((r, i) => [r, weights[i]!]));
      const sorted = [...mini].sort((x, y) => seqLength(x) - seqLength(y));
      const micro: Array<{ rows: Row[] } & MicroBatchLoss> = [];
      for (let i = 0; i < sorted.length; i += o.microBatchSize) {
        const chunk = sorted.slice(i, i + o.microBatchSize);
        const batch = buildSequenceBatch(
          chunk.map((r) => r.exp),
          slot.policy.padTokenId,
        );
        const shape: [number, number] = [batch.rows, batch.width];
        micro.push({
          rows: chunk,
          batch,
          loss: (logp, entropy) =>
            policyLossTf(
              tf,
              logp,
              {
                oldLogp: tf.tensor2d(toWindow(batch, chunk.map((r) => r.old)), shape),
                advantages: tf.tensor2d(toWindow(batch, chunk.map((r) => r.adv)), shape),
                weights: tf.tensor2d(toWindow(batch, chunk.map((r) => weightOf.get(r)!)), shape),
                ...(klInLoss ? { refLogp: tf.tensor2d(toWindow(batch, chunk.map((r) => r.ref!)), shape) } : {}),
              },
              lossOptions,
              entropy,
            ),
        });
      }
      const res = optimizerStep(tf, slot.policy, slot.optimizer, micro, { lr, maxGradNorm: o.maxGradNorm, withEntropy });
      // Metrics per agent from the same numbers, through the plain-array implementation.
      const newLogp = new Map<Row, number[]>();
      const newEntropy = new Map<Row, number[]>();
      micro.forEach((m, i) =>
        m.rows.forEach((r, j) => {
          newLogp.set(r, res.logp[i]![j]!);
          if (res.entropy) newEntropy.set(r, res.entropy[i]![j]!);
        }),
      );
      for (const a of agents) {
        if (a.slot !== slot) continue;
        const mine = mini.filter((r) => r.agent === agents.indexOf(a));
        if (mine.length === 0) continue;
        const mask = mine.map((r) => r.mask);
        const lp = mine.map((r) => newLogp.get(r)!);
        const pg = ppoClipLoss({
          logp: lp,
          oldLogp: mine.map((r) => r.old),
          advantages: mine.map((r) => r.adv),
          mask,
          clipEps: lossOptions.clipEps,
          clipEpsHigh: lossOptions.clipEpsHigh,
          ...(o.dualClip !== undefined ? { dualClip: o.dualClip } : {}),
          aggregation: o.aggregation,
          lossScaleFactor: scale,
        });
        const w = aggregationWeights(mask, o.aggregation, { lossScaleFactor: scale });
        const agg = (v: number[][]) => v.reduce((s, row, i) => s + row.reduce((s2, x, t) => s2 + x * w[i]![t]!, 0), 0);
        let loss = pg.loss;
        if (klInLoss) {
          const klLoss = agg(approxKl(lp, mine.map((r) => r.ref!), mask, o.klEstimator));
          a.m.klLoss += klLoss;
          loss += o.klCoef * klLoss;
        }
        if (withEntropy) loss -= o.entropyCoef * agg(mine.map((r) => newEntropy.get(r)!));
        const n = mask.reduce((s, m) => s + m.length, 0);
        a.m.loss += loss;
        a.m.updates++;
        a.m.clip += pg.clipFrac * n;
        a.m.ppoKl += pg.ppoKl * n;
        a.m.tokensSeen += n;
      }
      return res;
    });
  }
}

const isTrained = (r: Row) => r.mask.length > 0 && r.mask[0] === 1;
const seqLength = (r: Row) => r.exp.contextIds.length + r.exp.actionIds.length;
