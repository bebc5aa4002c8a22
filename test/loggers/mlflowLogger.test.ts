import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../core/contracts/Logger.js';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun, runArtifacts } from '../../core/runner/createRun.js';
import { RunLoggers } from '../../core/runner/RunLoggers.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { createMlflowLogger } from '../../plugins/loggers/index.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { startFakeMlflowServer, type FakeMlflowServer } from '../fakes/fakeMlflowServer.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

let server: FakeMlflowServer;
const dirs: string[] = [];
beforeEach(async () => {
  server = await startFakeMlflowServer();
});
afterEach(async () => {
  await server.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  delete process.env['MAPPA_TEST_MLFLOW_TOKEN'];
});

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string, f?: Record<string, unknown>) => lines.push(m + (f ? JSON.stringify(f) : ''));
  return { lines, debug: push, info: push, warn: push, error: push };
}

/** A loopback port nothing listens on: a tracker that is down. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('mlflow logger against a fake MLflow server that checks the REST schema', () => {
  it('creates the experiment and run, logs config params, every metric per step and the artifacts, then finishes the run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-mlflow-'));
    dirs.push(dir);
    await writeFile(join(dir, 'report.html'), '<html>report</html>');
    await writeFile(join(dir, 'config.resolved.yaml'), 'name: tiny\n');
    process.env['MAPPA_TEST_MLFLOW_TOKEN'] = 'tok-secret-123';
    const log = recordingLogger();
    const hub = new RunLoggers({
      loggers: [{ id: 'mlflow', logger: createMlflowLogger({ baseURL: server.url, experiment: 'exp-a', apiKeyEnv: 'MAPPA_TEST_MLFLOW_TOKEN', tags: { team: 'x' } }) }],
      log,
      minRetryDelayMs: 5,
      maxRetryDelayMs: 20,
    });
    const config = { name: 'tiny', seed: 7, run: { steps: 2, eval: { every: 1 } }, agents: [{ id: 'solver' }, { id: 'coder' }], long: 'v'.repeat(7000) };
    await hub.start({ runDir: dir, runName: 'tiny-20260101-000000', pipelineName: 'tiny', config });
    const rows = [
      { step: 0, 'eval/accuracy': 0.25, 'time/warmstart_s': 3.5 },
      { step: 1, 'train/success_rate': 0.5, 'train/coach/score/solver': 6.25, 'eval/accuracy': Number.NaN, note: 'text is not a metric' },
      { step: 2, 'train/success_rate': 0.75, 'trainer/solver/loss': -0.125 },
    ];
    await hub.log(0, rows[0]!);
    server.failNext(2); // the server is down for two requests: retried in the background, nothing lost
    await hub.log(1, rows[1]!);
    await hub.log(2, rows[2]!);
    const stats = await hub.finish({ status: 'finished', step: 2, artifacts: runArtifacts(dir) });

    expect(server.violations).toEqual([]);
    expect(server.experiments.get('exp-a')).toBeDefined();
    const [run] = [...server.runs.values()];
    expect(run!.name).toBe('tiny-20260101-000000');
    expect(run!.tags.get('team')).toBe('x');
    expect(run!.params.get('run.eval.every')).toBe('1');
    expect(run!.params.get('agents.1.id')).toBe('coder');
    expect(run!.params.get('seed')).toBe('7');
    expect(run!.params.get('long')!.length).toBeLessThanOrEqual(6000);
    const got = run!.metrics.map((m) => [m.step, m.key, m.value]).sort();
    const want = rows.flatMap((r) => Object.entries(r).filter(([k, v]) => k !== 'step' && typeof v === 'number' && Number.isFinite(v)).map(([k, v]) => [r.step, k, v])).sort();
    expect(got).toEqual(want);
    expect(run!.artifacts.get('report.html')?.toString()).toBe('<html>report</html>');
    expect(run!.artifacts.get('config.resolved.yaml')?.toString()).toBe('name: tiny\n');
    expect(run!.status).toBe('FINISHED');
    expect(run!.endTime).toBeTypeOf('number');
    expect(stats).toEqual([{ logger: 'mlflow', sent: 5, failed: 0, retries: 2, unsent: 0 }]);
    // The token goes in the Authorization header and nowhere else.
    expect(server.authorization.every((a) => a === 'Bearer tok-secret-123')).toBe(true);
    expect(JSON.stringify([stats, log.lines])).not.toContain('tok-secret-123');
  });

  it('a resumed run (same run directory) logs into the same MLflow run, set back to RUNNING, without re-sending params', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-mlflow-resume-'));
    dirs.push(dir);
    const start = { runDir: dir, runName: 'tiny-r', pipelineName: 'tiny', config: { seed: 7 } };
    const first = createMlflowLogger({ baseURL: server.url, artifacts: false });
    await first.start!(start);
    await first.log(1, { 'train/success_rate': 0.5 });
    await first.finish!({ status: 'interrupted', step: 1, artifacts: [] });
    expect([...server.runs.values()][0]!.status).toBe('KILLED');
    const callsBefore = server.calls.length;

    const second = createMlflowLogger({ baseURL: server.url, artifacts: false });
    await second.start!(start);
    await second.log(2, { 'train/success_rate': 0.75 });
    await second.finish!({ status: 'finished', step: 2, artifacts: [] });

    expect(server.violations).toEqual([]);
    expect(server.runs.size).toBe(1);
    const [run] = [...server.runs.values()];
    expect(run!.metrics.map((m) => [m.step, m.value])).toEqual([[1, 0.5], [2, 0.75]]);
    expect(run!.params.get('seed')).toBe('7');
    expect(run!.status).toBe('FINISHED');
    expect(server.calls.slice(callsBefore).filter((c) => c.endsWith('runs/create') || c.endsWith('experiments/get-by-name'))).toEqual([]);
  });

  it('reuses an existing experiment found by name', async () => {
    const first = new RunLoggers({ loggers: [{ id: 'mlflow', logger: createMlflowLogger({ baseURL: server.url, experiment: 'shared' }) }], log: silentLogger });
    const second = new RunLoggers({ loggers: [{ id: 'mlflow', logger: createMlflowLogger({ baseURL: server.url, experiment: 'shared' }) }], log: silentLogger });
    for (const hub of [first, second]) {
      const runDir = await mkdtemp(join(tmpdir(), 'mappa-mlflow-exp-'));
      dirs.push(runDir);
      await hub.start({ runDir, runName: 'r', pipelineName: 'p', config: {} });
      await hub.finish({ status: 'interrupted', step: 0, artifacts: [] });
    }
    expect(server.violations).toEqual([]);
    expect(server.calls.filter((c) => c.endsWith('experiments/create'))).toHaveLength(1);
    expect([...server.runs.values()].map((r) => [r.experimentId, r.status])).toEqual([
      ['1', 'KILLED'],
      ['1', 'KILLED'],
    ]);
  });

  it('a whole run sends its metrics.jsonl rows to MLflow, while a tracker that is down only costs counted failures', async () => {
    const port = await closedPort();
    const fakes = fakePlugins();
    const registry = createBuiltinRegistry();
    registry.registerAll(fakes.defs, 'test');
    const raw = tinyPipeline({
      run: {
        ...tinyPipeline().run,
        loggers: [{ use: 'console' }, { use: 'jsonl' }, { use: 'mlflow', baseURL: server.url }, { use: 'mlflow', baseURL: `http://127.0.0.1:${port}`, timeoutMs: 500 }],
        loggerFlushTimeout: 3,
      },
    });
    const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const runDir = await mkdtemp(join(tmpdir(), 'mappa-run-'));
    dirs.push(runDir);
    const log = recordingLogger();
    const t0 = performance.now();
    const run = await createRun({ pipeline: result.pipeline, runDir, logger: log });
    const summary = await run.runner.train();
    const stats = await run.loggers.finish({ status: 'finished', step: summary.step, artifacts: runArtifacts(runDir) });
    await run.dispose();
    expect(summary.step).toBe(2);
    expect(performance.now() - t0).toBeLessThan(20_000);

    const rows = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const [mlrun] = [...server.runs.values()];
    expect(server.violations).toEqual([]);
    expect(server.experiments.has('tiny')).toBe(true);
    const want = rows.flatMap((r) => Object.entries(r).filter(([k, v]) => k !== 'step' && typeof v === 'number').map(([k, v]) => `${r['step']} ${k} ${v}`)).sort();
    expect(mlrun!.metrics.map((m) => `${m.step} ${m.key} ${m.value}`).sort()).toEqual(want);
    expect(mlrun!.params.get('run.steps')).toBe('2');
    expect(mlrun!.artifacts.has('config.resolved.yaml')).toBe(true);
    expect(mlrun!.status).toBe('FINISHED');

    const [, , up, down] = stats;
    expect(up).toMatchObject({ logger: 'mlflow', failed: 0, unsent: 0 });
    expect(down!.logger).toBe('mlflow');
    expect(down!.sent).toBe(0);
    expect(down!.failed + down!.unsent).toBeGreaterThan(0);
    expect(log.lines.some((l) => /logger mlflow: \d+ call\(s\) failed after retries, \d+ not sent/.test(l))).toBe(true);
    // The console logger printed the step lines.
    expect(log.lines.filter((l) => /^step [12]: success/.test(l))).toHaveLength(2);
  });
});
