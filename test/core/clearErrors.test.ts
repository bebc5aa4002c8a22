import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../cli/main.js';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';
import { hfTinyDir } from '../tfjs/hfTinyFixtures.js';
import { ROOT, runCli } from '../trainers/cliRunKit.js';

/*
 * Issue 18 item 14: bad input gives one line naming the file or field and a hint, never a stack trace, a silent
 * exit or Node's own exit code.
 */

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mappa-clear-errors-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function cli(args: string[]) {
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  try {
    return { code: await main(args), err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at /);

async function pipelineFile(name: string, raw: unknown): Promise<string> {
  const file = join(tmp, name);
  await writeFile(file, typeof raw === 'string' ? raw : stringify(raw));
  await mkdir(join(tmp, 'prompts'), { recursive: true });
  await cp(join(TINY_DIR, 'prompts'), join(tmp, 'prompts'), { recursive: true });
  return file;
}

describe('clear errors for bad input (issue 18 item 14)', () => {
  it('a YAML alias bomb is a validation error (exit 2)', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`), 'name: bomb'].join('\n');
    const r = await cli(['validate', await pipelineFile('bomb.yaml', bomb)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bomb\.yaml/);
    expect(r.err).toMatch(/alias/i);
    noStack(r.err);
  });

  it('--set with a YAML alias names the override', async () => {
    const r = await cli(['validate', await pipelineFile('ok.yaml', tinyPipeline()), '--set', 'seed=*ref']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/seed=\*ref/);
    noStack(r.err);
  });

  it('wrong types are reported as wrong types, not as missing fields', async () => {
    const raw = tinyPipeline({ name: [1, 2] });
    const r = await cli(['validate', await pipelineFile('types.yaml', raw), '--set', 'run.steps=1e400']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/name: expected string, got a list/);
    expect(r.err).toMatch(/run\.steps: expected number, got Infinity/);
    expect(r.err).not.toMatch(/required field is missing/);
  });

  it('a full disk at checkpoint time is one line with the cause and a hint', async () => {
    const raw = tinyPipeline({ run: { steps: 1, tasksPerStep: 1, samplesPerTask: 1, eval: { every: 0 }, checkpointEvery: 1, report: false } });
    raw.plugins = [join(ROOT, 'test', 'fixtures', 'bad-plugins', 'diskFullPolicy.ts')];
    raw.policies.a = { use: 'disk-full-policy' };
    const r = await cli(['train', await pipelineFile('diskfull.yaml', raw), '--run-dir', join(tmp, 'run-diskfull'), '-q']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no space left on device/);
    expect(r.err).toMatch(/hint: .*free/i);
    noStack(r.err);
  });

  it('model.safetensors that is a directory is an error naming it', async () => {
    const dir = join(tmp, 'model-dir');
    await cp(join(hfTinyDir(), 'llama-tiny'), dir, { recursive: true });
    await rm(join(dir, 'model.safetensors'));
    await mkdir(join(dir, 'model.safetensors'));
    await expect(createTfjsTransformerPolicy({ path: dir })).rejects.toThrow(/model\.safetensors.*not a regular file/);
  });

  it('a plugin that calls process.exit(0) while loading is an error, not a silent success', { timeout: 60_000 }, async () => {
    const raw = tinyPipeline();
    raw.plugins = [join(ROOT, 'test', 'fixtures', 'bad-plugins', 'exitsDuringLoad.ts')];
    const r = await runCli(['validate', await pipelineFile('exits.yaml', raw)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/exitsDuringLoad\.ts.*process\.exit/);
  });

  it('a plugin whose top-level await never settles times out with a message instead of exit 13', { timeout: 60_000 }, async () => {
    const raw = tinyPipeline();
    raw.plugins = [join(ROOT, 'test', 'fixtures', 'bad-plugins', 'neverSettles.ts')];
    const r = await runCli(['validate', await pipelineFile('hangs.yaml', raw)], { MAPPA_PLUGIN_LOAD_TIMEOUT_MS: '3000' });
    expect(r.code).not.toBe(13);
    expect(r.stderr).toMatch(/neverSettles\.ts.*did not finish loading/);
  });
});
