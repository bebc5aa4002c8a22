import { describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs-core';
import { Adam } from '../../plugins/trainers/runtime/Adam.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';
import { nativeAdamStep } from '../../plugins/tfjs/nativeAdam.js';
import { activeMatmulAddon, findMatmulAddon, installNativeMatmul, useNativeMatmul } from '../../plugins/tfjs/nativeMatmul.js';

const { tf, backend } = await loadTf();

// CI installs g++ and libopenblas-dev, so the addon must be there; elsewhere a missing build skips these.
describe.runIf(backend === 'wasm' && (Boolean(findMatmulAddon()) || Boolean(process.env['CI'])))('fused native Adam', () => {
  const on = installNativeMatmul(tf, 'wasm', { MAPPA_NATIVE_MATMUL: '1' });

  /** Five Adam steps on fixed parameters and gradients; returns every parameter and moment after them. */
  function train(native: boolean, weightDecay: number, gradScale: number): Map<string, Float32Array> {
    useNativeMatmul(tf, native);
    try {
      expect(Boolean(nativeAdamStep(tf))).toBe(native);
      const shapes: Record<string, number[]> = { a: [37, 29], b: [5], c: [3, 4, 7], d: [1] };
      const params = new Map<string, TF.Variable>(Object.entries(shapes).map(([k, s], i) => [k, tf.variable(tf.randomNormal(s, 0, 1, 'float32', 11 + i))]));
      const adam = new Adam(tf, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay });
      for (let step = 0; step < 5; step++) {
        const grads = new Map<string, TF.Tensor>(Object.entries(shapes).map(([k, s], i) => [k, tf.randomNormal(s, 0, step === 2 ? 1e-6 : 1, 'float32', 1000 + 100 * step + i)]));
        adam.apply(params, grads, 1e-3 * (step + 1), gradScale);
        tf.dispose([...grads.values()]);
      }
      const out = new Map<string, Float32Array>();
      for (const [k, p] of params) out.set(`p/${k}`, p.dataSync() as Float32Array);
      for (const [k, t] of adam.state()) out.set(k, t.dataSync() as Float32Array);
      tf.dispose([...params.values()]);
      adam.dispose();
      return out;
    } finally {
      useNativeMatmul(tf, on.path === 'openblas');
    }
  }

  for (const [wd, scale] of [[0, 1], [0.1, 0.37]] as const) {
    it(`gives the tfjs ops' bits exactly (weight decay ${wd}, gradient scale ${scale})`, () => {
      expect(on.path).toBe('openblas');
      const fused = train(true, wd, scale);
      const ops = train(false, wd, scale);
      expect([...fused.keys()].sort()).toEqual([...ops.keys()].sort());
      for (const [k, v] of ops) expect([...fused.get(k)!], k).toEqual([...v]);
      // It moved the parameters (a no-op kernel would fail the comparison above only by chance).
      expect(fused.get('m/a')!.some((x) => x !== 0)).toBe(true);
    });
  }

  it('the addon checks offsets, extents and overlaps before touching memory', () => {
    const addon = activeMatmulAddon(tf)!;
    const heap = new ArrayBuffer(4 * 100);
    const hyper = new Float32Array(9);
    const ok = Float64Array.from([0, 40, 80, 120, 160, 200, 240]);
    expect(() => addon.adam!(heap, 10, ok, hyper)).not.toThrow();
    expect(() => addon.adam!(heap, 10, Float64Array.from([0, 40, 80, 120, 160, 200, 364]), hyper)).toThrow(/tensor 6 extends past the end of the heap/);
    expect(() => addon.adam!(heap, 10, Float64Array.from([0, 40, 80, 120, 160, 200, 2]), hyper)).toThrow(/4-byte-aligned/);
    expect(() => addon.adam!(heap, 10, Float64Array.from([0, 40, 80, 120, 160, 200, 20]), hyper)).toThrow(/output 6 overlaps tensor 0/);
    expect(() => addon.adam!(heap, 10, Float64Array.from([0, 40]), hyper)).toThrow(/7 byte offsets/);
  });
});
