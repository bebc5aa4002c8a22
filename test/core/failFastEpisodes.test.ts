import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../core/contracts/Logger.js';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

/* Issue 18 item 10: when every episode of a step fails for the same cause the run stops with that cause. */

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('failing episodes are surfaced (issue 18 item 10)', () => {
  it('a prompt template error in every episode stops the run with the cause instead of reporting success 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-failfast-'));
    dirs.push(dir);
    const prompt = join(dir, 'broken.liquid');
    await writeFile(prompt, 'Task: {{ task.prompt }} {{ no_such_variable }}\n');
    const raw = tinyPipeline({ run: { steps: 2, tasksPerStep: 2, samplesPerTask: 2, eval: { every: 0 }, report: false } });
    raw.agents[1].prompt = prompt;
    const registry = createBuiltinRegistry();
    registry.registerAll(fakePlugins().defs, 'test');
    const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) };
    const run = await createRun({ pipeline: result.pipeline, runDir: join(dir, 'run'), logger });
    const err = await run.runner.train().then(
      () => undefined,
      (e: Error) => e,
    );
    await run.dispose();
    expect(err?.message).toMatch(/every episode of (step 1|the evaluation at step 0) failed/);
    expect(err?.message).toContain('broken.liquid');
    expect(err?.message).toContain('no_such_variable');
  });
});
