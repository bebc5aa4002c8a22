import { groupIndices } from './groupIndices.js';

/**
 * RLOO (leave-one-out) advantages, one per sequence:
 *
 *   A_i = r_i − (Σ_{j∈g} r_j − r_i)/(n − 1)  =  n/(n−1)·(r_i − μ_g)
 *
 * A single-member group has no other sample to compare with and gets 0.
 */
export function rlooAdvantages(rewards: readonly number[], groupIds: readonly (string | number)[]): number[] {
  if (rewards.length !== groupIds.length) throw new RangeError(`rlooAdvantages: ${rewards.length} rewards for ${groupIds.length} group ids`);
  const out = new Array<number>(rewards.length).fill(0);
  for (const idx of groupIndices(groupIds)) {
    const n = idx.length;
    if (n < 2) continue;
    const sum = idx.reduce((s, i) => s + rewards[i]!, 0);
    for (const i of idx) out[i] = rewards[i]! - (sum - rewards[i]!) / (n - 1);
  }
  return out;
}
