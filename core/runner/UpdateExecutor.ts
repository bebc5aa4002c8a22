import type { Policy } from '../contracts/Policy.js';
import type { TrainMetrics } from '../contracts/Trainer.js';
import type { Experience } from '../model/Experience.js';

/** One agent's experiences of a step, addressed by policy id (a trainer process holds its own copy of the policy). */
export interface UpdateBatch {
  readonly agentId: string;
  readonly policyId: string;
  readonly experiences: readonly Experience[];
}

export interface UpdateRequest {
  readonly step: number;
  readonly totalSteps: number;
  readonly batches: readonly UpdateBatch[];
  /** The experiences may be older than the weights being updated (`run.overlap: one-step`). */
  readonly offPolicy: boolean;
}

export interface UpdateResult {
  readonly metrics: Record<string, TrainMetrics>;
  /** Wall time of the update itself (the trainer's `step`), in seconds. */
  readonly seconds: number;
}

/** An update that was handed over; `wait` resolves once its new weights are in the run's policies. */
export interface UpdateTicket {
  readonly step: number;
  wait(): Promise<UpdateResult>;
}

/**
 * Runs the trainer's updates for `run.overlap: one-step`. The runner submits the update of step k, rolls out step k+1
 * with the weights it has, then waits for the ticket: an executor with `concurrent: true` (the CLI's trainer process)
 * trains meanwhile; the in-process one trains inside `wait`, so both follow the same schedule and give the same numbers.
 */
export interface UpdateExecutor {
  /** Whether updates run at the same time as this process's rollouts. */
  readonly concurrent: boolean;
  /**
   * Called once before the first update, with the run's policies at their starting weights (after the warm start or
   * the checkpoint a resume loaded) and, on resume, the checkpoint's trainer folder.
   */
  start(o: {
    readonly policies: ReadonlyMap<string, Policy>;
    /** Ids of the policies the trainer updates. */
    readonly trained: readonly string[];
    readonly trainerStateDir?: string;
  }): Promise<void>;
  /** Hands over one update; updates run in submission order, one at a time. */
  submit(request: UpdateRequest): UpdateTicket;
  /** Writes the trainer's state (as `Trainer.saveState`) after the last waited-for update. */
  saveState(dir: string): Promise<void>;
  /** Stops whatever the executor started (a trainer process: by its pid); an update in flight is abandoned. */
  close(): Promise<void>;
}
