import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { EpisodeRecord } from '../model/Episode.js';
import { atomicWriteFile } from '../util/atomicWrite.js';
import { MappaError } from '../util/MappaError.js';
import { formatCsv } from '../util/formatCsv.js';
import { redactSecrets } from '../util/redactSecrets.js';
import { appendSecretFree, writeSecretFree } from '../util/writeSecretFree.js';

export type MetricsRow = Readonly<Record<string, number | string>> & { readonly step: number };

/**
 * The run directory:
 * `config.resolved.yaml` (secrets removed), `pipeline.json` (for resume), `metrics.jsonl` + `metrics.csv`
 * (one row per step), `episodes/*.jsonl` (every action with its coach evaluation), `logs/run.log`, `checkpoints/`.
 */
export class RunStore {
  constructor(readonly dir: string) {}

  get episodesDir(): string {
    return join(this.dir, 'episodes');
  }
  get checkpointsDir(): string {
    return join(this.dir, 'checkpoints');
  }
  get logFile(): string {
    return join(this.dir, 'logs', 'run.log');
  }
  get metricsFile(): string {
    return join(this.dir, 'metrics.jsonl');
  }

  async init(resolvedConfig: unknown, rawPipeline: unknown): Promise<void> {
    await mkdir(this.episodesDir, { recursive: true });
    await mkdir(this.checkpointsDir, { recursive: true });
    await mkdir(join(this.dir, 'logs'), { recursive: true });
    await writeSecretFree(join(this.dir, 'config.resolved.yaml'), stringify(redactSecrets(resolvedConfig)));
    await writeSecretFree(join(this.dir, 'pipeline.json'), JSON.stringify(redactSecrets(rawPipeline), null, 2));
  }

  async appendEpisodes(name: string, episodes: readonly EpisodeRecord[]): Promise<void> {
    if (episodes.length === 0) return;
    await mkdir(this.episodesDir, { recursive: true });
    await appendSecretFree(join(this.episodesDir, `${name}.jsonl`), episodes.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }

  async appendMetrics(row: MetricsRow): Promise<void> {
    await appendSecretFree(this.metricsFile, JSON.stringify(row) + '\n');
    await this.writeCsv();
  }

  async readMetrics(): Promise<MetricsRow[]> {
    if (!existsSync(this.metricsFile)) return [];
    const text = await readFile(this.metricsFile, 'utf8');
    const lines = text.split('\n').filter((l) => l.trim());
    const rows: MetricsRow[] = [];
    for (const [i, line] of lines.entries()) {
      try {
        rows.push(JSON.parse(line) as MetricsRow);
      } catch (err) {
        // A torn last line is a crash during an append: that step's row was never complete, as with episode files.
        if (i === lines.length - 1 && !text.endsWith('\n')) break;
        throw new MappaError(`${this.metricsFile}: line ${i + 1} is not valid JSON (${(err as Error).message})`, {
          hint: 'the metrics file is damaged; remove the broken line (its step is re-run on resume if it is after the checkpoint)',
        });
      }
    }
    return rows;
  }

  /** Rewrites metrics.csv from metrics.jsonl with the union of all columns (steps without a value leave it empty). */
  async writeCsv(): Promise<void> {
    const rows = await this.readMetrics();
    const cols = ['step', ...new Set(rows.flatMap((r) => Object.keys(r)).filter((k) => k !== 'step'))];
    await atomicWriteFile(join(this.dir, 'metrics.csv'), formatCsv(cols, rows.map((r) => cols.map((c) => r[c]))));
  }

  /** On resume: drop metrics rows and episode files after the checkpointed step. */
  async truncateAfter(step: number): Promise<void> {
    const rows = (await this.readMetrics()).filter((r) => r.step <= step);
    await atomicWriteFile(this.metricsFile, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
    await this.writeCsv();
    if (existsSync(this.episodesDir)) {
      for (const f of await readdir(this.episodesDir)) {
        const m = /step-(\d+)/.exec(f);
        if (m && Number(m[1]) > step) await rm(join(this.episodesDir, f), { force: true });
      }
    }
  }

  async writeJson(name: string, value: unknown): Promise<void> {
    await writeSecretFree(join(this.dir, name), JSON.stringify(value, null, 2));
  }

  async writeText(name: string, text: string): Promise<void> {
    await writeSecretFree(join(this.dir, name), text);
  }
}
