import type { Artifact } from './Artifact.js';
import type { CoachEvaluation } from './CoachEvaluation.js';
import type { ToolCall } from './ToolCall.js';

export type FinishReason = 'stop' | 'length' | 'error';

/**
 * One generation by one agent, plus what its tools returned. This is the unit the coach scores and
 * the unit that becomes a training sample for the agent's policy.
 */
export interface ActionRecord {
  /** Index of this action within the episode (0-based, across agents). */
  readonly index: number;
  readonly agentId: string;
  readonly role: string;
  /** Index of this action within the agent's turn (0 = first action of the agent). */
  readonly turnIndex: number;
  /** The rendered text the agent saw: its prompt plus, for later actions, its previous actions and tool responses. */
  readonly inputText: string;
  /** Exact token ids of the context the policy conditioned on (empty for policies that do not expose tokens). */
  readonly contextIds: readonly number[];
  readonly text: string;
  /** Exact generated token ids (empty for policies that do not expose tokens). */
  readonly actionIds: readonly number[];
  /** Per-token log-probs under the rollout policy, aligned with `actionIds` (may be empty when unavailable). */
  readonly logprobs: readonly number[];
  readonly finishReason: FinishReason;
  readonly policyId: string;
  readonly policyVersion: number;
  readonly toolCalls: readonly ToolCall[];
  /** The formatted tool response appended to the agent's next context (empty if no tool ran). */
  readonly toolOutput: string;
  /** Chat role under which `toolOutput` was appended to the agent's next context (`user` for the built-in environments). */
  readonly toolOutputRole?: 'user' | 'tool';
  /** Files this action created or changed. */
  readonly filesWritten: readonly Artifact[];
  /** Environment facts the coach may use (e.g. metrics computed from a submission). */
  readonly extras: Readonly<Record<string, unknown>>;
  coach?: CoachEvaluation;
  readonly timings: { readonly generateMs: number; readonly toolMs: number; coachMs?: number };
}
