import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipelineFile } from '../../core/pipeline/loadPipelineFile.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { waitFor } from '../sandboxes/sandboxTestUtils.js';
import { readMetrics, ROOT, runCli } from '../trainers/cliRunKit.js';

/*
 * Issue 16 (run.overlap: one-step): the update of step k runs in a trainer process while step k+1 rolls out. The
 * trainer process must give exactly the numbers of the in-process schedule, twice the same, resume, surface its
 * errors with the step, and never outlive `mappa train`.
 */

const dirs: string[] = [];
const started: number[] = [];
afterAll(async () => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone (the expected case).
    }
  }
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

// A few seconds per run on a quiet machine; generous for shared, loaded ones.
const CLI_TIMEOUT = 300_000;
const prompt = join(ROOT, 'test', 'fixtures', 'tiny-pipeline', 'prompts', 'agent.liquid');

/** Three agents on two real tfjs-transformer tiny policies (coder and verifier share one), trained by `trainer`. */
function pipeline(tmp: string, trainer: Record<string, unknown>, run: Record<string, unknown> = {}) {
  const policy = (seed: number) => ({ use: 'tfjs-transformer', preset: 'tiny', seed, maxNewTokens: 6, maxContextLength: 256 });
  return {
    name: 'overlap-tfjs',
    seed: 5,
    plugins: [join(ROOT, 'test', 'fakes', 'trainerTestPlugins.ts'), join(ROOT, 'test', 'fakes', 'overlapTestPlugins.ts')],
    tasks: { use: 'inline', tasks: [1, 2, 3, 4].map((i) => ({ id: `t${i}`, prompt: `pick ${i}`, answer: i, split: i < 4 ? 'train' : 'test' })) },
    environment: { use: 'test-env' },
    policies: { a: policy(1), b: policy(2) },
    agents: [
      { id: 'solver', role: 'Problem Solver', policy: 'a', prompt },
      { id: 'coder', role: 'Code Executor', policy: 'b', prompt },
      { id: 'verifier', role: 'Verifier', policy: 'b', prompt },
    ],
    coach: { use: 'digit-coach', mode: 'checksum' },
    trainer,
    rewards: { trainOnTruncated: true },
    run: {
      steps: 3,
      tasksPerStep: 2,
      samplesPerTask: 2,
      concurrency: 4,
      checkpointEvery: 1,
      report: false,
      overlap: 'one-step',
      outputDir: join(tmp, 'runs'),
      cacheDir: join(tmp, 'cache'),
      eval: { atStart: false, every: 2, atEnd: true },
      ...run,
    },
  };
}

// Shuffled mini-batches (trainer RNG), k1 KL (reference), Adam moments: all live in the trainer process.
const reinforce = { use: 'reinforce++', lr: 2e-3, microBatchSize: 2, miniBatches: 2, maskTruncated: false };

/** Pids of `internal-trainer` processes working for `runDir`. */
function trainerChildren(runDir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const state = /State:\s+(\w)/.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1];
      if (cmd.includes('internal-trainer') && cmd.includes(runDir) && state !== 'Z') out.push(Number(name));
    } catch {
      // Exited meanwhile.
    }
  }
  return out;
}

async function tmpDir(): Promise<string> {
  const tmp = await mkdtemp(join(tmpdir(), 'mappa-overlap-'));
  dirs.push(tmp);
  return tmp;
}

