import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/util/Rng.js';
import { aggregationWeights, approxKl, ppoClipLoss, type LossAggregation } from '../../plugins/trainers/math/index.js';
import { policyLossTf } from '../../plugins/trainers/runtime/policyLossTf.js';
import { loadTf } from '../../plugins/tfjs/loadTf.js';

/** Ragged rows padded into [B, W] float arrays (padding 0, mask 0). */
const pad = (rows: number[][], width: number) => rows.flatMap((r) => [...r, ...new Array(width - r.length).fill(0)]);

function randomCase(seed: number) {
  const rng = Rng.fromSeed(seed);
  const lens = [5, 3, 1, 4];
  const mk = (f: () => number) => lens.map((l) => Array.from({ length: l }, f));
  const old = mk(() => -3 * rng.next());
  // Ratios from about 0.4 to 2.5 so every clip branch is hit.
  const logp = old.map((row) => row.map((v) => v + (rng.next() - 0.5) * 1.8));
  const adv = mk(() => (rng.next() - 0.5) * 4);
  const ref = old.map((row) => row.map((v) => v + (rng.next() - 0.5)));
  const mask = lens.map((l, i) => Array.from({ length: l }, (_, t) => (i === 3 && t === 0 ? 0 : 1)));
  return { logp, old, adv, ref, mask, width: Math.max(...lens) };
}

describe('policyLossTf equals the plain-array ppoClipLoss', async () => {
  const { tf } = await loadTf();
  const configs: Array<{ aggregation: LossAggregation; clipEpsHigh?: number; dualClip?: number; klCoef?: number; lossScaleFactor?: number }> = [
    { aggregation: 'token-mean' },
    { aggregation: 'seq-mean-token-mean', clipEpsHigh: 0.28 },
    { aggregation: 'seq-mean-token-sum-norm', dualClip: 3 },
    { aggregation: 'seq-mean-token-sum-norm', lossScaleFactor: 7, dualClip: 2 },
    { aggregation: 'token-mean', klCoef: 0.3 },
  ];
  for (const [i, cfg] of configs.entries()) {
    it(`${JSON.stringify(cfg)}`, () => {
      const c = randomCase(100 + i);
      const scale = cfg.lossScaleFactor !== undefined ? { lossScaleFactor: cfg.lossScaleFactor } : {};
      const plain = ppoClipLoss({
        logp: c.logp,
        oldLogp: c.old,
        advantages: c.adv,
        mask: c.mask,
        clipEps: 0.2,
        aggregation: cfg.aggregation,
        ...(cfg.clipEpsHigh !== undefined ? { clipEpsHigh: cfg.clipEpsHigh } : {}),
        ...(cfg.dualClip !== undefined ? { dualClip: cfg.dualClip } : {}),
        ...scale,
      });
      const w = aggregationWeights(c.mask, cfg.aggregation, scale);
      const klTerm = cfg.klCoef ? cfg.klCoef * approxKl(c.logp, c.ref, c.mask, 'k3').reduce((s, row, r) => s + row.reduce((a, v, t) => a + v * w[r]![t]!, 0), 0) : 0;
      expect(plain.clipFrac).toBeGreaterThan(0);
      const shape: [number, number] = [c.logp.length, c.width];
      const value = tf.tidy(() =>
        policyLossTf(
          tf,
          tf.tensor2d(pad(c.logp, c.width), shape),
          {
            oldLogp: tf.tensor2d(pad(c.old, c.width), shape),
            advantages: tf.tensor2d(pad(c.adv, c.width), shape),
            weights: tf.tensor2d(pad(w, c.width), shape),
            refLogp: tf.tensor2d(pad(c.ref, c.width), shape),
          },
          { clipEps: 0.2, clipEpsHigh: cfg.clipEpsHigh ?? 0.2, dualClip: cfg.dualClip, klCoef: cfg.klCoef ?? 0, klEstimator: 'k3' },
        ).dataSync()[0]!,
      );
      expect(value).toBeCloseTo(plain.loss + klTerm, 5);
    });
  }

  it('has the gradient of ppoClipLoss (central differences away from the clip edges)', () => {
    const c = randomCase(7);
    const cfg = { clipEps: 0.2, clipEpsHigh: 0.28, dualClip: 3 };
    const w = aggregationWeights(c.mask, 'token-mean');
    const shape: [number, number] = [c.logp.length, c.width];
    const grad = tf.tidy(() => {
      const g = tf.grad((lp: import('@tensorflow/tfjs-core').Tensor) =>
        policyLossTf(
          tf,
          lp as import('@tensorflow/tfjs-core').Tensor2D,
          { oldLogp: tf.tensor2d(pad(c.old, c.width), shape), advantages: tf.tensor2d(pad(c.adv, c.width), shape), weights: tf.tensor2d(pad(w, c.width), shape) },
          cfg,
        ),
      );
      return Array.from(g(tf.tensor2d(pad(c.logp, c.width), shape)).dataSync());
    });
    const h = 1e-6;
    let checked = 0;
    c.logp.forEach((row, i) =>
      row.forEach((_, t) => {
        const f = (delta: number) => {
          const lp = c.logp.map((r, ri) => r.map((v, ti) => (ri === i && ti === t ? v + delta : v)));
          return ppoClipLoss({ logp: lp, oldLogp: c.old, advantages: c.adv, mask: c.mask, ...cfg }).loss;
        };
        const ratio = Math.exp(c.logp[i]![t]! - c.old[i]![t]!);
        if (Math.abs(ratio - 0.8) < 1e-3 || Math.abs(ratio - 1.28) < 1e-3) return;
        expect(grad[i * c.width + t]!, `[${i}][${t}]`).toBeCloseTo((f(h) - f(-h)) / (2 * h), 4);
        checked++;
      }),
    );
    expect(checked).toBeGreaterThan(8);
  });
});
