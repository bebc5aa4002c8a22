/**
 * DSBench episode cost: wall time of one Data Engineer → Modeler → Analyst episode (three helper-based programs, as the
 * built-in tiny pipeline writes them) on each dsbench-mini task, plus grading time. Used to budget
 * `mappa train examples/dsbench/pipeline.yaml` (15 minutes on 2 cores).
 *
 *   npx tsx bench/dsbenchEpisode.bench.ts [--rounds 2] [--concurrency 2] [--sandbox bubblewrap]
 *
 * `--sandbox` names a built-in sandbox plugin with its default config (default bubblewrap, what pipelines use).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Sandbox } from '../core/contracts/Sandbox.js';
import { readPipelineFile } from '../core/pipeline/loadPipelineFile.js';
import { validatePipeline } from '../core/pipeline/validatePipeline.js';
import { PluginFactory } from '../core/plugins/PluginFactory.js';
import { silentLogger } from '../core/util/createLogger.js';
import { packageRoot } from '../core/util/packageRoot.js';
import { Rng } from '../core/util/Rng.js';
import { asAction, demonstrationProgram } from '../environments/dsbench/demonstrations/demonstrationProgram.js';
import { createDsbenchEnvironment } from '../environments/dsbench/dsbenchEnvironmentPlugin.js';
import type { DsbenchTaskMetadata } from '../environments/dsbench/DsbenchTaskMeta.js';
import { loadDsbenchTasks } from '../environments/dsbench/loadDsbenchTasks.js';
import { DSBENCH_STAGES } from '../environments/dsbench/stages.js';
import { createBuiltinRegistry } from '../plugins/builtins.js';
import { agentSpec } from '../test/conformance/environmentConformance.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))]!;
  return { n: s.length, median: q(0.5), p10: q(0.1), p90: q(0.9), min: s[0]!, max: s.at(-1)! };
};
const fmt = (o: ReturnType<typeof stats>, unit = 's', k = 1000) =>
  `median ${(o.median / k).toFixed(2)} ${unit} (p10 ${(o.p10 / k).toFixed(2)}, p90 ${(o.p90 / k).toFixed(2)}, min ${(o.min / k).toFixed(2)}, max ${(o.max / k).toFixed(2)}; n=${o.n})`;

const rounds = Number(arg('rounds', '2'));
const concurrency = Number(arg('concurrency', '2'));
const sandboxName = arg('sandbox', 'bubblewrap');

const registry = createBuiltinRegistry();
const work = await mkdtemp(join(tmpdir(), 'mappa-bench-dsb-'));
const factory = new PluginFactory(registry, { runDir: work, cacheDir: work, baseDir: process.cwd(), seed: 0, signal: new AbortController().signal }, silentLogger);
const sandbox: Sandbox = await factory.create('sandbox', { use: sandboxName }, 'bench.sandbox');
const env = await createDsbenchEnvironment({ sandbox, helperModule: true });
const tasks = await loadDsbenchTasks({});
const episodeMs: number[] = [];
const runMs: number[] = [];
const gradeMs: number[] = [];
let valid = 0;
const limit = pLimit(concurrency);
const t0 = performance.now();
await Promise.all(
  Array.from({ length: rounds }, (_, r) => tasks.map((task) => ({ task, r })))
    .flat()
    .map(({ task, r }) =>
      limit(async () => {
        const e0 = performance.now();
        const ep = await env.createEpisode(task, { episodeId: `${task.id}-${r}`, seed: r, phase: 'train', workDir: join(work, `${task.id}-${r}`), signal: new AbortController().signal });
        try {
          let index = 0;
          for (const stage of DSBENCH_STAGES) {
            const code = demonstrationProgram(stage, 'correct', { meta: task.metadata as DsbenchTaskMetadata, columns: [], helper: true, rng: Rng.fromSeed(r) });
            const res = await ep.executeTools(agentSpec({ id: stage, tools: ['python'] }), { text: asAction(code), index: index++ });
            for (const c of res?.calls ?? []) runMs.push(c.durationMs ?? 0);
          }
          const g0 = performance.now();
          const outcome = await ep.evaluate(new Map());
          gradeMs.push(performance.now() - g0);
          if (outcome.success) valid++;
        } finally {
          await ep.close();
        }
        episodeMs.push(performance.now() - e0);
      }),
    ),
);
const totalS = (performance.now() - t0) / 1000;
await env.dispose?.();
await rm(work, { recursive: true, force: true });
const ep = stats(episodeMs);
// Episodes of `mappa train examples/dsbench/pipeline.yaml`, from its run settings.
const builtin = await (async () => {
  const dir = join(packageRoot(), 'examples', 'dsbench');
  const result = await validatePipeline(await readPipelineFile(join(dir, 'pipeline.yaml')), { registry, baseDir: dir });
  if (!result.ok) throw new Error(`examples/dsbench/pipeline.yaml does not validate: ${JSON.stringify(result.issues)}`);
  const { run } = result.pipeline.spec;
  const evals = (run.eval.atStart ? 1 : 0) + (run.eval.every > 0 ? Math.floor(run.steps / run.eval.every) : 0) + (run.eval.atEnd && (run.eval.every === 0 || run.steps % run.eval.every !== 0) ? 1 : 0);
  const evalTasks = tasks.filter((t) => t.split === run.eval.split).length;
  return {
    episodes: run.steps * run.tasksPerStep * run.samplesPerTask + evals * evalTasks * run.eval.samplesPerTask,
    text: `${run.steps} steps × ${run.tasksPerStep} tasks × ${run.samplesPerTask} samples + ${evals} evals × ${evalTasks} tasks × ${run.eval.samplesPerTask} samples`,
  };
})();
process.stdout.write(
  [
    `sandbox ${sandboxName}, concurrency ${concurrency}, ${episodeMs.length} episodes (${tasks.length} tasks × ${rounds}), ${valid} valid submissions`,
    `episode: ${fmt(ep)}`,
    `code run: ${fmt(stats(runMs))}`,
    `grading: ${fmt(stats(gradeMs), 'ms', 1)}`,
    `throughput: ${(episodeMs.length / totalS).toFixed(2)} episodes/s (${totalS.toFixed(1)} s total)`,
    `built-in pipeline (${builtin.text} = ${builtin.episodes} episodes) at this rate: ${((builtin.episodes / (episodeMs.length / totalS)) / 60).toFixed(1)} min of environment time`,
  ].join('\n') + '\n',
);
