import { assertSameShape } from './assertSameShape.js';
import type { TokenMatrix } from './types.js';

export interface WhitenOptions {
  /** Biased variance Σ(v−μ)²m/N (OpenRLHF), or unbiased ×N/(N−1) (verl's `masked_whiten`). Default true. */
  readonly biased?: boolean;
  /** Variance floor (OpenRLHF 1e-8). */
  readonly eps?: number;
  /** `max`: rsqrt(max(var, eps)) as OpenRLHF; `add`: rsqrt(var + eps) as verl. Default `max`. */
  readonly epsMode?: 'max' | 'add';
  /** false: only subtract the mean (OpenRLHF `--algo.advantage.no_std_norm`). Default true. */
  readonly stdNorm?: boolean;
}

/**
 * Masked whitening over every token of every row (OpenRLHF's global advantage normalization):
 *
 *   N = Σm,  μ = Σ v·m / N,  var = Σ (v−μ)²·m / N   (×N/(N−1) when unbiased)
 *   out = (v − μ) · rsqrt(max(var, eps))
 *
 * Masked positions get the same affine map (so padding ends up at −μ·rstd, as in OpenRLHF; verl zeroes it).
 * They never reach a loss because every loss is masked. With N = 0 the result is all zeros; with the unbiased
 * variance and N = 1 the variance is taken as 0.
 */
export function whiten(values: TokenMatrix, mask: TokenMatrix, options: WhitenOptions = {}): number[][] {
  assertSameShape(values, mask, 'whiten(values, mask)');
  const { biased = true, eps = 1e-8, epsMode = 'max', stdNorm = true } = options;
  let n = 0;
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    for (let t = 0; t < values[i]!.length; t++) {
      n += mask[i]![t]!;
      s += values[i]![t]! * mask[i]![t]!;
    }
  }
  if (n === 0) return values.map((row) => row.map(() => 0));
  const mu = s / n;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    for (let t = 0; t < values[i]!.length; t++) {
      const d = values[i]![t]! - mu;
      ss += d * d * mask[i]![t]!;
    }
  }
  const variance = biased ? ss / n : n > 1 ? ss / (n - 1) : 0;
  const rstd = stdNorm ? 1 / Math.sqrt(epsMode === 'max' ? Math.max(variance, eps) : variance + eps) : 1;
  return values.map((row) => row.map((v) => (v - mu) * rstd));
}
