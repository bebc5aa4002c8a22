import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { latestCheckpoint } from '../../core/runner/checkpointDirs.js';
import { writeCheckpointManifest } from '../../core/runner/checkpointManifest.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

/* Issue 18 item 4: past step 9,999 checkpoint directories must be chosen and pruned by step number, not by name. */

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tinyRun(runDir: string, run: Record<string, unknown>, resumeFrom?: string) {
  const registry = createBuiltinRegistry();
  registry.registerAll(fakePlugins().defs, 'test');
  const result = await validatePipeline(tinyPipeline({ run: { steps: 1, tasksPerStep: 1, samplesPerTask: 1, concurrency: 1, eval: { every: 0 }, checkpointEvery: 1, report: false, ...run } }), { registry, baseDir: TINY_DIR });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const r = await createRun({ pipeline: result.pipeline, runDir, logger: silentLogger });
  try {
    return await r.runner.train(resumeFrom ? { resumeFrom } : {});
  } finally {
    await r.dispose();
  }
}

describe('checkpoints past step 9,999 (issue 18 item 4)', () => {
  it('keeps the newest checkpoints and resumes from the highest step, with five-digit steps', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'mappa-ckpt-order-'));
    dirs.push(runDir);
    await tinyRun(runDir, {});
    const ckpts = join(runDir, 'checkpoints');
    // Pretend the run got to step 9,998.
    await cp(join(ckpts, 'step-0001'), join(ckpts, 'step-9998'), { recursive: true });
    await writeFile(join(ckpts, 'step-9998', 'runner.json'), JSON.stringify({ step: 9998, seed: 7 }));
    await writeCheckpointManifest(join(ckpts, 'step-9998'), { step: 9998, policies: ['a', 'b', 'c'], trainer: true });
    await rm(join(ckpts, 'step-0001'), { recursive: true });
    const summary = await tinyRun(runDir, { steps: 10_001, keepCheckpoints: 2 }, join(ckpts, 'step-9998'));
    expect(summary.step).toBe(10_001);
    expect((await readdir(ckpts)).filter((d) => d.startsWith('step-')).sort()).toEqual(['step-10000', 'step-10001']);
    expect(latestCheckpoint(runDir)).toBe(join(ckpts, 'step-10001'));
  });
});
