/** One policy's warm start: train `policyId` on encoded examples, starting from the weights in `initialDir`. */
export interface WarmStartJob {
  readonly policyId: string;
  /** Weights the training starts from (the policy as the run created it), saved by `policy.save`. */
  readonly initialDir: string;
  /** Where the trained weights go (`policy.save` layout); the runner loads them from here. */
  readonly outDir: string;
  readonly examples: ReadonlyArray<{ readonly agentId: string; readonly contextIds: readonly number[]; readonly actionIds: readonly number[]; readonly lossMask?: readonly number[] }>;
}

export interface WarmStartJobResult {
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * Runs warm-start jobs. The default runs them one after another in this process; the CLI runs them in parallel child
 * processes (one per CPU core), since TensorFlow.js trains on one thread per process.
 */
export interface WarmStartExecutor {
  /** How many jobs run at once. */
  readonly parallelism: number;
  run(job: WarmStartJob, onProgress: (done: number, total: number) => void): Promise<WarmStartJobResult>;
}
