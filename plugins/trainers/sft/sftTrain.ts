import { z } from 'zod';
import { MappaError } from '../../../core/util/MappaError.js';
import { Rng } from '../../../core/util/Rng.js';
import type { TrainablePolicy } from '../../../core/contracts/TrainablePolicy.js';
import { loadTf } from '../../tfjs/loadTf.js';
import { LOSS_AGGREGATIONS } from '../math/types.js';
import { Adam } from '../runtime/Adam.js';
import { learningRate } from '../runtime/learningRate.js';
import type { SequenceRow } from '../runtime/SequenceBatch.js';
import { LrScheduleSchema } from '../trainerConfigFields.js';
import { sftUpdate } from './sftUpdate.js';

export const SftTrainOptionsSchema = z.strictObject({
  epochs: z.number().int().min(1).default(1),
  /** Demonstrations per optimizer update. */
  batchSize: z.number().int().min(1).default(8),
  microBatchSize: z.number().int().min(1).default(4),
  lr: z.number().positive().default(5e-6),
  schedule: LrScheduleSchema.default(LrScheduleSchema.parse({})),
  adamBetas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.95]),
  adamEps: z.number().positive().default(1e-8),
  weightDecay: z.number().min(0).default(0),
  maxGradNorm: z.number().min(0).default(1),
  aggregation: z.enum(LOSS_AGGREGATIONS).default('token-mean'),
  /** Reshuffle the demonstrations every epoch. */
  shuffle: z.boolean().default(true),
  seed: z.number().int().default(0),
});

export interface SftStepInfo {
  /** 1-based optimizer step. */
  readonly step: number;
  readonly totalSteps: number;
  readonly epoch: number;
  readonly loss: number;
  readonly gradNorm: number;
  readonly lr: number;
  readonly tokens: number;
}

export type SftTrainOptions = z.input<typeof SftTrainOptionsSchema> & {
  readonly signal?: AbortSignal;
  /** Called after every optimizer update (e.g. for a progress bar). */
  readonly onStep?: (info: SftStepInfo) => void | Promise<void>;
};

export interface SftTrainResult {
  /** Optimizer updates applied. */
  readonly steps: number;
  /** Loss of every update, in order (measured before the update, on its batch). */
  readonly losses: number[];
  /** Action tokens trained on, summed over updates. */
  readonly tokens: number;
  /** Updates skipped because the gradient was not finite. */
  readonly skipped: number;
  readonly aborted: boolean;
}

/**
 * Supervised fine-tuning of a local policy on demonstrations (masked next-token cross-entropy on the action tokens),
 * e.g. to warm-start agents before RL. Uses its own Adam optimizer; calls `policy.markUpdated()` after each update.
 */
export async function sftTrain(
  policy: TrainablePolicy,
  demos: readonly SequenceRow[],
  options: SftTrainOptions = {},
): Promise<SftTrainResult> {
  const { signal, onStep, ...rest } = options;
  const o = SftTrainOptionsSchema.parse(rest);
  demos.forEach((d, i) => {
    if (d.contextIds.length === 0 || d.actionIds.length === 0) {
      throw new MappaError(`sftTrain: demonstration ${i} has an empty ${d.contextIds.length === 0 ? 'context' : 'action'}`, {
        hint: 'every demonstration needs at least one context token and one action token',
      });
    }
    const bad = [...d.contextIds, ...d.actionIds].find((t) => !Number.isInteger(t) || t < 0 || t >= policy.vocabSize);
    if (bad !== undefined) throw new MappaError(`sftTrain: demonstration ${i} has token id ${bad}, outside the vocabulary (0..${policy.vocabSize - 1})`);
  });
  const { tf } = await loadTf();
  const optimizer = new Adam(tf, { beta1: o.adamBetas[0], beta2: o.adamBetas[1], eps: o.adamEps, weightDecay: o.weightDecay });
  const rng = Rng.fromSeed(o.seed);
  const perEpoch = Math.ceil(demos.length / o.batchSize);
  const total = perEpoch * o.epochs;
  const losses: number[] = [];
  let tokens = 0;
  let skipped = 0;
  let step = 0;
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = o.shuffle ? rng.shuffle(demos) : demos;
      for (let b = 0; b < perEpoch; b++) {
        if (signal?.aborted) return { steps: step, losses, tokens, skipped, aborted: true };
        const lr = learningRate(o.lr, o.schedule, step, total);
        const res = sftUpdate(tf, policy, optimizer, order.slice(b * o.batchSize, (b + 1) * o.batchSize), { ...o, lr });
        step++;
        if (!res.applied) skipped++;
        else policy.markUpdated();
        losses.push(res.loss);
        tokens += res.tokens;
        await onStep?.({ step, totalSteps: total, epoch, loss: res.loss, gradNorm: res.gradNorm, lr, tokens: res.tokens });
      }
    }
  } finally {
    optimizer.dispose();
  }
  return { steps: step, losses, tokens, skipped, aborted: false };
}
