import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { waitFor } from '../sandboxes/sandboxTestUtils.js';
import { ROOT, runCli } from '../trainers/cliRunKit.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

/*
 * Issue 18 item 8: SIGKILL of `mappa train` during the warm start must take the warm-start child processes with it
 * (they watch a pipe from the parent), leave no temp job folders after the next start, and `--resume` must restart
 * the warm start instead of saying there is no checkpoint.
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    const state = /State:\s+(\w)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return state !== 'Z';
  } catch {
    return false;
  }
};

/** Pids of `internal-warm-start` processes working for `runDir`. */
function warmStartChildren(runDir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes('internal-warm-start') && cmd.includes(runDir)) out.push(Number(name));
    } catch {
      // Exited meanwhile.
    }
  }
  return out;
}

describe('warm start killed with its parent (issue 18 item 8)', () => {
  it('children die with the parent, stale job folders are swept and --resume restarts the warm start', { timeout: 120_000 }, async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'mappa-warmcrash-'));
    dirs.push(tmp);
    const pidFile = join(tmp, 'children.pid');
    const raw = {
      ...tinyPipeline({ run: { steps: 1, tasksPerStep: 1, samplesPerTask: 1, eval: { every: 0, atStart: false, atEnd: false }, report: false, cacheDir: join(tmp, 'cache') } }),
      plugins: [join(ROOT, 'test', 'fakes', 'slowWarmStartPlugins.ts')],
      warmStart: { demonstrations: { use: 'fake-demos', count: 2 }, trainer: { use: 'slow-warm-trainer', seconds: 60, pidFile } },
    };
    // Prompts are relative to the pipeline file: write it next to them.
    const file = join(TINY_DIR, `.warmcrash-${process.pid}.yaml`);
    await writeFile(file, stringify(raw));
    const runDir = join(tmp, 'run');
    const env = { ...process.env, TMPDIR: tmp, MAPPA_WARMSTART_PARALLEL: '3' };
    try {
      const parent = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'fakes', 'mappaCli.ts'), 'train', file, '--run-dir', runDir, '-q'], {
        cwd: ROOT,
        env,
        stdio: 'ignore',
      });
      started.push(parent.pid!);
      const working = () => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim().split('\n').filter(Boolean).map(Number) : []);
      expect(await waitFor(() => working().length >= 1, 60_000, 100)).toBe(true);
      const children = warmStartChildren(runDir);
      expect(children.length).toBeGreaterThanOrEqual(1);
      started.push(...children);
      expect(children.every(alive)).toBe(true);
      const exited = new Promise((r) => parent.once('exit', r));
      parent.kill('SIGKILL');
      await exited;
      // The children notice the closed pipe and exit within a couple of seconds (not after their 60 s of work).
      expect(await waitFor(() => !children.some(alive), 5_000, 50)).toBe(true);
      expect(readdirSync(tmp).filter((d) => d.startsWith('mappa-warm')).length).toBeGreaterThan(0);

      // Resume: no checkpoint yet, so the warm start runs again (quick this time) and the run completes.
      const fast = { ...raw, warmStart: { ...raw.warmStart, trainer: { use: 'slow-warm-trainer', seconds: 0, pidFile } } };
      await writeFile(join(runDir, 'resume.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(runDir, 'resume.json'), 'utf8')), raw: fast }));
      const resumed = await runCli(['train', '--resume', runDir, '-q'], { TMPDIR: tmp });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(existsSync(join(runDir, 'checkpoints', 'step-0001'))).toBe(true);
      // The dead run's temp job folders were swept at the next start.
      expect(readdirSync(tmp).filter((d) => d.startsWith('mappa-warm'))).toEqual([]);
    } finally {
      await rm(file, { force: true });
    }
  });
});
