// MathChat trained in-process (pipeline.yaml, tfjs reinforce++) vs by the external PyTorch trainer through
// `mappa serve` (pipeline.external.yaml), from the same warm-started weights and seeds. Prints one JSON object.
//
//   npx tsx bench/externalVsInProcess.ts [--steps 6] [--tasks 16] [--demos 400] [--epochs 8] [--eval-tasks 40] [--python /usr/bin/python3]
//
// Run A warm-starts the three agents (cached in the work folder), then trains; run B serves A's warm-started weights
// with the `mappa serve` server library and trains them with examples/external-trainer/reinforce_pp.py. Both use the
// run seed 1 and the same task order, so step 1's rollouts come from identical weights and seeds.
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPipelineForCli } from '../cli/loadPipelineForCli.js';
import { createRun } from '../core/runner/createRun.js';
import { silentLogger } from '../core/util/createLogger.js';
import { createOpenAIServer } from '../plugins/serving/createOpenAIServer.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '6' },
    tasks: { type: 'string', default: '16' },
    demos: { type: 'string', default: '400' },
    epochs: { type: 'string', default: '8' },
    'eval-tasks': { type: 'string', default: '40' },
    python: { type: 'string', default: '/usr/bin/python3' },
    keep: { type: 'boolean', default: false },
    /** Reuse the in-process run (and warm-start cache) of an earlier `--keep` run in this folder. */
    work: { type: 'string' },
  },
});
const root = resolve(import.meta.dirname, '..');
const AGENTS = ['solver', 'coder', 'verifier'] as const;
const steps = Number(values.steps);
const evalEvery = Math.max(1, Math.floor(steps / 2));
const work = values.work ? resolve(values.work) : await mkdtemp(join(tmpdir(), 'mappa-ext-vs-inproc-'));
const keep = values.keep || values.work !== undefined;
const common = [
  `run.steps=${steps}`,
  `run.tasksPerStep=${values.tasks}`,
  'run.samplesPerTask=2',
  'run.concurrency=8',
  `run.eval.every=${evalEvery}`,
  `run.eval.tasks=${values['eval-tasks']}`,
  'run.eval.samplesPerTask=1',
  `run.cacheDir=${join(work, 'cache')}`,
  'run.report=false',
];

async function train(file: string, sets: string[], runDir: string) {
  const { pipeline } = await loadPipelineForCli(join(root, 'examples', 'mathchat', file), [...common, ...sets]);
  const t0 = performance.now();
  const run = await createRun({ pipeline, runDir, logger: silentLogger });
  const summary = await run.runner.train();
  await run.dispose();
  return { seconds: (performance.now() - t0) / 1000, metrics: summary.metrics };
}

/** An earlier in-process run: its metrics, and its wall time as the sum of its phases (warm start, evals, steps). */
function earlier(runDir: string) {
  const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);
  const m0 = metrics.find((m) => m.step === 0) ?? {};
  const seconds = (m0['time/warmstart_s'] ?? 0) + (m0['time/eval_s'] ?? 0) + metrics.filter((m) => (m.step ?? 0) > 0).reduce((s, m) => s + (m['time/step_s'] ?? 0), 0);
  return { seconds, metrics, reused: true };
}

function summarize(rows: readonly object[]) {
  return (rows as Array<Record<string, number>>).map((m) => ({
    step: m.step,
    ...(m['train/success_rate'] !== undefined ? { train_success: m['train/success_rate'] } : {}),
    ...(m['train/coach/score_mean'] !== undefined ? { coach_mean: m['train/coach/score_mean'] } : {}),
    ...(m['eval/accuracy'] !== undefined ? { eval_accuracy: m['eval/accuracy'] } : {}),
    ...(m['time/step_s'] !== undefined ? { step_s: m['time/step_s'], rollout_s: m['time/rollout_s'], train_s: m['time/train_s'] } : {}),
    ...(m['time/warmstart_s'] !== undefined ? { warmstart_s: m['time/warmstart_s'] } : {}),
  }));
}

/** Share of step-1 actions with the same text in both runs (same weights and seeds → same samples, if generation agrees). */
function sameActions(a: string, b: string): { compared: number; identical: number } {
  const texts = (dir: string) =>
    readFileSync(join(dir, 'episodes', 'train-step-0001.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; actions: Array<{ agentId: string; text: string }> })
      .flatMap((e) => e.actions.map((x, i) => [`${e.id}/${i}/${x.agentId}`, x.text] as const));
  const other = new Map(texts(b));
  let compared = 0;
  let identical = 0;
  for (const [k, t] of texts(a)) {
    if (!other.has(k)) continue;
    compared++;
    if (other.get(k) === t) identical++;
  }
  return { compared, identical };
}

try {
  const warm = [`warmStart.demonstrations.count=${values.demos}`, `warmStart.trainer.epochs=${values.epochs}`];
  const reuse = existsSync(join(work, 'in-process', 'checkpoints', `step-${String(steps).padStart(4, '0')}`));
  const a = reuse ? earlier(join(work, 'in-process')) : await train('pipeline.yaml', warm, join(work, 'in-process'));
  // The warm-started weights A trained from (the warm-start cache), served for B.
  const cache = join(work, 'cache', 'warm-start');
  const initial: Record<string, string> = {};
  for (const key of readdirSync(cache)) for (const agent of AGENTS) if (existsSync(join(cache, key, agent, 'done.json'))) initial[agent] = join(cache, key, agent);
  if (Object.keys(initial).length !== AGENTS.length) throw new Error(`warm-start cache incomplete: ${JSON.stringify(initial)}`);
  const server = await createOpenAIServer({ models: AGENTS.map((name) => ({ name, path: initial[name]! })), port: 0 });
  let b;
  try {
    b = await train(
      'pipeline.external.yaml',
      [
        ...AGENTS.flatMap((x) => [`policies.${x}.baseURL=${server.url}/v1`, `policies.${x}.weights=${initial[x]}`]),
        `trainer.command=${values.python} ${join(root, 'examples', 'external-trainer', 'reinforce_pp.py')} --meta {meta} --weights {weights} --out {out} --state {state}`,
      ],
      join(work, 'external'),
    );
  } finally {
    await server.close();
  }
  console.log(
    JSON.stringify(
      {
        settings: { steps, tasksPerStep: Number(values.tasks), samplesPerTask: 2, demos: Number(values.demos), sftEpochs: Number(values.epochs), evalTasks: Number(values['eval-tasks']) },
        inProcess: { seconds: a.seconds, steps: summarize(a.metrics) },
        external: { seconds: b.seconds, steps: summarize(b.metrics) },
        step1SameActions: sameActions(join(work, 'in-process'), join(work, 'external')),
        workDir: keep ? work : undefined,
      },
      null,
      1,
    ),
  );
} finally {
  if (!keep) await rm(work, { recursive: true, force: true });
}
