import type * as TF from '@tensorflow/tfjs';
import type { Tf } from '../../tfjs/loadTf.js';

/**
 * Differentiable building blocks written around the wasm backend's traps (see docs/tfjs-policy.md):
 * - matMul's built-in gradient uses transposed BatchMatMul, which is 10–15× slower on wasm than an explicit
 *   transpose followed by a plain matMul, so every matMul here has a custom gradient with explicit transposes;
 * - `tf.gather`'s gradient needs UnsortedSegmentSum, which wasm lacks, so the embedding gradient is a scatter-add.
 */
export interface TfOps {
  /** `x [N, in] · Wᵀ` for a Hugging Face weight `W [out, in]`; gradients for both. */
  linear(x: TF.Tensor2D, w: TF.Tensor2D): TF.Tensor2D;
  /** Batched `a [..., M, K] · b [..., K, N]` (same batch dims); gradients for both. */
  bmm(a: TF.Tensor, b: TF.Tensor): TF.Tensor;
  /** `x [N, hd] · r` for a constant `r [hd, hd]` with precomputed `rT`; gradient for x only. */
  rotate(x: TF.Tensor2D, r: TF.Tensor2D, rT: TF.Tensor2D): TF.Tensor2D;
  /** Rows of `table [V, d]` for `ids [N]` (int32); gradient for the table. */
  embed(table: TF.Tensor2D, ids: TF.Tensor1D): TF.Tensor2D;
}

function swapLast(tf: Tf, x: TF.Tensor): TF.Tensor {
  const perm = [...Array(x.rank).keys()];
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return tf.transpose(x, perm);
}

export function createTfOps(tf: Tf): TfOps {
  const linear = tf.customGrad((x, w, save) => {
    const xt = x as TF.Tensor2D;
    const wt = w as TF.Tensor2D;
    (save as TF.GradSaveFunc)([xt, wt]);
    return {
      value: tf.matMul(xt, tf.transpose(wt)),
      gradFunc: (dy, saved) => {
        const [sx, sw] = saved as [TF.Tensor2D, TF.Tensor2D];
        const g = dy as TF.Tensor2D;
        return [tf.matMul(g, sw), tf.matMul(tf.transpose(g), sx)];
      },
    };
  }) as (x: TF.Tensor2D, w: TF.Tensor2D) => TF.Tensor2D;

  const bmm = tf.customGrad((a, b, save) => {
    (save as TF.GradSaveFunc)([a as TF.Tensor, b as TF.Tensor]);
    return {
      value: tf.matMul(a as TF.Tensor3D, b as TF.Tensor3D),
      gradFunc: (dy, saved) => {
        const [sa, sb] = saved as [TF.Tensor3D, TF.Tensor3D];
        const g = dy as TF.Tensor3D;
        return [tf.matMul(g, swapLast(tf, sb) as TF.Tensor3D), tf.matMul(swapLast(tf, sa) as TF.Tensor3D, g)];
      },
    };
  }) as (a: TF.Tensor, b: TF.Tensor) => TF.Tensor;

  const rotate = (x: TF.Tensor2D, r: TF.Tensor2D, rT: TF.Tensor2D): TF.Tensor2D =>
    (
      tf.customGrad((xx) => ({
        value: tf.matMul(xx as TF.Tensor2D, r),
        gradFunc: (dy) => tf.matMul(dy as TF.Tensor2D, rT),
      })) as (x: TF.Tensor2D) => TF.Tensor2D
    )(x);

  const hasSegmentSum = tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined;
  const embed = (table: TF.Tensor2D, ids: TF.Tensor1D): TF.Tensor2D => {
    if (hasSegmentSum) return tf.gather(table, ids);
    // The ids are constants of the graph: read them once, and scatter-add the rows of dy on the host.
    const idArr = ids.dataSync();
    const [v, d] = table.shape;
    return (
      tf.customGrad((tbl) => ({
        value: tf.gather(tbl as TF.Tensor2D, ids),
        gradFunc: (dy) => {
          const g = (dy as TF.Tensor2D).dataSync();
          const out = new Float32Array(v * d);
          for (let i = 0; i < idArr.length; i++) {
            const row = (idArr[i] as number) * d;
            const src = i * d;
            for (let j = 0; j < d; j++) out[row + j] = (out[row + j] as number) + (g[src + j] as number);
          }
          return tf.tensor2d(out, [v, d]);
        },
      })) as (t: TF.Tensor2D) => TF.Tensor2D
    )(table);
  };

  return { linear, bmm, rotate, embed };
}

/** The rotate_half permutation as a matrix: `x · R = concat(-x₂, x₁)`. */
export function rotateHalfMatrix(headDim: number): { r: Float32Array; rT: Float32Array } {
  const half = headDim / 2;
  const r = new Float32Array(headDim * headDim);
  const rT = new Float32Array(headDim * headDim);
  for (let i = 0; i < half; i++) {
    // out[i] = -x[half + i]; out[half + i] = x[i]
    r[(half + i) * headDim + i] = -1;
    r[i * headDim + half + i] = 1;
  }
  for (let i = 0; i < headDim; i++) for (let j = 0; j < headDim; j++) rT[j * headDim + i] = r[i * headDim + j] as number;
  return { r, rT };
}
