import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';
import { PpoLikeTrainer, ReportTestCoach } from './reportFakes.js';

const TASK_TYPES = ['arithmetic', 'algebra', 'geometry'];

export interface SampleRunOptions {
  readonly seed?: number;
  readonly steps?: number;
  readonly report?: boolean;
  readonly rewardScale?: number;
}

/** The tiny 3-agent pipeline on fake plugins, with task types, coached evaluation and PPO-like trainer figures. */
export function samplePipeline(options: SampleRunOptions = {}): Record<string, any> {
  // 6 training tasks, 3 per step: a step never spans two epochs, so no task appears twice in one step.
  const tasks = Array.from({ length: 9 }, (_, i) => ({
    id: `t${i}`,
    prompt: `pick ${i % 10}`,
    answer: i % 10,
    split: i < 6 ? 'train' : 'test',
    metadata: { taskType: TASK_TYPES[i % TASK_TYPES.length] },
  }));
  const raw = tinyPipeline({
    seed: options.seed ?? 7,
    tasks: { use: 'inline', tasks },
    run: { steps: options.steps ?? 3, tasksPerStep: 3, samplesPerTask: 2, concurrency: 4, eval: { every: 1, coach: true }, checkpointEvery: 0, report: options.report ?? false },
    ...(options.rewardScale !== undefined ? { rewards: { scale: options.rewardScale } } : {}),
  });
  raw.policies.b.toolEvery = 2;
  return raw;
}

/** Runs the sample pipeline in a fresh temporary directory and returns the run directory. */
export async function makeSampleRun(options: SampleRunOptions = {}): Promise<string> {
  const registry = createBuiltinRegistry();
  const fakes = fakePlugins({ coach: new ReportTestCoach(), trainer: new PpoLikeTrainer() });
  registry.registerAll(fakes.defs, 'test');
  const raw = samplePipeline(options);
  const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const runDir = await mkdtemp(join(tmpdir(), 'mappa-report-run-'));
  const run = await createRun({ pipeline: result.pipeline, runDir, logger: silentLogger, rawPipeline: raw });
  await run.runner.train();
  await run.dispose();
  return runDir;
}

export async function readMetricsJsonl(runDir: string): Promise<Array<Record<string, unknown> & { step: number }>> {
  const text = await readFile(join(runDir, 'metrics.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

export async function readAllEpisodes(runDir: string): Promise<any[]> {
  const dir = join(runDir, 'episodes');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
  const out: any[] = [];
  for (const f of files) for (const l of (await readFile(join(dir, f), 'utf8')).split('\n')) if (l.trim()) out.push(JSON.parse(l));
  return out;
}
