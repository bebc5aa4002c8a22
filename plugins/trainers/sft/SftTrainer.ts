import type { Logger } from '../../../core/contracts/Logger.js';
import type { AgentBatch, TrainMetrics, TrainStepContext } from '../../../core/contracts/Trainer.js';
import type { Experience } from '../../../core/model/Experience.js';
import type { Tf } from '../../tfjs/loadTf.js';
import { aggregationWeights } from '../math/aggregationWeights.js';
import type { LossAggregation } from '../math/types.js';
import type { OptimizerOptions } from '../runtime/OptimizerOptions.js';
import type { PolicySlot } from '../runtime/PolicySlot.js';
import { SlotTrainer, updateMetrics, type UpdateTally } from '../runtime/SlotTrainer.js';
import { sftUpdate } from './sftUpdate.js';

export interface SftTrainerOptions extends OptimizerOptions {
  /** Train only on experiences whose reward is at least this (rejection-sampling fine-tuning); default: all. */
  readonly minReward?: number | undefined;
  readonly aggregation: LossAggregation;
  readonly lossScaleFactor?: number | undefined;
  readonly maskTruncated: boolean;
}

/**
 * The `sft` trainer: each step fine-tunes every agent's policy on that step's actions (optionally only the well-rewarded
 * ones) with masked next-token cross-entropy. Same optimizer, schedule, batching and checkpoint format as the
 * policy-gradient trainers; no reference model.
 */
export class SftTrainer extends SlotTrainer {
  readonly name = 'sft';

  constructor(
    tf: Tf,
    readonly options: SftTrainerOptions,
    logger?: Logger,
  ) {
    super(tf, { beta1: options.adamBetas[0], beta2: options.adamBetas[1], eps: options.adamEps, weightDecay: options.weightDecay }, options.seed, false, logger);
  }

  async step(batches: readonly AgentBatch[], context: TrainStepContext): Promise<Record<string, TrainMetrics>> {
    const o = this.options;
    const agents = batches.map((batch) => {
      const slot = this.slot(this.trainable(batch));
      const demos = batch.experiences.filter(
        (e) => !(o.maskTruncated && e.truncated) && (o.minReward === undefined || e.reward >= o.minReward) && e.actionIds.length > 0 && e.contextIds.length > 0,
      );
      return { batch, slot, demos, loss: 0, updates: 0 };
    });
    if (o.sharedPolicy === 'error') this.assertNoSharedPolicy(agents.map((a) => ({ agentId: a.batch.agentId, slot: a.slot })));
    const updates = new Map<PolicySlot, UpdateTally>();
    for (const slot of new Set(agents.map((a) => a.slot))) {
      const mine = agents.filter((a) => a.slot === slot);
      const rows: Array<{ exp: Experience; owner: (typeof agents)[number] }> = mine.flatMap((a) => a.demos.map((exp) => ({ exp, owner: a })));
      if (rows.length === 0) continue;
      const tally = this.miniBatchUpdates(slot, rows, o, context, (mini, lr) => {
        const res = sftUpdate(
          this.tf,
          slot.policy,
          slot.optimizer,
          mini.map((r) => r.exp),
          { microBatchSize: o.microBatchSize, aggregation: o.aggregation, lr, maxGradNorm: o.maxGradNorm, lossScaleFactor: o.lossScaleFactor },
        );
        for (const a of mine) {
          const idx = mini.map((r, i) => (r.owner === a ? i : -1)).filter((i) => i >= 0);
          if (idx.length === 0) continue;
          const masks = idx.map((i) => res.logp[i]!.map(() => 1));
          const w = aggregationWeights(masks, o.aggregation, o.lossScaleFactor !== undefined ? { lossScaleFactor: o.lossScaleFactor } : {});
          a.loss -= idx.reduce((s, i, r) => s + res.logp[i]!.reduce((s2, lp, t) => s2 + lp * w[r]![t]!, 0), 0);
          a.updates++;
        }
        return res;
      });
      updates.set(slot, tally);
      slot.policy.markUpdated();
    }
    this.lastStep = context.step;
    const out: Record<string, TrainMetrics> = {};
    for (const a of agents) {
      const m: Record<string, number> = {
        samples: a.batch.experiences.length,
        demos: a.demos.length,
        tokens: a.demos.reduce((s, e) => s + e.actionIds.length, 0),
      };
      const u = updates.get(a.slot);
      out[a.batch.agentId] = u && a.updates > 0 ? { ...m, loss: a.loss / a.updates, ...updateMetrics(u) } : m;
    }
    return out;
  }
}
