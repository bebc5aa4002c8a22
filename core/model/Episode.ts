import type { ActionRecord } from './Action.js';
import type { Artifact } from './Artifact.js';

/** How an episode ended, from the environment's own check (never from the coach). */
export interface Outcome {
  /** The system produced a valid final result (e.g. a parsable answer or a valid submission). */
  readonly success: boolean;
  /** The final result is correct, for tasks with a right answer. */
  readonly correct?: boolean;
  /** Task-specific metrics (accuracy, rmse, …). */
  readonly metrics: Readonly<Record<string, number>>;
  /** The extracted final answer or a short description of the result. */
  readonly answer?: string;
}

/** One agent's part of an episode: its actions in order and its final output. */
export interface AgentTurn {
  readonly agentId: string;
  readonly role: string;
  /** The rendered prompt template, the first (user) message the agent saw; absent in runs recorded before it was kept. */
  readonly prompt?: string;
  readonly actions: readonly ActionRecord[];
  /** The text downstream agents read (usually the last action's text). */
  readonly output: string;
}

export interface EpisodeError {
  readonly kind: 'policy' | 'environment' | 'tool' | 'coach' | 'template' | 'aborted' | 'unknown';
  readonly message: string;
  readonly agentId?: string;
}

/** A full run of the agent system on one task. */
export interface EpisodeRecord {
  readonly id: string;
  readonly step: number;
  readonly phase: 'train' | 'eval';
  readonly taskId: string;
  readonly taskMetadata: Readonly<Record<string, unknown>>;
  /** Samples of the same task in the same step share a group id (used by GRPO-style trainers). */
  readonly groupId: string;
  readonly sampleIndex: number;
  readonly seed: number;
  readonly turns: AgentTurn[];
  /** All actions in execution order (same objects as in `turns`). */
  readonly actions: ActionRecord[];
  outcome?: Outcome;
  readonly artifacts: Artifact[];
  error?: EpisodeError;
  readonly startedAt: string;
  durationMs: number;
}
