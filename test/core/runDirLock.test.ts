import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

/* Issue 18 item 5: two runs must not write into one run directory at the same time. */

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function pipeline() {
  const registry = createBuiltinRegistry();
  registry.registerAll(fakePlugins().defs, 'test');
  const result = await validatePipeline(tinyPipeline({ run: { steps: 1, tasksPerStep: 1, samplesPerTask: 1, eval: { every: 0 }, report: false } }), { registry, baseDir: TINY_DIR });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.pipeline;
}

describe('run directory lock (issue 18 item 5)', () => {
  it('a second run into a directory in use fails naming the holder; after the first ends the directory is free', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'mappa-lock-'));
    dirs.push(runDir);
    const first = await createRun({ pipeline: await pipeline(), runDir, logger: silentLogger });
    const err = await createRun({ pipeline: await pipeline(), runDir, logger: silentLogger }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toContain(`pid ${process.pid}`);
    expect(err?.message).toContain(hostname());
    expect(err?.message).toContain(runDir);
    await first.runner.train();
    await first.dispose();
    expect(existsSync(join(runDir, 'run.lock'))).toBe(false);
    const again = await createRun({ pipeline: await pipeline(), runDir, logger: silentLogger });
    await again.dispose();
  });

  it('a stale lock of a dead process is taken over', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'mappa-lock-'));
    dirs.push(runDir);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    await writeFile(join(runDir, 'run.lock'), JSON.stringify({ pid: dead, host: hostname(), started: new Date().toISOString() }));
    const run = await createRun({ pipeline: await pipeline(), runDir, logger: silentLogger });
    expect(JSON.parse(await readFile(join(runDir, 'run.lock'), 'utf8')).pid).toBe(process.pid);
    await run.dispose();
  });
});
