import { approxKl } from './approxKl.js';
import { returnsToGo } from './returnsToGo.js';
import { tokenRewards } from './tokenRewards.js';
import type { KlEstimator, TokenMatrix } from './types.js';
import { whiten } from './whiten.js';

export interface ReinforcePPAdvantagesInput {
  /** Log-probs of the action tokens under the rollout ("old") policy. */
  readonly logp: TokenMatrix;
  /** Log-probs under the frozen reference model. */
  readonly refLogp: TokenMatrix;
  readonly mask: TokenMatrix;
  /** One scalar reward per sequence (for the baseline variant: already centred per group). */
  readonly reward: readonly number[];
  /** β of the k1 KL penalty in the reward (OpenRLHF `--algo.kl.init_coef`, default 0.01). */
  readonly klCoef: number;
  /** Discount of the return-to-go (default 1). */
  readonly gamma?: number;
  readonly rewardClip?: number;
  /** KL estimator of the in-reward penalty (default k1, as OpenRLHF's default and the reference code). */
  readonly klEstimator?: KlEstimator;
  /** Whiten the returns (default true); false returns the raw returns-to-go. */
  readonly whiten?: boolean;
}

/**
 * REINFORCE++ advantages (OpenRLHF `advantage_estimator=reinforce`, the MAPPA reference code):
 *
 *   kl_t = clamp(logp_t − refLogp_t, −10, 10)·m_t                        (k1)
 *   R_t  = −β·kl_t + 1[t = last action token]·clamp(r, −10, 10)
 *   G_t  = R_t·m_t + γ·G_{t+1}
 *   A    = whiten(G, m) with the biased variance floored at 1e-8
 *
 * The whitening spans every row passed in: call it on one agent's rows for per-agent normalization (the reference
 * code) or on all agents' rows together for global normalization (the paper's wording).
 */
export function reinforcePPAdvantages(input: ReinforcePPAdvantagesInput): number[][] {
  const kl = approxKl(input.logp, input.refLogp, input.mask, input.klEstimator ?? 'k1');
  const rewards = tokenRewards({
    reward: input.reward,
    kl,
    mask: input.mask,
    klCoef: input.klCoef,
    ...(input.rewardClip !== undefined ? { rewardClip: input.rewardClip } : {}),
  });
  const returns = returnsToGo(rewards, input.mask, input.gamma ?? 1);
  return input.whiten === false ? returns : whiten(returns, input.mask, { biased: true, eps: 1e-8 });
}
