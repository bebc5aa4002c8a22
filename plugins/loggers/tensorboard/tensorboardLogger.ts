import { appendFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { RunLogger } from '../../../core/contracts/RunLogger.js';
import { finiteMetrics } from '../shared/trackerRequest.js';
import { encodeEvent, tfRecord } from './tfEventRecords.js';

export interface CreateTensorboardLoggerOptions {
  /** Directory of the event file (absolute, or relative to `runDir`). */
  readonly logDir: string;
  readonly runDir: string;
  /** Clock for wall_time, seconds (tests pin it). */
  readonly now?: () => number;
}

/**
 * A TensorBoard event file (`events.out.tfevents.<time>.<host>`): a `brain.Event:2` version record, then one Event
 * per step with every numeric metric as a scalar under its `metrics.jsonl` name (e.g. `train/coach/score/solver`).
 */
export function createTensorboardLogger(o: CreateTensorboardLoggerOptions): RunLogger {
  const now = o.now ?? (() => Date.now() / 1000);
  const dir = isAbsolute(o.logDir) ? o.logDir : resolve(o.runDir, o.logDir);
  let file: string | undefined;
  const ensureFile = async () => {
    if (file) return file;
    await mkdir(dir, { recursive: true });
    const t = now();
    const path = join(dir, `events.out.tfevents.${Math.floor(t)}.${hostname()}.${process.pid}`);
    await appendFile(path, tfRecord(encodeEvent({ wallTime: t, step: 0, fileVersion: 'brain.Event:2' })));
    file = path;
    return path;
  };
  return {
    name: 'tensorboard',
    background: true,
    async start() {
      await ensureFile();
    },
    async log(step, metrics) {
      const scalars = finiteMetrics(metrics);
      if (!scalars.length) return;
      await appendFile(await ensureFile(), tfRecord(encodeEvent({ wallTime: now(), step, scalars })));
    },
  };
}
