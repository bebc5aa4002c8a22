/**
 * The arms of issue 7's three experiments, as `--set` overrides of `examples/mathchat/pipeline.yaml`.
 *
 * Every arm differs from the default pipeline in one place only, so arms of one seed share the cached warm start and
 * start RL from the same weights. An arm used by several experiments (the default `rule` arm is the process-reward arm
 * of experiment 1 and the full-context arm of experiment 3) is run once per seed.
 */

export interface ArmSpec {
  readonly id: string;
  readonly label: string;
  /** `path=value` overrides on top of the pipeline file (the runner adds the seed, run dir and cache dir). */
  readonly overrides: readonly string[];
}

export const ARMS = {
  rule: { id: 'rule', label: 'process rewards (mathchat-rule, REINFORCE++ per-agent)', overrides: [] },
  outcome: { id: 'outcome', label: 'outcome-only rewards (outcome coach)', overrides: ['coach={use: outcome}'] },
  'rpp-global': {
    id: 'rpp-global',
    label: 'REINFORCE++, global normalization',
    overrides: ['trainer.normalization=global'],
  },
  // The same lr and micro-batch as REINFORCE++; everything else is GRPO's documented default (k3 KL in the loss,
  // β 0.01, group-normalized rewards, no whitening). Groups are (task sample group, agent, turn index).
  grpo: { id: 'grpo', label: 'GRPO', overrides: ['trainer={use: grpo, lr: 0.0005, microBatchSize: 16}'] },
  // GRPO's advantages with REINFORCE++'s KL (k1, in the reward): separates the advantage estimator from the KL placement.
  'grpo-k1': {
    id: 'grpo-k1',
    label: 'GRPO advantages, k1 KL in the reward',
    overrides: ['trainer={use: grpo, lr: 0.0005, microBatchSize: 16, klPlacement: reward, klEstimator: k1}'],
  },
  'no-tool': {
    id: 'no-tool',
    label: 'rule coach without tool output',
    overrides: ['coach.useToolOutput=false'],
  },
} as const satisfies Record<string, ArmSpec>;

export type ArmId = keyof typeof ARMS;

export const EXPERIMENTS = {
  'process-vs-outcome': { title: 'Process rewards vs outcome-only rewards', arms: ['rule', 'outcome'] },
  'rpp-vs-grpo': { title: 'REINFORCE++ (global normalization) vs GRPO under state divergence', arms: ['rpp-global', 'grpo', 'grpo-k1'] },
  'coach-context': { title: 'Coach context ablation: the rule coach without tool output', arms: ['rule', 'no-tool'] },
} as const satisfies Record<string, { title: string; arms: readonly ArmId[] }>;

export type ExperimentId = keyof typeof EXPERIMENTS;

export const isArmId = (s: string): s is ArmId => Object.hasOwn(ARMS, s);
export const isExperimentId = (s: string): s is ExperimentId => Object.hasOwn(EXPERIMENTS, s);

/** `<runsDir>/<arm>/seed-<n>`: one directory per arm and seed, shared by the experiments that use the arm. */
export const runDirName = (arm: ArmId, seed: number): string => `${arm}/seed-${seed}`;
