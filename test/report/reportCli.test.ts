import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildProgram, main } from '../../cli/main.js';
import { reportEnabled, writeReportAfterRun } from '../../cli/writeReportAfterRun.js';
import { afterRunHooks } from '../../cli/runHooks.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { TINY_DIR } from '../fakes/tinyPipeline.js';
import { makeSampleRun, samplePipeline } from './sampleRuns.js';

const PLUGINS = fileURLToPath(new URL('./fixtures/reportPlugins.ts', import.meta.url));
const dirs: string[] = [];
let run: string;
let work: string;

beforeAll(async () => {
  run = await makeSampleRun();
  work = await mkdtemp(join(tmpdir(), 'mappa-report-cli-'));
  dirs.push(run, work);
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A pipeline file on the report fakes, loaded through `plugins:` like a user's own plugin file. */
async function pipelineFile(name: string, report: boolean, extra: (raw: Record<string, any>) => void = () => {}): Promise<string> {
  const raw = samplePipeline({ report, steps: 2 });
  raw.plugins = [PLUGINS];
  for (const a of raw.agents) a.prompt = join(TINY_DIR, a.prompt);
  extra(raw);
  const file = join(work, `${name}.json`);
  await writeFile(file, JSON.stringify(raw));
  return file;
}

describe('mappa report', () => {
  it('writes RUN_DIR/report.html and SVG plots for one run', async () => {
    expect(await main(['report', run])).toBe(0);
    expect(existsSync(join(run, 'report.html'))).toBe(true);
    expect((await readdir(join(run, 'report-plots'))).sort()).toEqual(
      ['eval-accuracy.svg', 'eval-success-rate.svg', 'train-coach-score.svg', 'train-success-rate.svg', 'trainer-clip_frac.svg', 'trainer-kl.svg', 'trainer-loss.svg'].sort(),
    );
  });

  it('compares runs in one file with --out and --labels, and --no-plots writes no plots', async () => {
    const out = join(work, 'compare.html');
    expect(await main(['report', run, run, '--out', out, '--labels', 'process,outcome', '--no-plots', '--max-episodes', '3'])).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('mappa report — process vs outcome');
    expect(html).toContain('3 of 30 episodes');
    expect(existsSync(join(work, 'compare-plots'))).toBe(false);
  });

  it('fails with a clear message on bad input', async () => {
    expect(await main(['report', run, run, '--labels', 'only-one', '--out', join(work, 'x.html')])).toBe(1);
    expect(await main(['report', run, '--max-episodes', 'many', '--out', join(work, 'x.html')])).toBe(1);
    expect(await main(['report', join(work, 'no-such-run')])).toBe(1);
    expect(existsSync(join(work, 'x.html'))).toBe(false);
  });

  it('registers the after-run hook once, however often the program is built', () => {
    buildProgram();
    buildProgram();
    expect(afterRunHooks.filter((h) => h === writeReportAfterRun)).toHaveLength(1);
  });
});

describe('report after mappa train', () => {
  // `mappa train` installs SIGINT/SIGTERM handlers for the life of the process; remove them so they do not outlive a test.
  let handlers: Map<string, Set<(...args: any[]) => void>>;
  beforeEach(() => {
    handlers = new Map((['SIGINT', 'SIGTERM'] as const).map((s) => [s, new Set(process.listeners(s))]));
  });
  afterEach(() => {
    for (const [sig, before] of handlers) for (const l of process.listeners(sig as NodeJS.Signals)) if (!before.has(l)) process.off(sig, l);
  });

  it('follows run.report from the run directory', async () => {
    const off = await mkdtemp(join(tmpdir(), 'mappa-report-off-'));
    dirs.push(off);
    await writeFile(join(off, 'config.resolved.yaml'), 'run:\n  report: false\n');
    expect(await reportEnabled(off)).toBe(false);
    await writeReportAfterRun(off, silentLogger);
    expect(existsSync(join(off, 'report.html'))).toBe(false);
    await writeFile(join(off, 'config.resolved.yaml'), 'run:\n  report: true\n');
    expect(await reportEnabled(off)).toBe(true);
    await rm(join(off, 'config.resolved.yaml'));
    expect(await reportEnabled(off)).toBe(true);
  });

  it('writes the report at the end of a run, and not when run.report is false', async () => {
    const on = join(work, 'run-on');
    expect(await main(['train', await pipelineFile('on', true), '--run-dir', on, '-q'])).toBe(0);
    const html = await readFile(join(on, 'report.html'), 'utf8');
    expect(html).toContain('trainer-kl');
    const off = join(work, 'run-off');
    expect(await main(['train', await pipelineFile('off', false), '--run-dir', off, '-q'])).toBe(0);
    expect(existsSync(join(off, 'metrics.jsonl'))).toBe(true);
    expect(existsSync(join(off, 'report.html'))).toBe(false);
  });

  it('writes the report when the run is stopped with Ctrl-C', async () => {
    const dir = join(work, 'run-interrupted');
    const file = await pipelineFile('slow', true, (raw) => {
      raw.run.steps = 50;
      raw.run.concurrency = 1;
      raw.run.eval = { atStart: false, every: 0, atEnd: false };
      raw.policies.a.latencyMs = 20;
    });
    const before = new Set(process.listeners('SIGINT'));
    // Ctrl-C once the first step is done: call the handler `mappa train` installed, as the signal would.
    const timer = setInterval(() => {
      if (!existsSync(join(dir, 'metrics.jsonl'))) return;
      clearInterval(timer);
      for (const l of process.listeners('SIGINT')) if (!before.has(l)) (l as (s: NodeJS.Signals) => void)('SIGINT');
    }, 20);
    try {
      expect(await main(['train', file, '--run-dir', dir, '-q'])).toBe(130);
    } finally {
      clearInterval(timer);
    }
    const metrics = (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
    expect(metrics.length).toBeLessThan(50);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('"train/success_rate"');
  });
});
