import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Name of the checkpoint directory of a step (`step-0042`; steps past 9,999 simply get more digits). */
export function checkpointDirName(step: number): string {
  return `step-${String(step).padStart(4, '0')}`;
}

/** Checkpoint directory names under `checkpointsDir`, oldest first by step number (names do not sort past 9,999). */
export function checkpointDirsByStep(checkpointsDir: string): string[] {
  if (!existsSync(checkpointsDir)) return [];
  return readdirSync(checkpointsDir)
    .map((name) => ({ name, m: /^step-(\d+)$/.exec(name) }))
    .filter((e): e is { name: string; m: RegExpExecArray } => e.m !== null)
    .map((e) => ({ name: e.name, step: Number(e.m[1]) }))
    .sort((a, b) => a.step - b.step)
    .map((e) => e.name);
}

/** The checkpoint with the highest step in a run directory. */
export function latestCheckpoint(runDir: string): string | undefined {
  const dir = join(runDir, 'checkpoints');
  const names = checkpointDirsByStep(dir);
  return names.length ? join(dir, names.at(-1)!) : undefined;
}
