import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { MappaError } from '../../../core/util/MappaError.js';

export type MetricsLine = Record<string, unknown> & { readonly step: number };

export interface EpisodeFile {
  readonly path: string;
  readonly phase: string;
  readonly step: number;
}

/** What a run directory holds, read leniently: a run that crashed or is still going has partial files. */
export interface RunDirContents {
  readonly dir: string;
  readonly metrics: MetricsLine[];
  readonly config: Record<string, unknown> | null;
  readonly configText: string | null;
  readonly episodeFiles: EpisodeFile[];
  /** Visible notes about lines or files that could not be read. */
  readonly notes: string[];
}

const PHASE_ORDER: Record<string, number> = { eval: 0, train: 1 };

export async function readRunDir(dirArg: string): Promise<RunDirContents> {
  const dir = resolve(dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new MappaError(`run directory ${dir} does not exist`, { hint: 'pass the directory `mappa train` printed ("Run directory: ...")' });
  }
  const metricsFile = join(dir, 'metrics.jsonl');
  const configFile = join(dir, 'config.resolved.yaml');
  const episodesDir = join(dir, 'episodes');
  if (!existsSync(metricsFile) && !existsSync(configFile) && !existsSync(episodesDir)) {
    throw new MappaError(`${dir} is not a mappa run directory (no metrics.jsonl, config.resolved.yaml or episodes/)`, {
      hint: 'run directories are created by `mappa train` / `mappa run` under run.outputDir',
    });
  }
  const notes: string[] = [];

  const metrics: MetricsLine[] = [];
  if (existsSync(metricsFile)) {
    let bad = 0;
    for (const line of (await readFile(metricsFile, 'utf8')).split('\n')) {
      if (!line.trim()) continue;
      try {
        const row = JSON.parse(line) as unknown;
        if (row && typeof row === 'object' && typeof (row as { step?: unknown }).step === 'number') metrics.push(row as MetricsLine);
        else bad++;
      } catch {
        bad++;
      }
    }
    if (bad) notes.push(`${bad} unreadable line(s) in metrics.jsonl were skipped (a run stopped mid-write leaves one).`);
  } else {
    notes.push('metrics.jsonl is missing: no curves for this run yet.');
  }

  let config: Record<string, unknown> | null = null;
  let configText: string | null = null;
  if (existsSync(configFile)) {
    configText = await readFile(configFile, 'utf8');
    try {
      const parsed = parseYaml(configText) as unknown;
      if (parsed && typeof parsed === 'object') config = parsed as Record<string, unknown>;
    } catch (err) {
      notes.push(`config.resolved.yaml could not be parsed: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  const episodeFiles: EpisodeFile[] = [];
  if (existsSync(episodesDir)) {
    const skipped: string[] = [];
    for (const name of await readdir(episodesDir)) {
      const m = /^(.+)-step-(\d+)\.jsonl$/.exec(name);
      if (m) episodeFiles.push({ path: join(episodesDir, name), phase: m[1]!, step: Number(m[2]) });
      else if (name.endsWith('.jsonl')) skipped.push(name);
    }
    if (skipped.length) notes.push(`episode files not named <phase>-step-NNNN.jsonl were left out: ${skipped.join(', ')}`);
    episodeFiles.sort((a, b) => a.step - b.step || (PHASE_ORDER[a.phase] ?? 9) - (PHASE_ORDER[b.phase] ?? 9) || a.phase.localeCompare(b.phase));
  }
  metrics.sort((a, b) => a.step - b.step);
  return { dir, metrics, config, configText, episodeFiles, notes };
}
