import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { packageRoot } from '../../core/util/packageRoot.js';
import { loadPipelineForCli } from '../../cli/loadPipelineForCli.js';

const FILE = join(packageRoot(), 'examples', 'dsbench', 'pipeline.yaml');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('examples/dsbench/pipeline.yaml (the built-in default)', () => {
  it('validates with the real plugins: tiny tfjs policies, dsbench-demonstrations warm start, rule coach, reinforce++-baseline', async () => {
    const { pipeline, warnings } = await loadPipelineForCli(FILE);
    expect(warnings).toEqual([]);
    const { spec, agents } = pipeline;
    expect(agents.map((a) => [a.id, a.maxActions, a.tools.join(), a.coachSeesGroundTruth])).toEqual([
      ['data_engineer', 1, 'python', false],
      ['modeler', 1, 'python', false],
      ['analyst', 1, 'python', true],
    ]);
    expect(agents.every((a) => existsSync(a.promptFile) && a.promptFile.includes('/prompts/tiny/'))).toBe(true);
    expect(Object.values(pipeline.policies).map((p) => [p.use, p['preset'], p['tokenizer']])).toEqual(Array(3).fill(['tfjs-transformer', 'tiny', 'char']));
    expect(spec.warmStart?.demonstrations.use).toBe('dsbench-demonstrations');
    expect(spec.warmStart?.trainer.use).toBe('sft');
    expect(spec.trainer?.use).toBe('reinforce++-baseline');
    expect(spec.coach.use).toBe('dsbench-rule');
    expect(spec.environment).toMatchObject({ use: 'dsbench', helperModule: true });
    expect(spec.run.eval).toMatchObject({ split: 'test', coach: true, sampling: { temperature: 1 } });
  });

  it('runs end to end for one step (tiny warm start, real sandbox) and reports the split figures', async () => {
    const work = await mkdtemp(join(tmpdir(), 'mappa-dsb-builtin-'));
    dirs.push(work);
    // Like `mappa train examples/dsbench/pipeline.yaml --set ...`, scaled down to seconds.
    const { pipeline } = await loadPipelineForCli(FILE, [
      'tasks.names={train: [titanic-mini], test: [energy-mini]}',
      'warmStart.demonstrations.perTask=2',
      'warmStart.trainer.epochs=1',
      'warmStart.trainer.miniBatches=1',
      'run.steps=1',
      'run.tasksPerStep=1',
      'run.samplesPerTask=2',
      'run.eval.samplesPerTask=1',
      'run.report=false',
      `run.cacheDir=${join(work, 'cache')}`,
      'agents[0].sampling.maxNewTokens=16',
      'agents[1].sampling.maxNewTokens=16',
      'agents[2].sampling.maxNewTokens=16',
      'rewards.trainOnTruncated=true', // the barely warm-started policies write until the limit
    ]);
    const run = await createRun({ pipeline, runDir: join(work, 'run'), logger: silentLogger });
    const summary = await run.runner.train();
    await run.dispose();
    const [start, step1] = summary.metrics;
    for (const agent of ['data_engineer', 'modeler', 'analyst']) {
      expect(start![`warmstart/${agent}/demonstrations`]).toBe(2);
      expect(start![`warmstart/${agent}/cache_hit`]).toBe(0);
      expect(step1![`trainer/${agent}/samples`]).toBe(2);
      // The coach scored every action, on the held-out task too, by agent and task type.
      expect(start![`eval/coach/score/${agent}/regression`]).toBeGreaterThanOrEqual(0);
      expect(step1![`train/coach/score/${agent}/classification`]).toBeGreaterThanOrEqual(0);
    }
    for (const row of [start!, step1!]) {
      expect(row['eval/episodes']).toBe(1);
      expect(row['eval/success_rate/regression']).toBeGreaterThanOrEqual(0);
      // Failed or not, a regression episode has a fair RMSE (50% of the range for a failure).
      expect(row['eval/metric/fair_rmse_pct_of_range']).toBeGreaterThan(0);
    }
    expect(step1!['train/episodes']).toBe(2);
    expect(existsSync(join(work, 'cache', 'warm-start'))).toBe(true);
    expect(await readdir(join(work, 'run', 'checkpoints'))).toEqual(['step-0001']);
  });
});
