/**
 * Runs the arms of issue 7's experiments, one training at a time.
 *
 *   npm run build
 *   npx tsx examples/mathchat/experiments/run.ts --experiment process-vs-outcome --seeds 1,2,3
 *   npx tsx examples/mathchat/experiments/run.ts --experiment all --seeds 1,2,3 [--cpu 1] [--runs DIR] [--dry-run]
 *
 * Each arm and seed trains `examples/mathchat/pipeline.yaml` with the arm's overrides into `<runs>/<arm>/seed-<n>`
 * (default runs dir: `examples/mathchat/experiments/runs/`, gitignored). Resumable: an arm whose run dir already has a
 * finished metrics.jsonl is skipped; an unfinished one is moved aside to `<dir>.partial-<time>` and run again. The
 * warm start is cached in `<runs>/.cache`, so all arms of one seed share it. Trainings are pinned with `taskset` to
 * the CPU given by `--cpu` (default 1) so they stay off the CPU other timings use; `--cpu none` does not pin.
 * Arms are ordered seed-major, so an interrupted sweep leaves every experiment with the same seeds done.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { ARMS, EXPERIMENTS, type ArmId, isArmId, isExperimentId, runDirName } from './arms.js';
import { isRunFinished } from './runStatus.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const pipelineFile = join(root, 'examples/mathchat/pipeline.yaml');

const { values } = parseArgs({
  options: {
    experiment: { type: 'string', default: 'all' },
    arms: { type: 'string' },
    seeds: { type: 'string', default: '1,2,3' },
    runs: { type: 'string', default: join(here, 'runs') },
    cpu: { type: 'string', default: '1' },
    set: { type: 'string', multiple: true, default: [] },
    'dry-run': { type: 'boolean', default: false },
  },
});

function selectedArms(): ArmId[] {
  if (values.arms) {
    const arms = values.arms.split(',').map((s) => s.trim());
    for (const a of arms) if (!isArmId(a)) throw new Error(`unknown arm "${a}"; arms: ${Object.keys(ARMS).join(', ')}`);
    return arms as ArmId[];
  }
  const names = values.experiment === 'all' ? Object.keys(EXPERIMENTS) : values.experiment.split(',');
  const out: ArmId[] = [];
  for (const n of names) {
    if (!isExperimentId(n)) throw new Error(`unknown experiment "${n}"; experiments: all, ${Object.keys(EXPERIMENTS).join(', ')}`);
    for (const a of EXPERIMENTS[n].arms) if (!out.includes(a)) out.push(a);
  }
  return out;
}

const seeds = values.seeds.split(',').map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n)) throw new Error(`--seeds: "${s}" is not an integer`);
  return n;
});
const runsDir = resolve(values.runs);
const cacheDir = join(runsDir, '.cache');
const steps = Number((parseYaml(await readFile(pipelineFile, 'utf8')) as { run: { steps: number } }).run.steps);

function train(args: string[], logFile: string): Promise<number> {
  const cmd = values.cpu === 'none' ? ['node', ...args] : ['taskset', '-c', values.cpu, 'node', ...args];
  console.log(`  $ ${cmd.map((c) => (/[\s{}]/.test(c) ? `'${c}'` : c)).join(' ')}`);
  if (values['dry-run']) return Promise.resolve(0);
  return new Promise((res, rej) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', rej);
    child.on('exit', (code, signal) => (signal ? rej(new Error(`training killed by ${signal} (log: ${logFile})`)) : res(code ?? 1)));
  });
}

const arms = selectedArms();
console.log(`arms ${arms.join(', ')}; seeds ${seeds.join(', ')}; runs in ${runsDir}`);
for (const seed of seeds) {
  for (const arm of arms) {
    const dir = join(runsDir, runDirName(arm, seed));
    const stepsHere = values.set.some((s) => s.startsWith('run.steps=')) ? Number(values.set.find((s) => s.startsWith('run.steps='))!.split('=')[1]) : steps;
    if (await isRunFinished(dir, stepsHere)) {
      console.log(`[${arm} seed ${seed}] finished already, skipped`);
      continue;
    }
    if (existsSync(dir) && !values['dry-run']) {
      const aside = `${dir}.partial-${Date.now()}`;
      await rename(dir, aside);
      console.log(`[${arm} seed ${seed}] unfinished run moved to ${aside}`);
    }
    console.log(`[${arm} seed ${seed}] ${ARMS[arm].label}`);
    await mkdir(dirname(dir), { recursive: true });
    const sets = [`seed=${seed}`, `run.cacheDir=${cacheDir}`, ...ARMS[arm].overrides, ...values.set];
    const t0 = Date.now();
    const code = await train(['bin/mappa.js', 'train', pipelineFile, '--run-dir', dir, '-q', ...sets.flatMap((s) => ['--set', s])], join(dir, 'logs/run.log'));
    const wallSeconds = (Date.now() - t0) / 1000;
    if (code !== 0) throw new Error(`[${arm} seed ${seed}] training exited with ${code}; see ${join(dir, 'logs/run.log')}`);
    if (!values['dry-run']) await writeFile(join(dir, 'experiment.json'), JSON.stringify({ arm, seed, overrides: sets, wallSeconds, cpu: values.cpu }, null, 2) + '\n');
    console.log(`[${arm} seed ${seed}] done in ${(wallSeconds / 60).toFixed(1)} min`);
  }
}
