import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

/*
 * Issue 18 item 6: a damaged checkpoint must not resume (or evaluate) silently. Every file is listed with its
 * checksum in the checkpoint's manifest; a missing policy or trainer folder, a changed byte or a checkpoint of
 * another pipeline is an error naming what is wrong.
 */

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function makeRun(runDir: string, overrides: Record<string, unknown> = {}) {
  const registry = createBuiltinRegistry();
  registry.registerAll(fakePlugins().defs, 'test');
  const raw = tinyPipeline({ run: { steps: 1, tasksPerStep: 1, samplesPerTask: 1, eval: { every: 0 }, checkpointEvery: 1, report: false }, ...overrides });
  const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return createRun({ pipeline: result.pipeline, runDir, logger: silentLogger });
}

let source: string;
beforeAll(async () => {
  source = await mkdtemp(join(tmpdir(), 'mappa-ckpt-src-'));
  dirs.push(source);
  const run = await makeRun(source);
  await run.runner.train();
  await run.dispose();
});

async function damagedCopy(damage: (ckpt: string) => Promise<void>): Promise<string> {
  const { cp } = await import('node:fs/promises');
  const dir = await mkdtemp(join(tmpdir(), 'mappa-ckpt-bad-'));
  dirs.push(dir);
  await cp(join(source, 'checkpoints', 'step-0001'), join(dir, 'step-0001'), { recursive: true });
  await damage(join(dir, 'step-0001'));
  return join(dir, 'step-0001');
}

async function loadError(ckpt: string, withTrainer = true, overrides: Record<string, unknown> = {}): Promise<Error | undefined> {
  const runDir = await mkdtemp(join(tmpdir(), 'mappa-ckpt-load-'));
  dirs.push(runDir);
  const run = await makeRun(runDir, overrides);
  try {
    await run.runner.loadCheckpoint(ckpt, withTrainer);
    return undefined;
  } catch (err) {
    return err as Error;
  } finally {
    await run.dispose();
  }
}

describe('checkpoint integrity on load (issue 18 item 6)', () => {
  it('loads an intact checkpoint', async () => {
    expect(await loadError(join(source, 'checkpoints', 'step-0001'))).toBeUndefined();
  });

  it('a deleted policy folder is an error naming it', async () => {
    const ckpt = await damagedCopy((c) => rm(join(c, 'policies', 'b'), { recursive: true }));
    expect((await loadError(ckpt))?.message).toMatch(/policies\/b/);
  });

  it('a deleted trainer folder is an error', async () => {
    const ckpt = await damagedCopy((c) => rm(join(c, 'trainer'), { recursive: true }));
    expect((await loadError(ckpt))?.message).toMatch(/trainer/);
  });

  it('a changed byte in a weights file fails the checksum', async () => {
    const ckpt = await damagedCopy((c) => appendFile(join(c, 'policies', 'a', 'weights.json'), ' '));
    expect((await loadError(ckpt))?.message).toMatch(/policies\/a\/weights\.json.*(checksum|changed)/);
  });

  it('a negative or garbage step in runner.json is refused', async () => {
    const ckpt = await damagedCopy((c) => writeFile(join(c, 'runner.json'), JSON.stringify({ step: -3, seed: 7 })));
    expect((await loadError(ckpt))?.message).toMatch(/runner\.json/);
  });

  it('evaluating a checkpoint of another pipeline (no policy id matches) is an error', async () => {
    const policies = { x: { use: 'fake-policy' }, y: { use: 'fake-policy' }, z: { use: 'fake-policy' } };
    const agents = [
      { id: 'solver', role: 'Problem Solver', policy: 'x', prompt: 'prompts/agent.liquid' },
      { id: 'coder', role: 'Code Executor', policy: 'y', prompt: 'prompts/agent.liquid' },
      { id: 'verifier', role: 'Verifier', policy: 'z', prompt: 'prompts/agent.liquid' },
    ];
    const err = await loadError(join(source, 'checkpoints', 'step-0001'), false, { policies, agents });
    expect(err?.message).toMatch(/x, y, z/);
    expect(err?.message).toMatch(/a, b, c/);
  });
});
