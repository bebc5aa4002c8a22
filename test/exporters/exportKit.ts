import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Exporter } from '../../core/contracts/Exporter.js';
import type { EpisodeRecord } from '../../core/model/Episode.js';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { exportRun, type ExportRunOptions } from '../../plugins/exporters/shared/exportRun.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

const dirs: string[] = [];

export async function tempDir(prefix = 'mappa-export-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export async function cleanTempDirs(): Promise<void> {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
}

/**
 * A real run directory from the runner: the 3-agent tiny pipeline on fake plugins (2 samples per task, so GRPO groups
 * have two members; the coder calls its tool and acts twice). Returns the recording trainer's batches too.
 */
export async function runTinyRun(overrides: Record<string, unknown> = {}) {
  const fakes = fakePlugins();
  const registry = createBuiltinRegistry();
  registry.registerAll(fakes.defs, 'test');
  const result = await validatePipeline(tinyPipeline({ run: { steps: 2, tasksPerStep: 3, samplesPerTask: 2, concurrency: 4, eval: { every: 2 }, checkpointEvery: 0, report: false }, ...overrides }), {
    registry,
    baseDir: TINY_DIR,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const runDir = await tempDir('mappa-export-run-');
  const run = await createRun({ pipeline: result.pipeline, runDir, logger: silentLogger });
  await run.runner.train();
  await run.dispose();
  return { runDir, trainer: fakes.trainer };
}

/** Replaces the trainer section of a run's config.resolved.yaml (the export reads the estimator from there). */
export async function setRunTrainer(runDir: string, trainer: Record<string, unknown>, rewards?: Record<string, unknown>): Promise<void> {
  const file = join(runDir, 'config.resolved.yaml');
  const config = parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  config['trainer'] = trainer;
  if (rewards) config['rewards'] = { ...(config['rewards'] as object), ...rewards };
  await writeFile(file, stringify(config));
}

export async function readEpisodes(runDir: string, prefix = 'train-'): Promise<EpisodeRecord[]> {
  const files = (await readdir(join(runDir, 'episodes'))).filter((f) => f.startsWith(prefix)).sort();
  const text = (await Promise.all(files.map((f) => readFile(join(runDir, 'episodes', f), 'utf8')))).join('');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EpisodeRecord);
}

export async function readJsonl<T = Record<string, any>>(path: string): Promise<T[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export async function runExport(runDir: string, exporter: Exporter, options: Partial<ExportRunOptions> = {}) {
  const outDir = await tempDir('mappa-export-out-');
  const result = await exportRun({ runDir, outDir, exporter, ...options });
  return { outDir, result };
}
