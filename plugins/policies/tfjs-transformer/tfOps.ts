import type * as TF from '@tensorflow/tfjs-core';
import type { Tf } from '../../tfjs/loadTf.js';
import { nativeMatmulActive } from '../../tfjs/nativeMatmul.js';

/**
 * Differentiable building blocks written around the wasm backend's traps (see docs/tfjs-policy.md):
 * - matMul's built-in gradient uses transposed BatchMatMul, which is 10–15× slower on wasm than an explicit
 *   transpose followed by a plain matMul, so every matMul here has a custom gradient with explicit transposes;
 * - `tf.gather`'s gradient needs UnsortedSegmentSum, which wasm lacks, so the embedding gradient is a scatter-add.
 */
export interface TfOps {
  /** `x [N, in] · Wᵀ` for a Hugging Face weight `W [out, in]`; gradients for both. */
  linear(x: TF.Tensor2D, w: TF.Tensor2D): TF.Tensor2D;
  /**
   * Grouped matmul as a depthwise convolution: `a [1, M, K, G]`, `f [1, K, G, N]` → `[1, M, 1, G·N]` with
   * `out[m, g, n] = Σₖ a[m, k, g] · f[k, g, n]`. On wasm this runs through XNNPACK and is 3–4× faster than a batched
   * matMul (which falls back to a scalar loop there); gradients are depthwise convolutions too.
   */
  groupMatMul(a: TF.Tensor4D, f: TF.Tensor4D): TF.Tensor4D;
  /**
   * `x · Wᵀ` for a frozen weight (LoRA's base): forward from a cached `wT [in, out]`, gradient for `x` only (`dy · W`),
   * so a backward pass never computes the base's weight gradient.
   */
  frozenLinear(x: TF.Tensor2D, wT: TF.Tensor2D, w: TF.Tensor2D): TF.Tensor2D;
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
    // With the OpenBLAS kernel the weight gradient passes sgemm's transpose flag instead of a Transpose op. The
    // forward keeps the explicit transpose: the inference path multiplies by a cached Wᵀ, and sgemm's NT and NN kernels
    // (SkylakeX) sum in different orders, so a flag there breaks bit-equalities the trainers rely on (LoRA's zero
    // adapter equals the base, a fresh reference has KL exactly 0; test/trainers/tfjsTransformerTrainers.test.ts).
    const native = nativeMatmulActive(tf);
    return {
      value: tf.matMul(xt, tf.transpose(wt)),
      gradFunc: (dy, saved) => {
        const [sx, sw] = saved as [TF.Tensor2D, TF.Tensor2D];
        const g = dy as TF.Tensor2D;
        if (native) return [tf.matMul(g, sw), tf.matMul(g, sx, true, false)];
        // dW = dyᵀ·x needs one transpose of an [N, ·] activation; transpose the narrower of dy and x.
        const [out, inp] = sw.shape;
        const dw = out > inp ? tf.transpose(tf.matMul(tf.transpose(sx), g)) : tf.matMul(tf.transpose(g), sx);
        return [tf.matMul(g, sw), dw];
      },
    };
  }) as (x: TF.Tensor2D, w: TF.Tensor2D) => TF.Tensor2D;

  const dw = (a: TF.Tensor4D, f: TF.Tensor4D) => tf.depthwiseConv2d(a, f, 1, 'valid');
  const groupMatMul = tf.customGrad((a, f, save) => {
    (save as TF.GradSaveFunc)([a as TF.Tensor, f as TF.Tensor]);
    return {
      value: dw(a as TF.Tensor4D, f as TF.Tensor4D),
      gradFunc: (dy, saved) => {
        const [sa, sf] = saved as [TF.Tensor4D, TF.Tensor4D];
        const [, m, k, g] = sa.shape;
        const n = sf.shape[3];
        const dc = tf.reshape((dy as TF.Tensor), [m, g, n]);
        // dA[m,k,g] = Σₙ dC[m,g,n]·F[k,g,n]: rows m, contraction n.
        const da = dw(tf.reshape(tf.transpose(dc, [0, 2, 1]), [1, m, n, g]), tf.reshape(tf.transpose(tf.reshape(sf, [k, g, n]), [2, 1, 0]), [1, n, g, k]));
        // dF[k,g,n] = Σₘ A[m,k,g]·dC[m,g,n]: rows k, contraction m.
        const df = dw(tf.reshape(tf.transpose(tf.reshape(sa, [m, k, g]), [1, 0, 2]), [1, k, m, g]), tf.reshape(dc, [1, m, g, n]));
        return [tf.reshape(tf.transpose(tf.reshape(da, [m, g, k]), [0, 2, 1]), [1, m, k, g]), tf.reshape(df, [1, k, g, n])];
      },
    };
  }) as (a: TF.Tensor4D, f: TF.Tensor4D) => TF.Tensor4D;

  const rotate = (x: TF.Tensor2D, r: TF.Tensor2D, rT: TF.Tensor2D): TF.Tensor2D =>
    (
      tf.customGrad((xx) => ({
        value: tf.matMul(xx as TF.Tensor2D, r),
        gradFunc: (dy) => tf.matMul(dy as TF.Tensor2D, rT),
      })) as (x: TF.Tensor2D) => TF.Tensor2D
    )(x);

  const frozenLinear = (x: TF.Tensor2D, wT: TF.Tensor2D, w: TF.Tensor2D): TF.Tensor2D =>
    (
      tf.customGrad((xx) => ({
        value: tf.matMul(xx as TF.Tensor2D, wT),
        gradFunc: (dy) => tf.matMul(dy as TF.Tensor2D, w),
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

  return { linear, groupMatMul, frozenLinear, rotate, embed };
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
