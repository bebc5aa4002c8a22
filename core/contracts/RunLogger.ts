/**
 * Where a run's metrics go besides the run directory: the console, `metrics.jsonl`, experiment trackers (MLflow,
 * Weights & Biases) or TensorBoard event files. Not to be confused with `Logger`, the text logger of `logs/run.log`.
 */
export interface RunLogger {
  readonly name: string;
  /**
   * Background loggers (trackers, event files) run off the training loop: their calls are queued, retried and counted,
   * and a failure never stops the run. Inline loggers (console, `metrics.jsonl`) run in the loop and their errors do.
   */
  readonly background: boolean;
  start?(info: RunLoggerStart): Promise<void>;
  /** One row per step (and the step-0 row with warm start and the first evaluation). */
  log(step: number, metrics: Readonly<Record<string, number | string>>): Promise<void>;
  finish?(info: RunLoggerEnd): Promise<void>;
}

export interface RunLoggerStart {
  readonly runDir: string;
  /** The run directory's name, e.g. `mathchat-20260101-120000`. */
  readonly runName: string;
  readonly pipelineName: string;
  /** The resolved pipeline with secrets removed (what `config.resolved.yaml` holds). */
  readonly config: Readonly<Record<string, unknown>>;
}

export interface RunLoggerArtifact {
  /** Absolute path of a file in the run directory. */
  readonly path: string;
  /** Name under which trackers store it (e.g. `report.html`). */
  readonly name: string;
}

export interface RunLoggerEnd {
  readonly status: 'finished' | 'interrupted' | 'failed';
  readonly step: number;
  readonly artifacts: readonly RunLoggerArtifact[];
}

/** Thrown by a logger for a failure that retrying cannot fix (a 400 from a tracker, an unsupported artifact store). */
export class PermanentLoggerError extends Error {
  readonly permanent = true;
}
