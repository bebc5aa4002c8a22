import type { RunLogger } from '../../../core/contracts/RunLogger.js';
import { RunStore } from '../../../core/runner/RunStore.js';

export interface CreateJsonlLoggerOptions {
  readonly runDir: string;
}

/** `metrics.jsonl` (one JSON object per step) and `metrics.csv` (the union of columns) in the run directory. */
export function createJsonlLogger(o: CreateJsonlLoggerOptions): RunLogger {
  const store = new RunStore(o.runDir);
  return {
    name: 'jsonl',
    background: false,
    async log(step, metrics) {
      await store.appendMetrics({ step, ...metrics });
    },
  };
}
