import type * as TF from '@tensorflow/tfjs-core';
import type { KlEstimator } from '../math/types.js';
import type { Tf } from '../../tfjs/loadTf.js';

export interface PolicyLossConstants {
  /** [rows, width] constants built from plain arrays computed by the `math/` functions. */
  readonly oldLogp: TF.Tensor2D;
  readonly advantages: TF.Tensor2D;
  /** Aggregation weights w (0 at padding), from `aggregationWeights` over the whole mini-batch. */
  readonly weights: TF.Tensor2D;
  /** Reference log-probs, for a KL term in the loss. */
  readonly refLogp?: TF.Tensor2D;
}

export interface PolicyLossOptions {
  readonly clipEps: number;
  readonly clipEpsHigh: number;
  readonly dualClip?: number | undefined;
  /** β of a KL term in the loss (0 = none). */
  readonly klCoef?: number;
  readonly klEstimator?: KlEstimator;
  /** Entropy bonus coefficient (0 = none). */
  readonly entropyCoef?: number;
}

/**
 * The differentiable twin of `ppoClipLoss` (same formulas, same clamps) plus the optional KL-in-loss and entropy
 * terms, aggregated as Σ w·(L_pg + β·kl − c_H·H). Only `logp` (and `entropy`) carry gradients; everything else is a
 * constant computed on plain arrays. A test pins it to `ppoClipLoss` on the same numbers.
 */
export function policyLossTf(tf: Tf, logp: TF.Tensor2D, c: PolicyLossConstants, o: PolicyLossOptions, entropy?: TF.Tensor2D): TF.Scalar {
  const ratio = tf.exp(tf.clipByValue(tf.sub(logp, c.oldLogp), -20, 20));
  const s1 = tf.mul(ratio, c.advantages);
  const s2 = tf.mul(tf.clipByValue(ratio, 1 - o.clipEps, 1 + o.clipEpsHigh), c.advantages);
  let surrogate = tf.minimum(s1, s2);
  if (o.dualClip !== undefined) {
    surrogate = tf.where(tf.less(c.advantages, 0), tf.maximum(surrogate, tf.mul(c.advantages, o.dualClip)), surrogate);
  }
  let tokenLoss: TF.Tensor = tf.neg(surrogate);
  if (o.klCoef && o.klCoef > 0) {
    if (!c.refLogp) throw new Error('policyLossTf: klCoef > 0 needs refLogp');
    const d = tf.sub(logp, c.refLogp);
    const est = o.klEstimator ?? 'k3';
    const k = est === 'k1' ? d : est === 'k2' ? tf.div(tf.square(d), 2) : tf.add(tf.sub(tf.exp(tf.neg(d)), 1), d);
    tokenLoss = tf.add(tokenLoss, tf.mul(tf.clipByValue(k, -10, 10), o.klCoef));
  }
  if (o.entropyCoef && o.entropyCoef !== 0) {
    if (!entropy) throw new Error('policyLossTf: entropyCoef needs the entropy tensor');
    tokenLoss = tf.sub(tokenLoss, tf.mul(entropy, o.entropyCoef));
  }
  return tf.sum(tf.mul(tokenLoss, c.weights)) as TF.Scalar;
}
