import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { EpisodeRecord } from '../../../core/model/Episode.js';

/**
 * Reads one `episodes/<split>-step-NNNN.jsonl` file, keeping every whole episode. A line that is not a complete
 * episode record (the half-written last line of a run killed mid-write) is skipped and counted, never fatal.
 */
export async function readEpisodeFile(path: string): Promise<{ episodes: EpisodeRecord[]; skippedLines: number }> {
  const episodes: EpisodeRecord[] = [];
  let skippedLines = 0;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    try {
      const ep = JSON.parse(line) as EpisodeRecord;
      if (!ep || typeof ep !== 'object' || !Array.isArray(ep.actions) || typeof ep.id !== 'string') throw new Error('not an episode record');
      episodes.push(ep);
    } catch {
      skippedLines++;
    }
  }
  return { episodes, skippedLines };
}
