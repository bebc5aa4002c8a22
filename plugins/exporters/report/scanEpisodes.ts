import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { EpisodeRecord } from '../../../core/model/Episode.js';
import { CoachStatsAccumulator } from './CoachStatsAccumulator.js';
import { compactEpisode } from './compactEpisode.js';
import type { EpisodeFile } from './readRunDir.js';
import type { CoachStats, ReportEpisode } from './ReportData.js';

export interface ScanEpisodesOptions {
  readonly run: number;
  /** Episodes embedded for the inspector (statistics always use every episode). */
  readonly maxEpisodes: number;
  readonly maxTextChars: number;
  readonly taskTypeKey?: string | undefined;
  readonly agentOrder?: ReadonlyArray<{ id: string; role: string }>;
}

export interface ScannedEpisodes {
  readonly episodes: ReportEpisode[];
  readonly total: number;
  readonly coach: CoachStats;
  readonly notes: string[];
}

/** FNV-1a: a fixed pseudo-random rank per episode id, so the sample is the same every time and has no stride pattern. */
function rank(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

interface Kept {
  readonly rank: number;
  readonly order: number;
  readonly episode: ReportEpisode;
}

/**
 * Streams every episode file of a run once: all episodes feed the coach statistics; a fixed-seed sample of at most
 * `maxEpisodes` is compacted and kept for the inspector. Memory stays bounded by the sample, whatever the run size.
 */
export async function scanEpisodes(files: readonly EpisodeFile[], options: ScanEpisodesOptions): Promise<ScannedEpisodes> {
  const stats = new CoachStatsAccumulator(options.taskTypeKey, options.agentOrder ?? []);
  const max = Math.max(0, options.maxEpisodes);
  let kept: Kept[] = [];
  // Rank an episode must beat to enter the sample once it is full (kept is trimmed to `max` lowest ranks).
  let threshold = Infinity;
  let total = 0;
  const bad = new Map<string, number>();
  const seenIds = new Map<string, number>();
  const trim = () => {
    kept.sort((a, b) => a.rank - b.rank || a.order - b.order);
    kept = kept.slice(0, max);
    threshold = kept.length === max ? kept[max - 1]!.rank : Infinity;
  };
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file.path, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      let ep: EpisodeRecord;
      try {
        ep = JSON.parse(line) as EpisodeRecord;
        if (!ep || typeof ep !== 'object' || !Array.isArray(ep.actions)) throw new Error('not an episode record');
      } catch {
        bad.set(basename(file.path), (bad.get(basename(file.path)) ?? 0) + 1);
        continue;
      }
      const order = total++;
      stats.add(ep);
      const id = String(ep.id ?? `episode-${order}`);
      const seen = (seenIds.get(id) ?? 0) + 1;
      seenIds.set(id, seen);
      if (max === 0) continue;
      const ref = seen === 1 ? id : `${id}~${seen}`;
      const r = rank(ref);
      if (r > threshold || (r === threshold && kept.length >= max)) continue;
      kept.push({ rank: r, order, episode: compactEpisode(ep, options.run, ref, options.maxTextChars, stats.taskTypeOf(ep)) });
      if (kept.length >= 2 * max) trim();
    }
  }
  if (kept.length > max) trim();
  const notes: string[] = [];
  for (const [name, n] of bad) notes.push(`${n} unreadable line(s) in episodes/${name} were skipped.`);
  const repeated = [...seenIds].filter(([, n]) => n > 1);
  if (repeated.length) {
    notes.push(`${repeated.length} episode id(s) occur more than once (e.g. ${repeated[0]![0]}); the inspector lists them as id~2, id~3, …`);
  }
  if (total > kept.length) {
    notes.push(
      `The episode inspector holds a fixed sample of ${kept.length} of ${total} episodes (the same sample on every run of ` +
        `\`mappa report\`; raise it with --max-episodes). Curves and coach statistics use all ${total} episodes.`,
    );
  }
  const episodes = kept.sort((a, b) => a.order - b.order).map((k) => k.episode);
  return { episodes, total, coach: stats.result(), notes };
}
