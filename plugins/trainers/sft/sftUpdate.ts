import type * as TF from '@tensorflow/tfjs-core';
import type { TrainablePolicy } from '../../../core/contracts/TrainablePolicy.js';
import type { Tf } from '../../tfjs/loadTf.js';
import { aggregationWeights } from '../math/aggregationWeights.js';
import type { LossAggregation } from '../math/types.js';
import type { Adam } from '../runtime/Adam.js';
import { optimizerStep, type MicroBatchLoss } from '../runtime/optimizerStep.js';
import { buildSequenceBatch, toWindow, type SequenceRow } from '../runtime/SequenceBatch.js';

export interface SftUpdateResult {
  readonly loss: number;
  readonly gradNorm: number;
  readonly applied: boolean;
  readonly tokens: number;
  /** Log-probs of each demo's action tokens before the update, in input order. */
  readonly logp: number[][];
}

/**
 * One SFT optimizer update: masked next-token cross-entropy on the action tokens only,
 * loss = −Σ w·log p(action token | prefix), w from `aggregationWeights` (token-mean by default), accumulated over
 * micro-batches.
 */
export function sftUpdate(
  tf: Tf,
  policy: TrainablePolicy,
  optimizer: Adam,
  demos: readonly SequenceRow[],
  o: { readonly microBatchSize: number; readonly aggregation: LossAggregation; readonly lr: number; readonly maxGradNorm: number; readonly lossScaleFactor?: number | undefined },
): SftUpdateResult {
  const masks = demos.map((d) => d.lossMask?.map((m) => (m ? 1 : 0)) ?? d.actionIds.map(() => 1));
  const weights = aggregationWeights(masks, o.aggregation, o.lossScaleFactor !== undefined ? { lossScaleFactor: o.lossScaleFactor } : {});
  const order = demos.map((_, i) => i).sort((a, b) => len(demos[a]!) - len(demos[b]!));
  const micro: Array<MicroBatchLoss & { idx: number[] }> = [];
  for (let i = 0; i < order.length; i += o.microBatchSize) {
    const idx = order.slice(i, i + o.microBatchSize);
    const batch = buildSequenceBatch(
      idx.map((j) => demos[j]!),
      policy.padTokenId,
    );
    micro.push({
      idx,
      batch,
      loss: (logp) => tf.neg(tf.sum(tf.mul(logp, tf.tensor2d(toWindow(batch, idx.map((j) => weights[j]!)), [batch.rows, batch.width])))) as TF.Scalar,
    });
  }
  const res = optimizerStep(tf, policy, optimizer, micro, { lr: o.lr, maxGradNorm: o.maxGradNorm });
  const logp: number[][] = new Array(demos.length);
  micro.forEach((m, i) => m.idx.forEach((j, k) => (logp[j] = res.logp[i]![k]!)));
  return { loss: res.loss, gradNorm: res.gradNorm, applied: res.applied, tokens: masks.reduce((s, m) => s + m.reduce((a: number, b: number) => a + b, 0), 0), logp };
}

const len = (d: SequenceRow) => d.contextIds.length + d.actionIds.length;
