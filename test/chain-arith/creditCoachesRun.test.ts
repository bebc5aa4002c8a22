import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** Coach scores of every training action, in episode order. */
async function trainScores(raw: Record<string, unknown>): Promise<Array<{ task: string; sample: number; scores: number[]; noisy: unknown[] }>> {
  const registry = createBuiltinRegistry();
  registry.registerAll(fakePlugins().defs, 'test');
  const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const runDir = await mkdtemp(join(tmpdir(), 'mappa-credit-'));
  dirs.push(runDir);
  const run = await createRun({ pipeline: result.pipeline, runDir, logger: silentLogger });
  await run.runner.train();
  await run.dispose();
  const files = (await readdir(join(runDir, 'episodes'))).filter((f) => f.startsWith('train')).sort();
  const episodes = (await Promise.all(files.map((f) => readFile(join(runDir, 'episodes', f), 'utf8'))))
    .join('')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return episodes
    .map((e) => ({
      task: e.taskId,
      sample: e.sampleIndex,
      scores: e.actions.map((a: any) => a.coach.score),
      noisy: e.actions.map((a: any) => a.coach.details?.noisy?.corrupted),
    }))
    .sort((a, b) => a.task.localeCompare(b.task) || a.sample - b.sample);
}

describe('noisy and hindsight coaches in a run', () => {
  it('corrupts the same actions the same way whatever the episode concurrency', async () => {
    const coach = { use: 'noisy', rate: 0.5, mode: 'random', coach: { use: 'fake-coach' } };
    const a = await trainScores(tinyPipeline({ coach, run: { steps: 2, concurrency: 6 } }));
    const b = await trainScores(tinyPipeline({ coach, run: { steps: 2, concurrency: 1 } }));
    expect(a).toEqual(b);
    const hits = a.flatMap((e) => e.noisy).filter((x) => x === true).length;
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThan(a.flatMap((e) => e.noisy).length);
    const other = await trainScores({ ...tinyPipeline({ coach, run: { steps: 2 } }), seed: 8 });
    expect(other.map((e) => e.noisy)).not.toEqual(a.map((e) => e.noisy));
  });

  it('runs the hindsight coach once the episode is graded', async () => {
    const plain = await trainScores(tinyPipeline({ run: { steps: 1 } }));
    const judged = await trainScores(tinyPipeline({ coach: { use: 'hindsight', blame: 'judge', judge: { use: 'fake-coach' } }, run: { steps: 1 } }));
    // With blame: judge the hindsight coach passes its judge's scores through: the same as the judge used inline.
    expect(judged).toEqual(plain);
  });
});
