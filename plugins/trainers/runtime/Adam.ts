import type * as TF from '@tensorflow/tfjs-core';
import type { Tf } from '../../tfjs/loadTf.js';
import { nativeAdamStep } from '../../tfjs/nativeAdam.js';

export interface AdamOptions {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Decoupled weight decay (AdamW); 0 = plain Adam. */
  readonly weightDecay: number;
}

/**
 * Adam(W) over named variables, with torch's update rule:
 *
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
 *   θ ← θ·(1 − lr·wd) − lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε)
 *
 * Written here rather than using `tf.train.adam` so that the moments are keyed by stable parameter names (saved and
 * restored exactly, whatever the tfjs variable ids of the process), the learning rate can change every step, and the
 * bias corrections are computed in float64. With the OpenBLAS addon active (`MAPPA_NATIVE_MATMUL=1`) each parameter's
 * update is one fused kernel (`plugins/tfjs/nativeAdam.ts`) doing the same float32 arithmetic in the same order: the
 * same bits, one pass instead of ~10 ops.
 */
export class Adam {
  readonly #m = new Map<string, TF.Variable>();
  readonly #v = new Map<string, TF.Variable>();
  #t = 0;

  constructor(
    private readonly tf: Tf,
    readonly options: AdamOptions,
  ) {}

  /** Number of updates applied. */
  get step(): number {
    return this.#t;
  }

  /** Applies `grads` (already accumulated) scaled by `gradScale` (the clipping factor) to `params`. */
  apply(params: ReadonlyMap<string, TF.Variable>, grads: ReadonlyMap<string, TF.Tensor>, lr: number, gradScale = 1): void {
    const tf = this.tf;
    const { beta1, beta2, eps, weightDecay } = this.options;
    this.#t++;
    const stepSize = lr / (1 - beta1 ** this.#t);
    const rootBc2 = Math.sqrt(1 - beta2 ** this.#t);
    const fused = nativeAdamStep(tf);
    tf.tidy(() => {
      for (const [name, g0] of grads) {
        const p = params.get(name);
        if (!p) throw new Error(`Adam: gradient for unknown parameter ${name}`);
        let m = this.#m.get(name);
        let v = this.#v.get(name);
        if (!m || !v) {
          m = tf.variable(tf.zerosLike(p), false);
          v = tf.variable(tf.zerosLike(p), false);
          this.#m.set(name, m);
          this.#v.set(name, v);
        }
        if (fused) {
          // A scale or decay of exactly 1 multiplies without changing a bit, as the ops below that skip it.
          const [p1, m1, v1] = fused(p, g0, m, v, { gradScale, beta1, beta2, eps, stepSize, rootBc2, decay: weightDecay > 0 ? 1 - lr * weightDecay : 1 });
          m.assign(m1);
          v.assign(v1);
          p.assign(p1);
          continue;
        }
        const g = gradScale === 1 ? g0 : tf.mul(g0, gradScale);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.mul(tf.div(m, tf.add(tf.div(tf.sqrt(v), rootBc2), eps)), stepSize);
        const decayed = weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, update));
      }
    });
  }

  /** Moments as `m/<name>` and `v/<name>` (the live tensors; do not dispose them). */
  state(): Map<string, TF.Tensor> {
    const out = new Map<string, TF.Tensor>();
    for (const [k, t] of this.#m) out.set(`m/${k}`, t);
    for (const [k, t] of this.#v) out.set(`v/${k}`, t);
    return out;
  }

  /** Replaces the moments and step with saved ones (takes ownership of the tensors). */
  load(tensors: ReadonlyMap<string, TF.Tensor>, step: number): void {
    this.dispose();
    for (const [key, t] of tensors) {
      const slash = key.indexOf('/');
      const kind = key.slice(0, slash);
      const name = key.slice(slash + 1);
      const target = kind === 'm' ? this.#m : kind === 'v' ? this.#v : undefined;
      if (!target) throw new Error(`Adam.load: unexpected tensor ${key}`);
      target.set(name, this.tf.variable(t, false));
      t.dispose();
    }
    this.#t = step;
  }

  dispose(): void {
    for (const t of [...this.#m.values(), ...this.#v.values()]) t.dispose();
    this.#m.clear();
    this.#v.clear();
    this.#t = 0;
  }
}
