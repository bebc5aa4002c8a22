import { groupIndices } from './groupIndices.js';

export interface GrpoAdvantagesOptions {
  /** Added to the group std (default 1e-6, verl's value; OpenRLHF 1e-9, TRL 1e-4). */
  readonly eps?: number;
  /** Divide by the group std (default true). false = Dr. GRPO / REINFORCE++-baseline: r − mean. */
  readonly scaleByStd?: boolean;
}

/**
 * GRPO outcome advantages, one per sequence, normalized within each group (samples of the same task):
 *
 *   A_i = (r_i − μ_g) / (σ_g + ε)    σ_g = unbiased std of the group's rewards
 *   A_i = r_i − μ_g                  with scaleByStd = false (Dr. GRPO)
 *
 * A group whose rewards are all equal gets 0. A single-member group gets 0 (it has no baseline; OpenRLHF gives NaN
 * there and verl gives r_i, see docs/trainers.md).
 */
export function grpoAdvantages(rewards: readonly number[], groupIds: readonly (string | number)[], options: GrpoAdvantagesOptions = {}): number[] {
  if (rewards.length !== groupIds.length) throw new RangeError(`grpoAdvantages: ${rewards.length} rewards for ${groupIds.length} group ids`);
  const { eps = 1e-6, scaleByStd = true } = options;
  const out = new Array<number>(rewards.length).fill(0);
  for (const idx of groupIndices(groupIds)) {
    const n = idx.length;
    if (n < 2) continue;
    const mean = idx.reduce((s, i) => s + rewards[i]!, 0) / n;
    const std = Math.sqrt(idx.reduce((s, i) => s + (rewards[i]! - mean) ** 2, 0) / (n - 1));
    for (const i of idx) out[i] = scaleByStd ? (rewards[i]! - mean) / (std + eps) : rewards[i]! - mean;
  }
  return out;
}
