import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile } from '../../../core/util/atomicWrite.js';

/**
 * What a tracker logger keeps in the run directory (`trackers/<logger>.json`) so that `mappa train --resume` goes on
 * logging into the same tracker run instead of starting a new one. A fresh run directory has no such file.
 */
export interface TrackerRunState {
  readonly runId: string;
  /** W&B: the next line of `wandb-history.jsonl`, so resumed lines follow the old ones. */
  readonly historyOffset?: number;
  readonly summary?: Readonly<Record<string, number>>;
}

export function trackerStatePath(runDir: string, logger: string): string {
  return join(runDir, 'trackers', `${logger}.json`);
}

export async function readTrackerState(runDir: string, logger: string): Promise<TrackerRunState | undefined> {
  const path = trackerStatePath(runDir, logger);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const state = JSON.parse(text) as TrackerRunState;
  if (typeof state.runId !== 'string' || !state.runId) throw new Error(`${path}: no runId; delete the file to start a new tracker run`);
  return state;
}

export function writeTrackerState(runDir: string, logger: string, state: TrackerRunState): Promise<void> {
  return atomicWriteFile(trackerStatePath(runDir, logger), `${JSON.stringify(state)}\n`);
}
