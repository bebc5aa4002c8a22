import type * as TF from '@tensorflow/tfjs-core';
import type { Tf } from '../../tfjs/loadTf.js';

/**
 * ‖g‖₂ over every gradient, and the factor that clips it to `maxNorm` as torch's `clip_grad_norm_`:
 * min(1, maxNorm / (‖g‖ + 1e-6)); `maxNorm` ≤ 0 disables clipping.
 */
export function globalGradNorm(tf: Tf, grads: Iterable<TF.Tensor>, maxNorm: number): { norm: number; scale: number } {
  const list = [...grads];
  const sq = list.length ? tf.tidy(() => tf.addN(list.map((g) => tf.sum(tf.square(g))))) : undefined;
  const norm = sq ? Math.sqrt(sq.dataSync()[0]!) : 0;
  sq?.dispose();
  const scale = maxNorm > 0 ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
  return { norm, scale };
}
