import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { writeSecretFree } from '../../../core/util/writeSecretFree.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { truncateMiddle } from '../../../core/util/truncate.js';
import { buildCharts, colorAt } from './buildCharts.js';
import { readRunDir, type MetricsLine } from './readRunDir.js';
import { renderReportHtml, type ChartLibrary } from './renderReportHtml.js';
import type { ReportData, ReportRun } from './ReportData.js';
import { scanEpisodes } from './scanEpisodes.js';
import { summarizeRun } from './summarizeRun.js';
import { writeCurvePlots } from './writeCurvePlots.js';

export interface WriteReportOptions {
  /** One or more run directories; several are drawn side by side on the same axes. */
  readonly runDirs: readonly string[];
  /** The HTML file to write. */
  readonly out: string;
  /** Names for the runs (default: directory names). */
  readonly labels?: readonly string[];
  readonly title?: string;
  /** Episodes per run embedded for the inspector (a fixed sample when a run has more; statistics use all). Default 500. */
  readonly maxEpisodes?: number;
  /** Longest text kept per field (input, action, tool output); longer ones are cut in the middle, visibly. Default 12000. */
  readonly maxTextChars?: number;
  /** Where the SVG plots go (default `<out without .html>-plots/`); `false` writes none. */
  readonly plotsDir?: string | false;
  /** Task metadata field for the per-task-type coach view (default: the first of taskType, type, category, … present). */
  readonly taskTypeKey?: string;
  /** Timestamp shown in the page (default: now). */
  readonly now?: Date;
}

export interface WriteReportResult {
  readonly out: string;
  readonly bytes: number;
  readonly plots: string[];
  /** Notes shown in the report (sampling, unreadable lines), per run label. */
  readonly notes: string[];
  readonly data: ReportData;
}

const require = createRequire(import.meta.url);
let libCache: ChartLibrary | undefined;

async function loadChartLibrary(): Promise<ChartLibrary> {
  if (libCache) return libCache;
  try {
    const js = await readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const css = await readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    return (libCache = { js, css });
  } catch (err) {
    throw new MappaError(`the chart library uPlot could not be loaded: ${(err as Error).message}`, {
      hint: 'reinstall the package dependencies (npm install); uplot is a dependency of @mappa/sdk',
    });
  }
}

function uniqueLabels(dirs: readonly string[], given: readonly string[] | undefined): string[] {
  const labels = dirs.map((d, i) => given?.[i] ?? basename(d));
  const seen = new Map<string, number>();
  return labels.map((l) => {
    const n = (seen.get(l) ?? 0) + 1;
    seen.set(l, n);
    return n === 1 ? l : `${l} (${n})`;
  });
}

function metricColumns(rows: readonly MetricsLine[]): ReportRun['metrics'] {
  const keys = new Set<string>();
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (k !== 'step' && typeof v === 'number' && Number.isFinite(v)) keys.add(k);
  const columns: Record<string, Array<number | null>> = {};
  for (const k of [...keys].sort()) columns[k] = rows.map((r) => (typeof r[k] === 'number' && Number.isFinite(r[k]) ? (r[k] as number) : null));
  return { steps: rows.map((r) => r.step), columns };
}

/**
 * Writes one self-contained HTML report for one or more run directories (curves, coach view, episode inspector),
 * plus SVG plots of the main curves for docs. Robust to partial runs, unknown agent ids and any metric names.
 */
export async function writeReport(options: WriteReportOptions): Promise<WriteReportResult> {
  if (options.runDirs.length === 0) throw new MappaError('no run directory given', { hint: 'mappa report RUN_DIR [RUN_DIR ...]' });
  const out = resolve(options.out);
  const maxEpisodes = options.maxEpisodes ?? 500;
  const maxTextChars = options.maxTextChars ?? 12_000;
  const lib = await loadChartLibrary();
  const dirs = options.runDirs.map((d) => resolve(d));
  const labels = uniqueLabels(dirs, options.labels);
  const runs: ReportRun[] = [];
  const metricsByRun: MetricsLine[][] = [];
  for (const [index, dir] of dirs.entries()) {
    const contents = await readRunDir(dir);
    const summary = summarizeRun(contents);
    const scanned = await scanEpisodes(contents.episodeFiles, {
      run: index,
      maxEpisodes,
      maxTextChars,
      taskTypeKey: options.taskTypeKey,
      agentOrder: summary.agents,
    });
    metricsByRun.push(contents.metrics);
    runs.push({
      index,
      label: labels[index]!,
      dir,
      color: colorAt(index),
      summary,
      metrics: metricColumns(contents.metrics),
      coach: scanned.coach,
      episodes: scanned.episodes,
      episodeTotal: scanned.total,
      notes: [...contents.notes, ...scanned.notes],
      configText: contents.configText === null ? null : truncateMiddle(contents.configText, 40_000),
    });
  }
  const agentOrder = [...new Set(runs.flatMap((r) => [...r.summary.agents.map((a) => a.id), ...r.coach.agents.map((a) => a.agentId)]))];
  const charts = buildCharts(
    runs.map((r, i) => ({ label: r.label, metrics: metricsByRun[i]! })),
    agentOrder,
  );
  const data: ReportData = {
    title: options.title ?? `mappa report — ${labels.join(' vs ')}`,
    generatedAt: (options.now ?? new Date()).toISOString(),
    runs,
    charts,
  };
  const html = renderReportHtml(data, lib);
  await writeSecretFree(out, html);
  const plotsDir = options.plotsDir === undefined ? join(dirname(out), `${basename(out, extname(out))}-plots`) : options.plotsDir;
  const plots = plotsDir === false ? [] : await writeCurvePlots(charts, resolve(plotsDir));
  return {
    out,
    bytes: Buffer.byteLength(html),
    plots,
    notes: runs.flatMap((r) => r.notes.map((n) => `${r.label}: ${n}`)),
    data,
  };
}
