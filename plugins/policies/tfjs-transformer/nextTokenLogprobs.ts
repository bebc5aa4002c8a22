import type * as TF from '@tensorflow/tfjs-core';
import type { Tf } from '../../tfjs/loadTf.js';

/**
 * log p(inputIds[:, t+1] | inputIds[:, ≤t]) from logits [B, T, V]: shape [B, T-1], differentiable. Picks the target
 * column with a one-hot product rather than a gather, because gather's gradient is missing on the wasm backend.
 */
export function nextTokenLogprobs(tf: Tf, logits: TF.Tensor3D, inputIds: TF.Tensor2D): TF.Tensor2D {
  const [b, t, v] = logits.shape;
  const lsm = tf.logSoftmax(tf.slice(logits, [0, 0, 0], [b, t - 1, v]));
  const targets = tf.oneHot(tf.cast(tf.slice(inputIds, [0, 1], [b, t - 1]), 'int32'), v);
  return tf.sum(tf.mul(lsm, targets), -1) as TF.Tensor2D;
}
