import { appendFile, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../cli/main.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';
import { ROOT } from '../trainers/cliRunKit.js';

/*
 * Issue 18 item 13: what `train --resume` may change. More steps (and the other run-length/IO settings) may change;
 * other overrides and a pipeline file are refused; edited prompt files are warned about; a torn last line of
 * metrics.jsonl does not block the resume.
 */

let tmp: string;
let file: string;
let prompt: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mappa-resume-rules-'));
  prompt = join(tmp, 'agent.liquid');
  await copyFile(join(TINY_DIR, 'prompts', 'agent.liquid'), prompt);
  const raw = tinyPipeline({ run: { steps: 2, tasksPerStep: 1, samplesPerTask: 1, concurrency: 1, checkpointEvery: 1, eval: { every: 0, atStart: false, atEnd: false }, report: false } });
  raw.plugins = [join(ROOT, 'test', 'fakes', 'slowWarmStartPlugins.ts')];
  for (const a of raw.agents) a.prompt = prompt;
  file = join(tmp, 'pipeline.yaml');
  await writeFile(file, stringify(raw));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function cli(args: string[]) {
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  try {
    const code = await main(args);
    return { code, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

async function lastStep(runDir: string): Promise<number> {
  const lines = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
  return JSON.parse(lines.at(-1)!).step as number;
}

describe('what a resume may change (issue 18 item 13)', () => {
  it('more steps with --set, refusals for other changes, a warning for edited prompts, and a torn metrics tail tolerated', { timeout: 60_000 }, async () => {
    const runDir = join(tmp, 'run');
    expect((await cli(['train', file, '--run-dir', runDir, '-q'])).code).toBe(0);
    expect(await lastStep(runDir)).toBe(2);

    const more = await cli(['train', '--resume', runDir, '--set', 'run.steps=3', '-q']);
    expect(more.code, more.err).toBe(0);
    expect(await lastStep(runDir)).toBe(3);

    const seed = await cli(['train', '--resume', runDir, '--set', 'seed=9', '-q']);
    expect(seed.code).not.toBe(0);
    expect(seed.err).toMatch(/seed.*cannot change on resume/);

    const withFile = await cli(['train', file, '--resume', runDir, '-q']);
    expect(withFile.code).not.toBe(0);
    expect(withFile.err).toMatch(/--resume/);

    await appendFile(prompt, '\nEdited after the run started.\n');
    await appendFile(join(runDir, 'metrics.jsonl'), '{"step": 4, "train/succ');
    const edited = await cli(['train', '--resume', runDir, '--set', 'run.steps=4', '-q']);
    expect(edited.code, edited.err).toBe(0);
    expect(edited.err).toContain(`${prompt} changed since the run started`);
    expect(await lastStep(runDir)).toBe(4);
  });
});
