import { aggregationWeights } from './aggregationWeights.js';
import { assertSameShape } from './assertSameShape.js';
import type { LossAggregation, TokenMatrix } from './types.js';

export interface PpoClipLossInput {
  /** Log-probs under the policy being trained. */
  readonly logp: TokenMatrix;
  /** Log-probs under the policy that produced the data (constants). */
  readonly oldLogp: TokenMatrix;
  readonly advantages: TokenMatrix;
  readonly mask: TokenMatrix;
  /** ε (default 0.2): the ratio is clipped to [1 − ε, 1 + ε_high]. */
  readonly clipEps?: number;
  /** ε_high (default ε; DAPO's clip-higher uses 0.28). */
  readonly clipEpsHigh?: number;
  /** Dual-clip constant c > 1 (default off): for A < 0 the loss is capped at −c·A. */
  readonly dualClip?: number;
  readonly aggregation?: LossAggregation;
  /** S for `seq-mean-token-sum-norm`. */
  readonly lossScaleFactor?: number;
}

export interface PpoClipLossResult {
  /** The aggregated loss. */
  readonly loss: number;
  /** Per-token loss L_{i,t} (0 at masked positions). */
  readonly tokenLoss: number[][];
  /** Share of action tokens where the clipped term was the smaller one (OpenRLHF's `clip_ratio`). */
  readonly clipFrac: number;
  /** Mean of old − logp over action tokens (OpenRLHF's `ppo_kl`). */
  readonly ppoKl: number;
}

/**
 * PPO clipped surrogate, as OpenRLHF's `PolicyLoss`:
 *
 *   ρ   = exp(clamp(logp − oldLogp, −20, 20))
 *   s1  = ρ·A,   s2 = clamp(ρ, 1 − ε, 1 + ε_high)·A
 *   L   = −min(s1, s2)
 *   L   = −max(min(s1, s2), c·A)   where A < 0, with dual clip c
 *   loss = Σ w·L with w from `aggregationWeights` (token-mean by default)
 */
export function ppoClipLoss(input: PpoClipLossInput): PpoClipLossResult {
  const { logp, oldLogp, advantages, mask, clipEps = 0.2, dualClip, aggregation = 'token-mean' } = input;
  const clipEpsHigh = input.clipEpsHigh ?? clipEps;
  assertSameShape(logp, oldLogp, 'ppoClipLoss(logp, oldLogp)');
  assertSameShape(logp, advantages, 'ppoClipLoss(logp, advantages)');
  assertSameShape(logp, mask, 'ppoClipLoss(logp, mask)');
  if (dualClip !== undefined && !(dualClip > 1)) throw new RangeError(`ppoClipLoss: dualClip must be > 1 (got ${dualClip})`);
  const w = aggregationWeights(mask, aggregation, input.lossScaleFactor !== undefined ? { lossScaleFactor: input.lossScaleFactor } : {});
  let loss = 0;
  let clipped = 0;
  let kl = 0;
  let n = 0;
  const tokenLoss = logp.map((row, i) =>
    row.map((lp, t) => {
      const m = mask[i]![t]!;
      if (m === 0) return 0;
      const a = advantages[i]![t]!;
      const ratio = Math.exp(Math.min(20, Math.max(-20, lp - oldLogp[i]![t]!)));
      const s1 = ratio * a;
      const s2 = Math.min(1 + clipEpsHigh, Math.max(1 - clipEps, ratio)) * a;
      let surrogate = Math.min(s1, s2);
      if (dualClip !== undefined && a < 0) surrogate = Math.max(surrogate, dualClip * a);
      const l = -surrogate * m;
      loss += w[i]![t]! * l;
      clipped += s2 < s1 ? m : 0;
      kl += (oldLogp[i]![t]! - lp) * m;
      n += m;
      return l;
    }),
  );
  return { loss, tokenLoss, clipFrac: n > 0 ? clipped / n : 0, ppoKl: n > 0 ? kl / n : 0 };
}
