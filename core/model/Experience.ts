/**
 * One training sample for one agent, built from an ActionRecord without re-tokenizing any text:
 * the model is trained to produce `actionIds` after `contextIds`.
 */
export interface Experience {
  readonly agentId: string;
  readonly policyId: string;
  readonly episodeId: string;
  readonly taskId: string;
  /** Samples of the same task in the same step share it (GRPO / RLOO grouping). */
  readonly groupId: string;
  /** Position of the action within the agent's turn. */
  readonly turnIndex: number;
  readonly contextIds: readonly number[];
  readonly actionIds: readonly number[];
  /**
   * Per-token weights for supervised training, aligned with `actionIds`: 0 marks tokens the policy did not produce
   * (the tool responses between the turns of a packed multi-turn demonstration). Absent means every token is trained.
   * Policy-gradient trainers refuse packed experiences: each RL sample is one action.
   */
  readonly lossMask?: readonly number[];
  /** Rollout log-probs of `actionIds` (may be empty; trainers then recompute them). */
  readonly rolloutLogprobs: readonly number[];
  /** Scalar reward for the action (coach score times the pipeline's reward scale). */
  readonly reward: number;
  /** The coach's raw 0–10 score. */
  readonly score: number;
  /** The action hit the length limit; trainers mask it out by default. */
  readonly truncated: boolean;
  readonly policyVersion: number;
  readonly taskMetadata: Readonly<Record<string, unknown>>;
}
