import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import type { AgentBatch } from '../../core/contracts/Trainer.js';
import type { Task } from '../../core/model/Task.js';
import type { EpisodeEnvironment } from '../../core/contracts/Environment.js';
import { isTrainablePolicy } from '../../plugins/policies/tfjs-transformer/TrainablePolicy.js';
import { FakeEnvironment, RecordingTrainer, fakePlugins } from '../fakes/testPlugins.js';

/** The fake trainer, but updates real policies the way trainers do (markUpdated). */
class MarkingTrainer extends RecordingTrainer {
  override async step(batches: readonly AgentBatch[], ctx: { step: number }) {
    this.steps.push({ step: ctx.step, batches: [...batches] });
    for (const b of batches) if (isTrainablePolicy(b.policy)) b.policy.markUpdated();
    return Object.fromEntries(batches.map((b) => [b.agentId, { samples: b.experiences.length }]));
  }
}

/** The coder's first action always calls a tool, so its turn has a second action. */
class CoderToolEnvironment extends FakeEnvironment {
  override async createEpisode(task: Task): Promise<EpisodeEnvironment> {
    const ep = await super.createEpisode(task);
    let coderActions = 0;
    return {
      ...ep,
      executeTools: (agent, action) => ep.executeTools(agent, agent.id === 'coder' && coderActions++ === 0 ? { ...action, text: `${action.text} RUN(` } : action),
    };
  }
}
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('runner with tfjs-transformer policies (fake env, coach and trainer)', () => {
  it('runs episodes with exact ids, reuses earlier actions verbatim and checkpoints the policies', async () => {
    const registry = createBuiltinRegistry();
    const fakes = fakePlugins({ trainer: new MarkingTrainer(), env: new CoderToolEnvironment() });
    registry.registerAll(fakes.defs, 'test');
    const policy = (seed: number) => ({ use: 'tfjs-transformer', preset: 'tiny', seed, maxNewTokens: 6, maxContextLength: 512 });
    const raw = tinyPipeline({ policies: { a: policy(1), b: policy(2), c: policy(3) }, run: { steps: 1, tasksPerStep: 2, samplesPerTask: 2, concurrency: 4, eval: { every: 0, atStart: false, atEnd: false }, checkpointEvery: 1, report: false } });
    const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const runDir = await mkdtemp(join(tmpdir(), 'mappa-run-'));
    dirs.push(runDir);
    const run = await createRun({ pipeline: result.pipeline, runDir, logger: silentLogger });
    const summary = await run.runner.train();
    await run.dispose();
    expect(summary.step).toBe(1);
    const files = (await readdir(join(runDir, 'episodes'))).filter((f) => f.startsWith('train'));
    const episodes = (await Promise.all(files.map((f) => readFile(join(runDir, 'episodes', f), 'utf8')))).join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(episodes).toHaveLength(4);
    const actions = episodes.flatMap((e) => e.actions);
    for (const a of actions) {
      expect(a.contextIds.length).toBeGreaterThan(0);
      expect(a.actionIds.length).toBeGreaterThan(0);
      expect(a.logprobs).toHaveLength(a.actionIds.length);
    }
    // A second action of the same agent turn conditions on the first one's exact ids.
    expect(actions.filter((a: any) => a.agentId === 'coder' && a.turnIndex === 1)).toHaveLength(4);
    for (const ep of episodes) {
      const coder = ep.actions.filter((a: any) => a.agentId === 'coder');
      for (let i = 1; i < coder.length; i++) {
        const prev = coder[i - 1];
        expect(coder[i].contextIds.slice(0, prev.contextIds.length + prev.actionIds.length)).toEqual([...prev.contextIds, ...prev.actionIds]);
      }
    }
    expect(fakes.trainer.steps).toHaveLength(1);
    expect(actions.every((a: any) => a.policyVersion === 0)).toBe(true);
    for (const id of ['a', 'b', 'c']) expect(existsSync(join(runDir, 'checkpoints', 'step-0001', 'policies', id, 'model.safetensors')), id).toBe(true);
  });
});
