import type * as TF from '@tensorflow/tfjs-core';
import type { TrainablePolicy } from '../../../core/contracts/TrainablePolicy.js';
import type { Tf } from '../../tfjs/loadTf.js';
import type { Adam } from './Adam.js';
import { globalGradNorm } from './globalGradNorm.js';
import { fromWindow, type SequenceBatch } from './SequenceBatch.js';
import { sequenceLogprobs } from './sequenceLogprobs.js';

export interface MicroBatchLoss {
  readonly batch: SequenceBatch;
  /**
   * This micro-batch's share of the mini-batch loss, built from the differentiable log-probs and constants (created
   * inside, they are freed with the step). Shares must already be normalized over the whole mini-batch.
   */
  readonly loss: (logp: TF.Tensor2D, entropy: TF.Tensor2D | undefined) => TF.Scalar;
}

export interface OptimizerStepResult {
  /** Σ of the micro-batch losses = the mini-batch loss. */
  readonly loss: number;
  /** Gradient norm before clipping. */
  readonly gradNorm: number;
  /** False when the gradient was not finite and the update was skipped. */
  readonly applied: boolean;
  /** Per micro-batch, per row: the trained policy's log-probs of the action tokens (before the update). */
  readonly logp: number[][][];
  /** Same for the entropy, when asked for. */
  readonly entropy?: number[][][];
}

/**
 * One optimizer update with gradient accumulation: forward + backward per micro-batch, gradients summed, clipped by
 * global norm, then Adam. A non-finite gradient skips the update (and says so) instead of corrupting the weights.
 */
export function optimizerStep(
  tf: Tf,
  policy: TrainablePolicy,
  optimizer: Adam,
  microBatches: readonly MicroBatchLoss[],
  o: { readonly lr: number; readonly maxGradNorm: number; readonly withEntropy?: boolean },
): OptimizerStepResult {
  const vars = policy.variables();
  const nameOf = new Map([...vars].map(([name, v]) => [v.name, name]));
  const varList = [...vars.values()];
  const acc = new Map<string, TF.Tensor>();
  const logps: number[][][] = [];
  const entropies: number[][][] = [];
  let loss = 0;
  try {
    for (const mb of microBatches) {
      let keptLogp: TF.Tensor2D | undefined;
      let keptEntropy: TF.Tensor2D | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const { logp, entropy } = sequenceLogprobs(tf, policy, mb.batch, o.withEntropy === true);
        keptLogp = tf.keep(logp);
        if (entropy) keptEntropy = tf.keep(entropy);
        return mb.loss(logp, entropy);
      }, varList);
      loss += value.dataSync()[0]!;
      value.dispose();
      logps.push(fromWindow(mb.batch, keptLogp!.dataSync()));
      keptLogp!.dispose();
      if (keptEntropy) {
        entropies.push(fromWindow(mb.batch, keptEntropy.dataSync()));
        keptEntropy.dispose();
      }
      for (const [tfName, g] of Object.entries(grads)) {
        const name = nameOf.get(tfName);
        if (name === undefined) {
          g.dispose();
          continue;
        }
        const prev = acc.get(name);
        if (prev) {
          acc.set(name, tf.add(prev, g));
          prev.dispose();
          g.dispose();
        } else acc.set(name, g);
      }
    }
    const { norm, scale } = globalGradNorm(tf, acc.values(), o.maxGradNorm);
    const applied = Number.isFinite(norm);
    if (applied) optimizer.apply(vars, acc, o.lr, scale);
    return { loss, gradNorm: norm, applied, logp: logps, ...(o.withEntropy ? { entropy: entropies } : {}) };
  } finally {
    for (const g of acc.values()) g.dispose();
  }
}
