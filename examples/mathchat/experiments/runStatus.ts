import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A run is finished when metrics.jsonl has the row of its last step with its final evaluation (`evalKey`: the
 * environment's evaluation metric, e.g. `eval/success_rate` for DSBench, which has no `eval/accuracy`).
 */
export async function isRunFinished(dir: string, steps: number, evalKey = 'eval/accuracy'): Promise<boolean> {
  const file = join(dir, 'metrics.jsonl');
  if (!existsSync(file)) return false;
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      const row = JSON.parse(line) as { step?: unknown };
      if (row.step === steps && evalKey in row) return true;
    } catch {
      // a run killed mid-write leaves a partial last line: not finished
    }
  }
  return false;
}
