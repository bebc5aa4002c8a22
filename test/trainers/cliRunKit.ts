import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { expect } from 'vitest';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'test', 'fakes', 'mappaCli.ts');

/** Runs the CLI from the sources in a child process; kills it (by pid) if it outlives the timeout. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done, fail) => {
    const baseEnv = { ...process.env };
    delete baseEnv['MAPPA_TEST_KILL_AT_STEP'];
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { ...baseEnv, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stderr });
    });
  });
}

/** A run's metrics rows without the wall-clock timings. */
export async function readMetrics(runDir: string): Promise<Array<Record<string, unknown>>> {
  return (await readFile(join(runDir, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => Object.fromEntries(Object.entries(JSON.parse(l) as Record<string, unknown>).filter(([k]) => !k.startsWith('time/'))));
}

/**
 * The resume scenario: the pipeline (written to `<tmp>/pipeline.json`) trained straight through into `<tmp>/straight`
 * and, at the same time, SIGKILLed at `killAtStep` into `<tmp>/killed`; `beforeResume` inspects the killed run's
 * checkpoints, then `mappa train --resume` finishes it. Returns both run directories and the pipeline file.
 */
export async function trainStraightAndKilled(
  tmp: string,
  pipeline: unknown,
  killAtStep: number,
  beforeResume: (killedDir: string) => void,
): Promise<{ file: string; straightDir: string; killedDir: string }> {
  const file = join(tmp, 'pipeline.json');
  await writeFile(file, JSON.stringify(pipeline, null, 2));
  const straightDir = join(tmp, 'straight');
  const killedDir = join(tmp, 'killed');
  const [straight, killed] = await Promise.all([
    runCli(['train', file, '--run-dir', straightDir, '-q']),
    runCli(['train', file, '--run-dir', killedDir, '-q'], { MAPPA_TEST_KILL_AT_STEP: String(killAtStep) }),
  ]);
  expect(straight.code, straight.stderr).toBe(0);
  expect(killed.signal, killed.stderr).toBe('SIGKILL');
  beforeResume(killedDir);
  const resumed = await runCli(['train', '--resume', killedDir, '-q']);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(await readFile(join(killedDir, 'logs', 'run.log'), 'utf8')).toContain('resumed from');
  return { file, straightDir, killedDir };
}
