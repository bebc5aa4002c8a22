import type * as TF from '@tensorflow/tfjs-core';
import type { FrozenModel } from '../../../core/contracts/TrainablePolicy.js';
import type { Tf } from '../../tfjs/loadTf.js';
import type { SequenceBatch } from './SequenceBatch.js';

export interface SequenceLogprobs {
  /** [rows, width] log-prob of each target token (meaningful where `actionMask` is 1). */
  readonly logp: TF.Tensor2D;
  /** [rows, width] entropy of the next-token distribution, when asked for. */
  readonly entropy?: TF.Tensor2D;
}

/**
 * Target-token log-probs from a model. Differentiable form (the default): Σ_v oneHot(target)_v · logSoftmax(z)_v,
 * because the wasm backend has no gradient kernel for gather (UnsortedSegmentSum). With `differentiable: false`
 * (scoring passes) the targets are picked with a forward-only gather, which avoids materializing a [B, W, V] one-hot.
 * Entropy is H = −Σ_v p_v·log p_v. Call inside `tf.tidy` or `tf.variableGrads`.
 */
export function sequenceLogprobs(
  tf: Tf,
  model: Pick<FrozenModel, 'forward'>,
  batch: SequenceBatch,
  withEntropy = false,
  differentiable = true,
): SequenceLogprobs {
  const ids = tf.tensor2d(batch.inputIds, [batch.rows, batch.length], 'int32');
  const mask = tf.tensor2d(batch.attentionMask, [batch.rows, batch.length], 'int32');
  const logits = model.forward(ids, mask);
  const vocab = logits.shape[2];
  const window = batch.start === 0 ? logits : tf.slice(logits, [0, batch.start, 0], [batch.rows, batch.width, vocab]);
  const logSoftmax = tf.logSoftmax(window);
  let logp: TF.Tensor2D;
  if (differentiable) {
    const targets = tf.cast(tf.oneHot(tf.tensor2d(batch.targets, [batch.rows, batch.width], 'int32'), vocab), 'float32');
    logp = tf.sum(tf.mul(logSoftmax, targets), -1) as TF.Tensor2D;
  } else {
    const flat = Int32Array.from(batch.targets, (t, i) => i * vocab + t);
    logp = tf.reshape(tf.gather(tf.reshape(logSoftmax, [-1]), tf.tensor1d(flat, 'int32')), [batch.rows, batch.width]) as TF.Tensor2D;
  }
  if (!withEntropy) return { logp };
  const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logSoftmax), logSoftmax), -1)) as TF.Tensor2D;
  return { logp, entropy };
}
