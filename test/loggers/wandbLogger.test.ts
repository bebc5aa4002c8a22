import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../core/contracts/Logger.js';
import { runArtifacts } from '../../core/runner/createRun.js';
import { RunLoggers } from '../../core/runner/RunLoggers.js';
import { createWandbLogger } from '../../plugins/loggers/index.js';
import { startFakeWandbServer, type FakeWandbServer } from '../fakes/fakeWandbServer.js';

const KEY = 'wandb-key-0123456789abcdef';
let server: FakeWandbServer;
const dirs: string[] = [];
beforeEach(async () => {
  server = await startFakeWandbServer({ apiKey: KEY, entity: 'team-a' });
  process.env['MAPPA_TEST_WANDB_KEY'] = KEY;
});
afterEach(async () => {
  await server.close();
  delete process.env['MAPPA_TEST_WANDB_KEY'];
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string, f?: Record<string, unknown>) => lines.push(m + (f ? JSON.stringify(f) : ''));
  return { lines, debug: push, info: push, warn: push, error: push };
}

describe('wandb logger against a fake W&B API', () => {
  it('a resumed run (same run directory) continues the same W&B run after its history lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-wandb-resume-'));
    dirs.push(dir);
    const make = () => createWandbLogger({ project: 'mappa-tests', baseURL: server.url, apiKeyEnv: 'MAPPA_TEST_WANDB_KEY', files: false });
    const start = { runDir: dir, runName: 'tiny-r', pipelineName: 'tiny', config: { seed: 3 } };
    const first = make();
    await first.start!(start);
    await first.log(1, { 'train/success_rate': 0.5 });
    await first.log(2, { 'train/success_rate': 0.625 });
    await first.finish!({ status: 'interrupted', step: 2, artifacts: [] });
    const second = make();
    await second.start!(start);
    await second.log(3, { 'eval/accuracy': 0.75 });
    await second.finish!({ status: 'finished', step: 3, artifacts: [] });

    expect(server.violations).toEqual([]);
    expect(server.runs.size).toBe(1);
    const [run] = [...server.runs.values()];
    expect([...run!.history.entries()].sort((a, b) => a[0] - b[0]).map(([offset, line]) => [offset, line['_step']])).toEqual([[0, 1], [1, 2], [2, 3]]);
    expect(run!.summary).toMatchObject({ 'train/success_rate': 0.625, 'eval/accuracy': 0.75 });
  });

  it('creates the run with its config under the default entity, streams one history line per step, uploads the files and completes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-wandb-'));
    dirs.push(dir);
    await writeFile(join(dir, 'report.html'), '<html>r</html>');
    await writeFile(join(dir, 'config.resolved.yaml'), 'seed: 3\n');
    const log = recordingLogger();
    const hub = new RunLoggers({
      loggers: [{ id: 'wandb', logger: createWandbLogger({ project: 'mappa-tests', baseURL: server.url, apiKeyEnv: 'MAPPA_TEST_WANDB_KEY', tags: ['ci'] }) }],
      log,
      minRetryDelayMs: 5,
    });
    await hub.start({ runDir: dir, runName: 'tiny-1', pipelineName: 'tiny', config: { seed: 3, run: { steps: 2 } } });
    const rows = [
      { step: 0, 'eval/accuracy': 0.25 },
      { step: 1, 'train/success_rate': 0.5, 'train/coach/score/solver': 7.5 },
      { step: 2, 'train/success_rate': 0.75, 'eval/accuracy': 0.5, bad: Number.POSITIVE_INFINITY },
    ];
    for (const r of rows) await hub.log(r.step, r);
    const stats = await hub.finish({ status: 'finished', step: 2, artifacts: runArtifacts(dir) });

    expect(server.violations).toEqual([]);
    expect(stats).toEqual([{ logger: 'wandb', sent: 5, failed: 0, retries: 0, unsent: 0 }]);
    const [run] = [...server.runs.values()];
    expect(run).toMatchObject({ entity: 'team-a', project: 'mappa-tests', displayName: 'tiny-1', tags: ['ci'] });
    expect(run!.config).toEqual({ seed: { value: 3, desc: null }, run: { value: { steps: 2 }, desc: null } });
    const history = [...run!.history.entries()].sort((a, b) => a[0] - b[0]).map(([, line]) => line);
    expect(history.map((h) => h['_step'])).toEqual([0, 1, 2]);
    expect(history[1]).toMatchObject({ 'train/success_rate': 0.5, 'train/coach/score/solver': 7.5 });
    expect(history[2]).toMatchObject({ 'train/success_rate': 0.75, 'eval/accuracy': 0.5 });
    expect(history[2]).not.toHaveProperty('bad');
    expect(run!.summary).toMatchObject({ 'eval/accuracy': 0.5, 'train/success_rate': 0.75 });
    expect(run!.files.get('report.html')?.toString()).toBe('<html>r</html>');
    expect(run!.files.get('config.resolved.yaml')?.toString()).toBe('seed: 3\n');
    expect(run!.complete).toEqual({ exitcode: 0 });
    expect(JSON.stringify(log.lines)).not.toContain(KEY);
  });

  it('without the API key in the environment it fails fast (no retries), counts it and never blocks', async () => {
    delete process.env['MAPPA_TEST_WANDB_KEY'];
    const log = recordingLogger();
    const hub = new RunLoggers({ loggers: [{ id: 'wandb', logger: createWandbLogger({ project: 'p', baseURL: server.url, apiKeyEnv: 'MAPPA_TEST_WANDB_KEY' }) }], log, minRetryDelayMs: 5 });
    await hub.start({ runDir: '/x', runName: 'r', pipelineName: 'p', config: {} });
    await hub.log(1, { step: 1, x: 1 });
    const stats = await hub.finish({ status: 'finished', step: 1, artifacts: [] });
    expect(stats).toEqual([{ logger: 'wandb', sent: 0, failed: 3, retries: 0, unsent: 0, lastError: expect.stringMatching(/set the environment variable MAPPA_TEST_WANDB_KEY/) }]);
    expect(server.authorization).toEqual([]);
    expect(log.lines.some((l) => /logger wandb: 3 call\(s\) failed after retries/.test(l))).toBe(true);
  });
});
