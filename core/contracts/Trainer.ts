import type { Experience } from '../model/Experience.js';
import type { Policy } from './Policy.js';

export interface AgentBatch {
  readonly agentId: string;
  readonly policy: Policy;
  readonly experiences: readonly Experience[];
}

export interface TrainStepContext {
  readonly step: number;
  readonly totalSteps: number;
  readonly signal?: AbortSignal;
  /**
   * The experiences may come from an older policy version than the one being updated (`run.overlap: one-step`):
   * policy-gradient trainers then take the log-probs recorded at generation (the behaviour policy's) as the old
   * log-probs of the PPO ratio and the KL, instead of recomputing them under the current policy.
   */
  readonly offPolicy?: boolean;
  /** Optional progress callback for long updates (e.g. a warm start over thousands of demonstrations). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Metrics of one update, per agent (loss, kl, clip_frac, entropy, grad_norm, adv_mean, adv_std, lr, …). */
export type TrainMetrics = Readonly<Record<string, number>>;

/**
 * A trainer updates policies from their agents' experiences. One trainer instance serves every agent of a
 * pipeline so that batch-level statistics (e.g. global advantage normalization) can span agents when asked.
 */
export interface Trainer {
  readonly name: string;
  /**
   * A failed `step` leaves the policies and the trainer state as they were before it (true for the `external`
   * trainer, whose weights only change once a step succeeds); the runner then checkpoints the last good step so
   * `mappa train --resume` can continue after the cause is fixed.
   */
  readonly keepsStateOnFailure?: boolean;
  /** Checks that the trainer can update these policies (called before any rollout). */
  validate?(policies: ReadonlyMap<string, Policy>): string[];
  step(batches: readonly AgentBatch[], context: TrainStepContext): Promise<Record<string, TrainMetrics>>;
  /** Writes optimizer state, reference weights and RNG state for an exact resume. */
  saveState?(dir: string): Promise<void>;
  loadState?(dir: string): Promise<void>;
  dispose?(): Promise<void> | void;
}
