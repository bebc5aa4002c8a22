import { grpoAdvantages } from '../../trainers/math/grpoAdvantages.js';
import { reinforcePPAdvantages } from '../../trainers/math/reinforcePPAdvantages.js';
import { returnsToGo } from '../../trainers/math/returnsToGo.js';
import { rlooAdvantages } from '../../trainers/math/rlooAdvantages.js';
import { tokenRewards } from '../../trainers/math/tokenRewards.js';
import type { AdvantageEstimator } from './advantageEstimator.js';

/** One action of a step's training batch (what the trainer receives as an Experience). */
export interface AdvantageRow {
  readonly agentId: string;
  readonly groupId: string;
  readonly reward: number;
  /** Number of action tokens. */
  readonly length: number;
  /** In the batch but masked out (a truncated action under `maskTruncated`): shapes group baselines, never trains. */
  readonly masked: boolean;
}

/**
 * Per-token advantages of one step's batch, as the policy-gradient trainers compute them (plugins/trainers/runtime/
 * PolicyGradientTrainer), from rewards only: the KL penalty needs the reference model's log-probs, so β = 0 here.
 * Group shaping runs per agent over every row (masked ones too), whitening over the trained rows of each agent, or of
 * all agents with `normalization: global`. Masked rows get zeros.
 */
export function computeAdvantages(rows: readonly AdvantageRow[], estimator: AdvantageEstimator): number[][] {
  const out = rows.map((r) => new Array<number>(r.length).fill(0));
  const byAgent = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const list = byAgent.get(r.agentId);
    if (list) list.push(i);
    else byAgent.set(r.agentId, [i]);
  });
  const shaped = rows.map((r) => r.reward);
  for (const idx of byAgent.values()) {
    const rewards = idx.map((i) => rows[i]!.reward);
    const groups = idx.map((i) => rows[i]!.groupId);
    let s: number[] = rewards;
    if (estimator.kind === 'reinforce++-baseline') s = grpoAdvantages(rewards, groups, { scaleByStd: false });
    else if (estimator.kind === 'grpo') {
      s = estimator.estimator === 'rloo' ? rlooAdvantages(rewards, groups) : grpoAdvantages(rewards, groups, { eps: estimator.eps, scaleByStd: estimator.scaleByStd });
    }
    idx.forEach((i, j) => (shaped[i] = s[j]!));
  }
  const trained = (i: number) => !rows[i]!.masked && rows[i]!.length > 0;
  const ones = (i: number) => new Array<number>(rows[i]!.length).fill(1);
  if (estimator.kind === 'grpo') {
    for (const idx of byAgent.values()) {
      const use = idx.filter(trained);
      if (use.length === 0) continue;
      const mask = use.map(ones);
      const rewards = tokenRewards({ reward: use.map((i) => shaped[i]!), kl: mask.map((m) => m.map(() => 0)), mask, klCoef: 0, rewardClip: estimator.rewardClip });
      const adv = returnsToGo(rewards, mask, 1);
      use.forEach((i, j) => (out[i] = adv[j]!));
    }
    return out;
  }
  const scopes = estimator.normalization === 'global' ? [[...byAgent.values()].flat()] : [...byAgent.values()];
  for (const scope of scopes) {
    const use = scope.filter(trained);
    if (use.length === 0) continue;
    const mask = use.map(ones);
    const zeros = mask.map((m) => m.map(() => 0));
    const adv = reinforcePPAdvantages({
      logp: zeros,
      refLogp: zeros,
      mask,
      reward: use.map((i) => shaped[i]!),
      klCoef: 0,
      gamma: estimator.kind === 'reinforce++' ? estimator.gamma : 1,
      rewardClip: estimator.rewardClip,
    });
    use.forEach((i, j) => (out[i] = adv[j]!));
  }
  return out;
}
