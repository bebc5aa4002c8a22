import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { cleanTempDirs, readJsonl, tempDir } from './exportKit.js';
import { writeKnownRun } from './knownRun.js';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  process.exitCode = undefined;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});
afterAll(cleanTempDirs);

describe('mappa export (CLI)', () => {
  it('exports mappa-rl with filters, prints the files and progress, and lists the exporters', async () => {
    const runDir = await tempDir();
    await writeKnownRun(runDir);
    const outDir = join(await tempDir(), 'out');
    const code = await main(['export', runDir, '--format', 'mappa-rl', '--agent', 'coder', '--steps', '1..1', '--min-score', '5', '--out', outDir]);
    expect(err).toBe('export: train step 1: 4 action(s) (1/1 files)\n');
    expect(code).toBe(0);
    expect(out).toMatch(/^exported 4 action\(s\) from 1 episode file\(s\)/);
    expect(out).toContain(`${join(outDir, 'mappa-rl.jsonl')} (4 rows)`);
    const records = await readJsonl(join(outDir, 'mappa-rl.jsonl'));
    expect(records.map((r) => [r['agent_id'], r['score']])).toEqual([
      ['coder', 6],
      ['coder', 9],
      ['coder', 7],
      ['coder', 5],
    ]);
    out = '';
    expect(await main(['plugins', '--kind', 'exporter'])).toBe(0);
    for (const name of ['mappa-rl', 'trl-prompt-completion', 'trl-stepwise', 'trl-preference', 'trl-unpaired', 'openai-sft', 'openai-dpo', 'verl', 'openrlhf']) {
      expect(out).toContain(`\n  ${name}\n`);
    }
    expect(out).toContain('threshold: number = 5');
  });

  it('loads a third-party exporter plugin by path and passes it --option values', async () => {
    const runDir = await tempDir();
    await writeKnownRun(runDir);
    const outDir = await tempDir();
    const plugin = './examples/custom-plugin/scoreCsvExporter.ts';
    const code = await main(['export', runDir, '--plugin', plugin, '--format', 'score-csv', '--option', 'separator=;', '--agent', 'solver', '--out', outDir, '--quiet']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(await readFile(join(outDir, 'scores.csv'), 'utf8')).toBe(
      'step;episode_id;agent_id;turn_index;score;reward\n1;train-0001-t0-0;solver;0;8;0.8\n1;train-0001-t0-1;solver;0;3;0.30000000000000004\n1;train-0001-t0-2;solver;0;3;0.30000000000000004\n',
    );
  });

  it('fails with a hint on an unknown format, an unknown agent and a bad option', async () => {
    const runDir = await tempDir();
    await writeKnownRun(runDir);
    const outDir = await tempDir();
    expect(await main(['export', runDir, '--format', 'trl-prefrence', '--out', outDir])).toBe(2);
    expect(err).toContain('unknown exporter plugin "trl-prefrence" (did you mean "trl-preference"?)');
    err = '';
    expect(await main(['export', runDir, '--format', 'openai-sft', '--agent', 'nobody', '--out', outDir])).toBe(1);
    expect(err).toContain('error: run known has no agent "nobody"\nhint: agents: solver, coder');
    err = '';
    expect(await main(['export', runDir, '--format', 'trl-unpaired', '--option', 'threshold=eleven', '--out', outDir])).toBe(2);
    expect(err).toContain('threshold');
    err = '';
    expect(await main(['export', runDir, '--format', 'openai-sft', '--parquet', '--out', outDir])).toBe(1);
    expect(err).toContain('--parquet does not apply to openai-sft');
  });
});
