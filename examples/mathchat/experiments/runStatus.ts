import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A run is finished when metrics.jsonl has the row of its last step (the runner writes it after the final evaluation). */
export async function isRunFinished(dir: string, steps: number): Promise<boolean> {
  const file = join(dir, 'metrics.jsonl');
  if (!existsSync(file)) return false;
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      const row = JSON.parse(line) as { step?: unknown };
      if (row.step === steps && 'eval/accuracy' in row) return true;
    } catch {
      // a run killed mid-write leaves a partial last line: not finished
    }
  }
  return false;
}
