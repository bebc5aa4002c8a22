import type { ActionRecord } from '../model/Action.js';
import type { CoachEvaluation } from '../model/CoachEvaluation.js';
import type { EpisodeRecord } from '../model/Episode.js';

/** Everything a coach may look at when scoring one action. */
export interface CoachInput {
  readonly task: { readonly id: string; readonly prompt: string; readonly metadata: Readonly<Record<string, unknown>> };
  readonly agent: { readonly id: string; readonly role: string; readonly position: number; readonly count: number };
  /** The exact text the agent saw. */
  readonly agentInput: string;
  /** The action text. */
  readonly action: string;
  readonly actionRecord: ActionRecord;
  /** The latest tool output for this action (already truncated by the runtime's limit), or `undefined`. */
  readonly toolOutput?: string;
  /** Earlier actions of the episode (all agents), oldest first. */
  readonly previousActions: readonly ActionRecord[];
  /** Ground truth, only when the pipeline lets the coach see it for this agent. */
  readonly groundTruth?: unknown;
  /** Environment facts: file lists, files saved by earlier agents, metrics, warnings. */
  readonly extras: Readonly<Record<string, unknown>>;
  /** The episode the action belongs to (its seed keys per-episode randomness, e.g. the `noisy` coach's). */
  readonly episode?: { readonly id: string; readonly seed: number };
}

export interface CoachCallOptions {
  readonly signal?: AbortSignal;
  /** For coaches with a response cache: `bypass` skips the lookup (calibration re-scoring); results are still stored. */
  readonly cache?: 'use' | 'bypass';
}

/**
 * A coach scores actions 0–10. `scope: 'action'` coaches score each action as soon as it exists;
 * `scope: 'episode'` coaches (e.g. the outcome-only baseline) score all actions once the episode is graded.
 */
export interface Coach {
  readonly name: string;
  readonly scope: 'action' | 'episode';
  evaluate(input: CoachInput, options?: CoachCallOptions): Promise<CoachEvaluation>;
  /** Required when `scope` is `episode`: one evaluation per action, in order. */
  evaluateEpisode?(episode: EpisodeRecord, options?: CoachCallOptions): Promise<CoachEvaluation[]>;
  /**
   * Called by the runner after each training step (e.g. to re-score a calibration set and report drift).
   * Returned figures go into that step's metrics under `coach/`.
   */
  onStepEnd?(step: number): Promise<Readonly<Record<string, number>>>;
  /** The prompt the coach would send for this input (LLM coaches and wrappers around them; `coach eval --show-prompt`). */
  renderPrompt?(input: CoachInput): Promise<string>;
  /** Run-level counters (calls, fallbacks, repairs, cache hits, tokens, cost). */
  stats?(): Readonly<Record<string, number>>;
  /**
   * On resume: the `stats()` values recorded at the checkpoint's step, so cumulative counters continue instead of
   * restarting at 0. Coaches restore the counters they own and ignore the rest.
   */
  restoreStats?(saved: Readonly<Record<string, number>>): void;
  dispose?(): Promise<void> | void;
}
