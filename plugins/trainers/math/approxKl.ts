import { assertSameShape } from './assertSameShape.js';
import type { KlEstimator, TokenMatrix } from './types.js';

export interface ApproxKlOptions {
  /** Clamp every estimate to [−clamp, clamp]. OpenRLHF: 10; `Infinity` gives verl/TRL's unclamped values. */
  readonly clamp?: number;
}

/**
 * Per-token KL estimate between the policy and the reference, as OpenRLHF's `compute_approx_kl`.
 * With d = logp − refLogp (log ratio, policy over reference):
 *
 *   k1 = d                    (unbiased, can be negative per token)
 *   k2 = d² / 2
 *   k3 = exp(−d) − 1 + d      (non-negative, low variance; verl's `low_var_kl`, TRL's GRPO term)
 *
 * each clamped to [−10, 10] and multiplied by the mask, so padding gives 0.
 */
export function approxKl(
  logp: TokenMatrix,
  refLogp: TokenMatrix,
  mask: TokenMatrix,
  estimator: KlEstimator = 'k1',
  options: ApproxKlOptions = {},
): number[][] {
  assertSameShape(logp, refLogp, 'approxKl(logp, refLogp)');
  assertSameShape(logp, mask, 'approxKl(logp, mask)');
  const c = options.clamp ?? 10;
  return logp.map((row, i) =>
    row.map((lp, t) => {
      const m = mask[i]![t]!;
      if (m === 0) return 0;
      const d = lp - refLogp[i]![t]!;
      const k = estimator === 'k1' ? d : estimator === 'k2' ? (d * d) / 2 : Math.exp(-d) - 1 + d;
      return Math.min(c, Math.max(-c, k)) * m;
    }),
  );
}
