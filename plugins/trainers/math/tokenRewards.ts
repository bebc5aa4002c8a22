import { assertSameShape } from './assertSameShape.js';
import type { TokenMatrix } from './types.js';

export interface TokenRewardsInput {
  /** One scalar reward per sequence. */
  readonly reward: readonly number[];
  /** Per-token KL estimate (already masked), e.g. `approxKl(old, ref, mask, 'k1')`. */
  readonly kl: TokenMatrix;
  readonly mask: TokenMatrix;
  /** β; values ≤ 0 switch the KL term off (as OpenRLHF). */
  readonly klCoef: number;
  /** Rewards are clamped to [−rewardClip, rewardClip] (OpenRLHF `--reward.clip_range`, default 10). */
  readonly rewardClip?: number;
}

/**
 * Shaped per-token rewards, as OpenRLHF's `compute_reward`:
 *
 *   R_t = −β·kl_t + 1[t = last action token]·clamp(r, −10, 10)
 *
 * The last action token is the last position whose mask is 1; a row without any gets no reward.
 */
export function tokenRewards(input: TokenRewardsInput): number[][] {
  const { reward, kl, mask, rewardClip = 10 } = input;
  assertSameShape(kl, mask, 'tokenRewards(kl, mask)');
  if (reward.length !== mask.length) throw new RangeError(`tokenRewards: ${reward.length} rewards for ${mask.length} rows`);
  const beta = input.klCoef > 0 ? input.klCoef : 0;
  return mask.map((m, i) => {
    const row = m.map((mt, t) => (beta === 0 ? 0 : -beta * kl[i]![t]! * mt));
    const last = m.lastIndexOf(1);
    if (last >= 0) row[last] = row[last]! + Math.min(rewardClip, Math.max(-rewardClip, reward[i]!));
    return row;
  });
}
