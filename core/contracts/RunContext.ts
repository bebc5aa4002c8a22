/** Facts about the current run that plugins may need. */
export interface RunContext {
  /** Directory of this run (config, metrics, episodes, checkpoints). */
  readonly runDir: string;
  /** Directory for caches shared between runs (coach cache, warm-start checkpoints). */
  readonly cacheDir: string;
  /** Directory of the pipeline file; relative paths in plugin configs resolve against it. */
  readonly baseDir: string;
  readonly seed: number;
  readonly signal: AbortSignal;
}
