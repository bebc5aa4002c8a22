import { existsSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MappaError } from '../../core/util/MappaError.js';
import { createMappaRlExporter } from '../../plugins/exporters/mappa-rl/mappaRl.js';
import { exportRun } from '../../plugins/exporters/shared/exportRun.js';
import { parseStepRange } from '../../plugins/exporters/shared/parseStepRange.js';
import { cleanTempDirs, readJsonl, runExport, tempDir } from './exportKit.js';
import { knownEpisodes, writeKnownRun } from './knownRun.js';

afterAll(cleanTempDirs);

async function knownRun() {
  const dir = await tempDir();
  await writeKnownRun(dir);
  return dir;
}

async function errorOf(p: Promise<unknown>): Promise<MappaError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MappaError);
  return err as MappaError;
}

describe('export of bad or partial input', () => {
  it('exports the whole episodes of a file with a torn last line and says how many lines it skipped', async () => {
    const dir = await knownRun();
    const file = join(dir, 'episodes', 'train-step-0001.jsonl');
    const whole = JSON.stringify({ ...knownEpisodes()[0]!, id: 'extra' });
    await appendFile(file, whole.slice(0, Math.floor(whole.length / 2)));
    const progress: string[] = [];
    const { outDir, result } = await runExport(dir, createMappaRlExporter(), { onProgress: (m) => progress.push(m) });
    expect(result.skippedLines).toBe(1);
    expect(result.notes.join('\n')).toMatch(/train-step-0001\.jsonl: 1 unreadable line\(s\) skipped/);
    const records = await readJsonl(join(outDir, 'mappa-rl.jsonl'));
    expect(records).toHaveLength(9);
    expect(records.some((r) => r['episode_id'] === 'extra')).toBe(false);
    expect(progress).toEqual(['train step 1: 9 action(s) (1/1 files)']);
  });

  it('refuses an unknown agent, naming the agents of the run', async () => {
    const dir = await knownRun();
    const err = await errorOf(runExport(dir, createMappaRlExporter(), { agent: 'verifer' }));
    expect(err.message).toContain('no agent "verifer"');
    expect(err.hint).toBe('agents: solver, coder; splits: train, eval; train steps: 1');
  });

  it('refuses an empty selection, naming agents, splits, steps and the highest score, and writes nothing', async () => {
    const dir = await knownRun();
    const outDir = join(await tempDir(), 'out');
    const err = await errorOf(exportRun({ runDir: dir, outDir, exporter: createMappaRlExporter(), minScore: 9.5 }));
    expect(existsSync(outDir)).toBe(false);
    expect(err.message).toMatch(/the selection holds no action \(split train, steps 1, score ≥ 9\.5\)/);
    expect(err.hint).toContain('agents: solver, coder');
    expect(err.hint).toContain('splits: train, eval');
    expect(err.hint).toContain('highest score there: 9');
    const steps = await errorOf(runExport(dir, createMappaRlExporter(), { steps: { from: 5, to: 9 } }));
    expect(steps.message).toContain('no train episodes in steps 5..9');
    expect(steps.hint).toContain('train steps in this run: 1');
    await writeFile(join(dir, 'episodes', 'eval-step-0001.jsonl'), '');
    await appendFile(join(dir, 'episodes', 'train-step-0001.jsonl'), '');
    const noEval = await errorOf(runExport(dir, createMappaRlExporter(), { split: 'eval' }));
    expect(noEval.message).toContain('the selection holds no action (split eval');
  });

  it('refuses a split the run does not have and a directory that is not a run', async () => {
    const dir = await tempDir();
    await writeKnownRun(dir);
    const { rm } = await import('node:fs/promises');
    await rm(join(dir, 'episodes', 'eval-step-0001.jsonl'));
    const err = await errorOf(runExport(dir, createMappaRlExporter(), { split: 'eval' }));
    expect(err.message).toContain('has no "eval" episodes');
    expect(err.hint).toContain('splits in this run: train');
    const empty = await tempDir();
    expect((await errorOf(runExport(empty, createMappaRlExporter()))).message).toContain('is not a mappa run directory');
  });

  it('parses step ranges and refuses malformed ones', () => {
    expect(parseStepRange('3..7')).toEqual({ from: 3, to: 7 });
    expect(parseStepRange('4')).toEqual({ from: 4, to: 4 });
    expect(parseStepRange('5..')).toEqual({ from: 5, to: Infinity });
    expect(parseStepRange('..2')).toEqual({ from: 0, to: 2 });
    for (const bad of ['7..3', 'a..b', '', '..', '1-3']) expect(() => parseStepRange(bad), bad).toThrow(MappaError);
  });
});
