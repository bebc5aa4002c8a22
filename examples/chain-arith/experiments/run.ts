/**
 * Runs the arms of issue 17's credit-assignment experiments on chain-arith.
 *
 *   npm run build
 *   npx tsx examples/chain-arith/experiments/run.ts --experiment chain-length --seeds 1,2,3 [--jobs 2]
 *   npx tsx examples/chain-arith/experiments/run.ts --arms k5-hindsight,k5-noise30-random --seeds 1
 *   npx tsx examples/chain-arith/experiments/run.ts --experiment all --dry-run
 *
 * Each arm and seed trains examples/chain-arith/pipeline-k<k>.yaml with the arm's overrides into
 * `<runs>/<arm>/seed-<n>` (default runs dir: examples/chain-arith/experiments/runs/, gitignored). Resumable: a run
 * whose metrics.jsonl has its last step is skipped; an unfinished one is moved aside and run again.
 *
 * Concurrency (`--jobs N`, default 1) never changes results: every episode, generation and coach decision is seeded
 * from (run seed, step, task, sample, …), never from timing, and each training is pinned with `taskset` to its own
 * CPU (`--cpus 0,1`; `--cpus none` to not pin) so two trainings never share one. Arms that share a warm start (same
 * k, demonstrations and seed) wait until the first of them has written it to the cache, so it is computed once.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isRunFinished } from '../../mathchat/experiments/runStatus.js';
import { ARMS, EXPERIMENTS, isArmId, isExperimentId, runDirName, warmStartGroup, type ArmSpec } from './arms.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');

const { values } = parseArgs({
  options: {
    experiment: { type: 'string', default: 'chain-length' },
    arms: { type: 'string' },
    seeds: { type: 'string', default: '1,2,3' },
    runs: { type: 'string', default: join(here, 'runs') },
    jobs: { type: 'string', default: '1' },
    cpus: { type: 'string', default: '0,1' },
    steps: { type: 'string', default: '30' },
    'dry-run': { type: 'boolean', default: false },
  },
});

function selectedArms(): string[] {
  if (values.arms) {
    const arms = values.arms.split(',').map((s) => s.trim());
    for (const a of arms) if (!isArmId(a)) throw new Error(`unknown arm "${a}"; arms: ${Object.keys(ARMS).join(', ')}`);
    return arms;
  }
  const names = values.experiment === 'all' ? Object.keys(EXPERIMENTS) : values.experiment.split(',');
  const out: string[] = [];
  for (const n of names) {
    if (!isExperimentId(n)) throw new Error(`unknown experiment "${n}"; experiments: all, ${Object.keys(EXPERIMENTS).join(', ')}`);
    for (const a of EXPERIMENTS[n]!.arms) if (!out.includes(a)) out.push(a);
  }
  return out;
}

const seeds = values.seeds.split(',').map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n)) throw new Error(`--seeds: "${s}" is not an integer`);
  return n;
});
const steps = Number(values.steps);
const jobs = Math.max(1, Number(values.jobs));
const cpus = values.cpus === 'none' ? [] : values.cpus.split(',');
const runsDir = resolve(values.runs);
const cacheDir = join(runsDir, '.cache');

interface Job {
  readonly arm: ArmSpec;
  readonly seed: number;
  readonly dir: string;
  readonly group: string;
}

function train(job: Job, cpu: string | undefined): Promise<number> {
  const pipeline = join(root, `examples/chain-arith/pipeline-k${job.arm.k}.yaml`);
  const sets = [`seed=${job.seed}`, `run.cacheDir=${cacheDir}`, `run.steps=${steps}`, ...job.arm.overrides];
  const args = ['bin/mappa.js', 'train', pipeline, '--run-dir', job.dir, '-q', ...sets.flatMap((s) => ['--set', s])];
  const cmd = cpu === undefined ? ['node', ...args] : ['taskset', '-c', cpu, 'node', ...args];
  console.log(`[${job.arm.id} seed ${job.seed}] $ ${cmd.map((c) => (/[\s{}]/.test(c) ? `'${c}'` : c)).join(' ')}`);
  if (values['dry-run']) return Promise.resolve(0);
  return new Promise((res, rej) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', rej);
    child.on('exit', (code, signal) => (signal ? rej(new Error(`training killed by ${signal}`)) : res(code ?? 1)));
  }).then(async (code) => {
    if (values['dry-run']) return code as number;
    await writeFile(join(job.dir, 'experiment.json'), JSON.stringify({ arm: job.arm.id, k: job.arm.k, seed: job.seed, overrides: sets, cpu: cpu ?? null }, null, 2) + '\n').catch(() => {});
    return code as number;
  });
}

const pending: Job[] = [];
for (const seed of seeds) {
  for (const id of selectedArms()) {
    const arm = ARMS[id]!;
    const dir = join(runsDir, runDirName(id, seed));
    if (await isRunFinished(dir, steps)) {
      console.log(`[${id} seed ${seed}] finished already, skipped`);
      continue;
    }
    pending.push({ arm, seed, dir, group: warmStartGroup(arm, seed) });
  }
}
console.log(`${pending.length} run(s), ${jobs} at a time; runs in ${runsDir}`);

const warm = new Set<string>();
const running = new Set<string>();
const freeCpus = [...cpus];
let failed = 0;

async function runJob(job: Job, cpu: string | undefined): Promise<void> {
  if (existsSync(job.dir) && !values['dry-run']) {
    const aside = `${job.dir}.partial-${Date.now()}`;
    await rename(job.dir, aside);
    console.log(`[${job.arm.id} seed ${job.seed}] unfinished run moved to ${aside}`);
  }
  if (!values['dry-run']) await mkdir(dirname(job.dir), { recursive: true });
  const t0 = Date.now();
  const code = await train(job, cpu);
  const min = ((Date.now() - t0) / 60000).toFixed(1);
  if (code !== 0) {
    failed++;
    console.error(`[${job.arm.id} seed ${job.seed}] training exited with ${code}; see ${join(job.dir, 'logs/run.log')}`);
  } else console.log(`[${job.arm.id} seed ${job.seed}] done in ${min} min`);
}

await new Promise<void>((done) => {
  let active = 0;
  const next = () => {
    if (pending.length === 0 && active === 0) return done();
    while (active < jobs) {
      // A job may start when its warm start is cached, or when no other job of its group is computing it.
      const i = pending.findIndex((j) => warm.has(j.group) || !running.has(j.group));
      if (i < 0) return;
      const job = pending.splice(i, 1)[0]!;
      const cpu = cpus.length ? freeCpus.shift() : undefined;
      active++;
      running.add(job.group);
      void runJob(job, cpu).finally(() => {
        active--;
        warm.add(job.group);
        running.delete(job.group);
        if (cpu !== undefined) freeCpus.push(cpu);
        next();
      });
    }
  };
  next();
});
if (failed) {
  console.error(`${failed} run(s) failed`);
  process.exitCode = 1;
}
