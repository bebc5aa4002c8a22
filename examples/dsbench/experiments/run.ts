/**
 * Issue 17, experiment 5: the headline comparison on the built-in DSBench job — process rewards (`dsbench-rule`)
 * vs outcome-only rewards (`outcome`: 10 for every action of an episode that produced a valid submission, else 0).
 *
 *   npm run build
 *   npx tsx examples/dsbench/experiments/run.ts --seeds 1,2,3 [--arms process,outcome] [--cpu 1] [--dry-run]
 *
 * Each arm and seed trains examples/dsbench/pipeline.yaml into examples/dsbench/experiments/runs/<arm>/seed-<n>
 * (gitignored), one at a time, pinned with taskset to `--cpu` (`none` to not pin). The warm start is cached in
 * runs/.cache, so both arms of a seed start RL from the same weights. Finished runs are skipped.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { isRunFinished } from '../../mathchat/experiments/runStatus.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const pipeline = join(root, 'examples/dsbench/pipeline.yaml');
const ARMS: Record<string, string[]> = { process: [], outcome: ['coach={use: outcome}'] };

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    arms: { type: 'string', default: 'process,outcome' },
    runs: { type: 'string', default: join(here, 'runs') },
    cpu: { type: 'string', default: '1' },
    'dry-run': { type: 'boolean', default: false },
  },
});
const steps = Number((parseYaml(await readFile(pipeline, 'utf8')) as { run: { steps: number } }).run.steps);
const runsDir = resolve(values.runs);
for (const seed of values.seeds.split(',').map(Number)) {
  for (const arm of values.arms.split(',')) {
    const overrides = ARMS[arm];
    if (!overrides) throw new Error(`unknown arm "${arm}"; arms: ${Object.keys(ARMS).join(', ')}`);
    const dir = join(runsDir, arm, `seed-${seed}`);
    if (await isRunFinished(dir, steps, 'eval/success_rate')) {
      console.log(`[${arm} seed ${seed}] finished already, skipped`);
      continue;
    }
    if (existsSync(dir) && !values['dry-run']) await rename(dir, `${dir}.partial-${Date.now()}`);
    if (!values['dry-run']) await mkdir(dirname(dir), { recursive: true });
    const sets = [`seed=${seed}`, `run.cacheDir=${join(runsDir, '.cache')}`, ...overrides];
    const args = ['bin/mappa.js', 'train', pipeline, '--run-dir', dir, '-q', ...sets.flatMap((s) => ['--set', s])];
    const cmd = values.cpu === 'none' ? ['node', ...args] : ['taskset', '-c', values.cpu, 'node', ...args];
    console.log(`[${arm} seed ${seed}] $ ${cmd.map((c) => (/[\s{}]/.test(c) ? `'${c}'` : c)).join(' ')}`);
    if (values['dry-run']) continue;
    const code = await new Promise<number>((res, rej) => {
      const child = spawn(cmd[0]!, cmd.slice(1), { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', rej);
      child.on('exit', (c, signal) => (signal ? rej(new Error(`killed by ${signal}`)) : res(c ?? 1)));
    });
    if (code !== 0) throw new Error(`[${arm} seed ${seed}] training exited with ${code}; see ${join(dir, 'logs/run.log')}`);
  }
}