describe('run.overlap: one-step', () => {
  it('the trainer process gives exactly the in-process schedule\'s numbers, one version stale; --resume continues', { timeout: 900_000 }, async () => {
    const tmp = await tmpDir();
    const file = join(tmp, 'pipeline.json');
    await writeFile(file, JSON.stringify(pipeline(tmp, reinforce), null, 2));
    // In-process (no trainer process): each update runs after the next step's rollouts, the same schedule. It runs
    // while the CLI's run (with its trainer process) does.
    const inProcess = async () => {
      const { pipeline: resolved } = await loadPipelineFile(file, createBuiltinRegistry());
      const run = await createRun({ pipeline: resolved, runDir: join(tmp, 'inproc'), logger: silentLogger });
      try {
        await run.runner.train();
      } finally {
        await run.dispose();
      }
    };
    const [a] = await Promise.all([runCli(['train', file, '--run-dir', join(tmp, 'a'), '-q'], {}, CLI_TIMEOUT), inProcess()]);
    expect(a.code, a.stderr).toBe(0);
    const ma = await readMetrics(join(tmp, 'a'));
    expect(ma.map((r) => r['step'])).toEqual([1, 2, 3]);
    expect(await readMetrics(join(tmp, 'inproc'))).toEqual(ma);
    // Step 1 trains on the initial weights' samples; later steps on samples one version behind, with their
    // behaviour log-probs as the old ones (a nonzero PPO ratio spread: clipping and behaviour_kl appear).
    expect(ma[0]!['train/staleness_max']).toBe(0);
    for (const r of ma.slice(1)) {
      expect(r['train/staleness_mean']).toBe(1);
      expect(Number(r['trainer/solver/stale_samples'])).toBeGreaterThan(0);
      expect(Math.abs(Number(r['trainer/solver/behaviour_kl']))).toBeGreaterThan(0);
      expect(Number(r['trainer/solver/grad_norm'])).toBeGreaterThan(0);
    }
    expect(ma[1]!['eval/accuracy']).toBeDefined();
    expect(ma[2]!['eval/accuracy']).toBeDefined();
    const version = (dir: string) => JSON.parse(readFileSync(join(dir, 'checkpoints', 'step-0003', 'policies', 'a', 'mappa_policy.json'), 'utf8')).policyVersion;
    expect(version(join(tmp, 'a'))).toBe(3);
    expect(version(join(tmp, 'inproc'))).toBe(3);
    expect(existsSync(join(tmp, 'a', 'checkpoints', 'step-0003', 'trainer', 'state.json'))).toBe(true);
    // The trainer process and its weight exchange folder are gone.
    expect(trainerChildren(join(tmp, 'a'))).toEqual([]);
    expect(existsSync(join(tmp, 'a', 'work', 'trainer-process'))).toBe(false);

    // Resume for one more step: the trainer process starts from the checkpoint's weights and trainer state; the first
    // resumed step rolls out with the checkpoint's weights (staleness 0, documented), then trains on.
    const resumed = await runCli(['train', '--resume', join(tmp, 'a'), '--set', 'run.steps=4', '-q'], {}, CLI_TIMEOUT);
    expect(resumed.code, resumed.stderr).toBe(0);
    const mr = await readMetrics(join(tmp, 'a'));
    expect(mr.map((r) => r['step'])).toEqual([1, 2, 3, 4]);
    expect(mr.slice(0, 3)).toEqual(ma);
    expect(mr[3]!['train/staleness_max']).toBe(0);
    expect(Number(mr[3]!['trainer/solver/grad_norm'])).toBeGreaterThan(0);
    expect(version(join(tmp, 'a'))).toBe(3);
    expect(JSON.parse(readFileSync(join(tmp, 'a', 'checkpoints', 'step-0004', 'policies', 'a', 'mappa_policy.json'), 'utf8')).policyVersion).toBe(4);
  });

  it('an update that fails in the trainer process fails the run naming the step; no process is left', { timeout: 600_000 }, async () => {
    const tmp = await tmpDir();
    const file = join(tmp, 'pipeline.json');
    await writeFile(file, JSON.stringify(pipeline(tmp, { use: 'scripted-trainer', failAtStep: 2 }), null, 2));
    const runDir = join(tmp, 'run');
    const res = await runCli(['train', file, '--run-dir', runDir, '-q'], {}, CLI_TIMEOUT);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('the update of step 2 failed in the trainer process: scripted failure at step 2');
    expect(res.stderr).toContain('hint: the test asked for it');
    expect(trainerChildren(runDir)).toEqual([]);
    // Step 1 was trained (in the trainer process, with the off-policy flag) and checkpointed before the failure.
    const rows = await readMetrics(runDir);
    expect(rows.map((r) => r['step'])).toEqual([1]);
    expect(rows[0]!['trainer/solver/off_policy']).toBe(1);
    expect(existsSync(join(runDir, 'checkpoints', 'step-0001', 'trainer', 'state.json'))).toBe(true);
  });

  it('Ctrl-C stops the run after the update in flight and the trainer process with it; SIGKILL of mappa takes it along', { timeout: 600_000 }, async () => {
    const tmp = await tmpDir();
    const file = join(tmp, 'pipeline.json');
    await writeFile(file, JSON.stringify(pipeline(tmp, { use: 'scripted-trainer', busyMs: 1500 }, { steps: 50, eval: { atStart: false, every: 0, atEnd: false } }), null, 2));
    for (const how of ['SIGINT', 'SIGKILL'] as const) {
      const runDir = join(tmp, how);
      const parent = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'fakes', 'mappaCli.ts'), 'train', file, '--run-dir', runDir, '-q'], { cwd: ROOT, stdio: 'ignore' });
      started.push(parent.pid!);
      const exited = new Promise<number | null>((r) => parent.once('exit', (code) => r(code)));
      // Running once a step's row is written (the trainer process trains the next one).
      expect(await waitFor(() => existsSync(join(runDir, 'metrics.jsonl')), 300_000, 100)).toBe(true);
      const children = trainerChildren(runDir);
      expect(children.length).toBe(1);
      started.push(...children);
      // A terminal's Ctrl-C reaches the whole process group: the trainer process ignores it, mappa stops it.
      if (how === 'SIGINT') for (const pid of [parent.pid!, ...children]) process.kill(pid, 'SIGINT');
      else parent.kill('SIGKILL');
      const code = await exited;
      if (how === 'SIGINT') expect(code).toBe(130);
      expect(await waitFor(() => trainerChildren(runDir).length === 0, 10_000, 50)).toBe(true);
    }
    // After Ctrl-C the update in flight was finished and its step logged: rows are consecutive from 1.
    const rows = await readMetrics(join(tmp, 'SIGINT'));
    expect(rows.map((r) => r['step'])).toEqual(rows.map((_, i) => i + 1));
  });
});
