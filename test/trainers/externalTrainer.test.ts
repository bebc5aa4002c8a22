import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Experience } from '../../core/model/Experience.js';
import type { MappaRlBatchMeta } from '../../core/model/MappaRlRecord.js';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { MappaError } from '../../core/util/MappaError.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { OpenAICompatiblePolicy } from '../../plugins/policies/openai-compatible/OpenAICompatiblePolicy.js';
import { createExternalTrainer } from '../../plugins/trainers/external/externalTrainerPlugin.js';
import { startFakeServing, type FakeServing } from '../fakes/fakeServingServer.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

const FAKE = resolve(fileURLToPath(new URL('../fixtures/external-trainer/fakeTrainer.mjs', import.meta.url)));
const command = (mode: string, extra: string[] = []) => ['node', FAKE, mode, '--meta', '{meta}', '--weights', '{weights}', '--out', '{out}', '--state', '{state}', ...extra];

let serving: FakeServing;
let root: string;
let initial: string;
beforeAll(async () => {
  serving = await startFakeServing();
  root = await mkdtemp(join(tmpdir(), 'mappa-external-'));
  initial = join(root, 'initial');
  await mkdir(initial);
  await writeFile(join(initial, 'config.json'), '{"model_type":"llama"}');
  await writeFile(join(initial, 'model.safetensors'), 'initial');
});
afterAll(async () => {
  await serving.close();
  await rm(root, { recursive: true, force: true });
});

function policy(model: string): OpenAICompatiblePolicy {
  return new OpenAICompatiblePolicy({ id: model, baseURL: `${serving.url}/v1`, model, apiKey: 'none', returnTokenIds: true, weights: initial, maxRetries: 0 });
}

function exp(agentId: string, policyVersion: number, reward: number): Experience {
  return {
    agentId,
    policyId: 'p',
    episodeId: `e-${agentId}-${reward}`,
    taskId: 't',
    groupId: 'g',
    turnIndex: 0,
    contextIds: [1, 2, 3],
    actionIds: [4, 5],
    rolloutLogprobs: [-0.1, -0.2],
    reward,
    score: reward * 10,
    truncated: false,
    policyVersion,
    taskMetadata: { k: 1 },
  };
}

async function trainerFor(mode: string, runDir: string, more: Record<string, unknown> = {}) {
  return createExternalTrainer({ command: command(mode), settings: { lr: 1e-3 }, timeoutS: 20, ...more }, { runDir, cwd: root, logger: silentLogger });
}

describe('external trainer', () => {
  it('writes the batch, runs the trainer, has the server load the new weights and follows the served version', async () => {
    const runDir = await mkdtemp(join(root, 'run-'));
    const p = policy('ok-model');
    const trainer = await trainerFor('ok', runDir);
    const gen0 = await p.generate({ messages: [{ role: 'user', content: 'hi' }], seed: 1 });
    expect(gen0.policyVersion).toBe(0);
    const metrics = await trainer.step(
      [
        { agentId: 'solver', policy: p, experiences: [exp('solver', 0, 1), exp('solver', 0, 0)] },
        { agentId: 'verifier', policy: p, experiences: [exp('verifier', 0, 0.5)] },
      ],
      { step: 1, totalSteps: 3 },
    );
    // One batch for the two agents sharing the policy, in mappa-rl format with the settings (defaults filled in).
    const batchDir = join(runDir, 'external', 'ok-model', 'step-0001', 'batch');
    const meta = JSON.parse(await readFile(join(batchDir, 'meta.json'), 'utf8')) as MappaRlBatchMeta;
    expect(meta).toMatchObject({ format: 'mappa-rl-batch', step: 1, total_steps: 3, agent_ids: ['solver', 'verifier'], policy_id: 'ok-model', policy_version: 0 });
    expect(meta.trainer).toMatchObject({ estimator: 'reinforce++', lr: 1e-3, klCoef: 0.01, adamBetas: [0.9, 0.95], epochs: 1 });
    const records = (await readFile(join(batchDir, 'records.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => [r.agent_id, r.reward, r.trainable])).toEqual([['solver', 1, true], ['solver', 0, true], ['verifier', 0.5, true]]);
    expect(records[0]).toMatchObject({ format: 'mappa-rl', context_ids: [1, 2, 3], action_ids: [4, 5], loss_mask: [1, 1], rollout_logprobs: [-0.1, -0.2], policy_version: 0 });
    // The server was asked to load what the trainer wrote, in place, as version 1.
    const out = join(runDir, 'external', 'ok-model', 'step-0001', 'weights');
    expect(serving.loads.at(-1)).toEqual({ lora_name: 'ok-model', lora_path: out, load_inplace: true, version: 1 });
    expect(JSON.parse(await readFile(join(out, 'config.json'), 'utf8')).trained_from).toBe(initial);
    expect(p.version).toBe(1);
    expect(p.weightsDir).toBe(out);
    // Metrics: the trainer's own numbers, staleness, and the time spent waiting.
    expect(metrics['solver']).toMatchObject({ samples: 2, loss: 0.5, records_seen: 2, staleness_mean: 0, staleness_max: 0, policy_version: 1 });
    expect(metrics['verifier']).toMatchObject({ samples: 1, records_seen: 1 });
    expect(metrics['solver']!['wait_trainer_s']).toBeGreaterThan(0);
    expect(metrics['solver']!['wait_reload_s']).toBeGreaterThan(0);
    // Generations now record the version the server reports.
    const gen1 = await p.generate({ messages: [{ role: 'user', content: 'hi' }], seed: 1 });
    expect(gen1.policyVersion).toBe(1);
    // Step 2 trains from the new weights; experiences from version 0 are one version behind.
    const m2 = await trainer.step([{ agentId: 'solver', policy: p, experiences: [exp('solver', 0, 1), exp('solver', 1, 0)] }], { step: 2, totalSteps: 3 });
    expect(m2['solver']).toMatchObject({ staleness_mean: 0.5, staleness_max: 1, policy_version: 2 });
    const out2 = join(runDir, 'external', 'ok-model', 'step-0002', 'weights');
    expect(JSON.parse(await readFile(join(out2, 'config.json'), 'utf8')).trained_from).toBe(out);
    expect(await readFile(join(runDir, 'external', 'ok-model', 'state', 'steps.txt'), 'utf8')).toBe('2');
  });

  it('falls back to the local version when the server reports none, and counts it', async () => {
    const plain = await startFakeServing({ reportVersion: false });
    try {
      const p = new OpenAICompatiblePolicy({ id: 'x', baseURL: `${plain.url}/v1`, model: 'x', apiKey: 'none', weights: initial, maxRetries: 0 });
      await p.loadWeights(initial, 4);
      const g = await p.generate({ messages: [{ role: 'user', content: 'hi' }], seed: 1 });
      expect(g.policyVersion).toBe(4);
      expect(p.stats()['version_unreported']).toBe(1);
    } finally {
      await plain.close();
    }
  });

  const failures: Array<[string, Record<string, unknown>, RegExp]> = [
    ['fail', {}, /`node .*fakeTrainer\.mjs fail --meta .*` exited with code 3/],
    ['hang', { timeoutS: 1 }, /timed out after 1 s/],
    ['nothing', {}, /finished but wrote no weights to .*step-0001\/weights/],
  ];
  it.each(failures)('a trainer that fails (%s) stops with a clear error and keeps the last good version', async (mode, more, message) => {
    const runDir = await mkdtemp(join(root, 'run-'));
    const p = policy(`${mode}-model`);
    const trainer = await trainerFor(mode, runDir, more);
    const loadsBefore = serving.loads.length;
    const err = await trainer.step([{ agentId: 'solver', policy: p, experiences: [exp('solver', 0, 1)] }], { step: 1, totalSteps: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MappaError);
    expect((err as MappaError).message).toMatch(message);
    expect((err as MappaError).message).toContain('policy "');
    const hint = (err as MappaError).hint ?? '';
    expect(hint).toContain(join(runDir, 'external', `${mode}-model`, 'step-0001', 'batch', 'meta.json'));
    expect(hint).toContain(`mappa train --resume ${runDir}`);
    if (mode === 'fail') expect(hint).toContain('CUDA out of memory (fake trainer)');
    expect(serving.loads.length).toBe(loadsBefore);
    expect(p.version).toBe(0);
    expect(p.weightsDir).toBe(initial);
  }, 20_000);

  it.each([1, 2])('with %i policy at a time, a step in which one policy fails commits none (the saved state keeps the last good versions)', async (concurrency) => {
    const runDir = await mkdtemp(join(root, 'run-'));
    const good = policy(`good-${concurrency}`);
    const bad = policy(`bad-${concurrency}`);
    const trainer = await trainerFor(`fail-policy-bad-${concurrency}`, runDir, { concurrency });
    const err = await trainer
      .step(
        [
          { agentId: 'solver', policy: good, experiences: [exp('solver', 0, 1)] },
          { agentId: 'verifier', policy: bad, experiences: [exp('verifier', 0, 1)] },
        ],
        { step: 1, totalSteps: 2 },
      )
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(new RegExp(`policy "bad-${concurrency}" at step 1 failed`));
    expect(good.version).toBe(1); // its server already serves the new weights…
    const ckpt = join(runDir, 'ckpt');
    await mkdir(ckpt);
    await trainer.saveState!(ckpt);
    // …but the state a checkpoint of the last good step saves does not contain them.
    expect(JSON.parse(await readFile(join(ckpt, 'state.json'), 'utf8')).policies).toEqual({});
  });

  it('a server that refuses the new weights stops the run with its answer', async () => {
    const runDir = await mkdtemp(join(root, 'run-'));
    const p = policy('refused-model');
    const trainer = await trainerFor('ok', runDir);
    serving.failLoads(500);
    try {
      const err = await trainer.step([{ agentId: 'solver', policy: p, experiences: [exp('solver', 0, 1)] }], { step: 1, totalSteps: 2 }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/refused to load weights .* as version 1 \(HTTP 500\): .*cannot load adapter/);
      expect(p.version).toBe(0);
    } finally {
      serving.failLoads(0);
    }
  });

  it('an HTTP trainer endpoint gets the batch and answers once the weights are written; its errors stop the run', async () => {
    const runDir = await mkdtemp(join(root, 'run-'));
    const { startFakeServer } = await import('../fakes/fakeOpenAIServer.js');
    let status = 200;
    const endpoint = await startFakeServer(async (req) => {
      if (status === 200) {
        await mkdir(req.body.out_dir, { recursive: true });
        await writeFile(join(req.body.out_dir, 'config.json'), '{}');
        await writeFile(join(req.body.out_dir, 'model.safetensors'), 'w');
      }
      return { status, body: status === 200 ? { ok: true } : { error: 'trainer out of memory' } };
    });
    try {
      const p = policy('endpoint-model');
      const trainer = await createExternalTrainer({ endpoint: `${endpoint.url}/train`, settings: { lr: 1e-3 } }, { runDir, cwd: root, logger: silentLogger });
      await trainer.step([{ agentId: 'solver', policy: p, experiences: [exp('solver', 0, 1)] }], { step: 1, totalSteps: 2 });
      const body = endpoint.requests[0]!.body;
      expect(body.meta).toMatchObject({ format: 'mappa-rl-batch', step: 1, agent_ids: ['solver'] });
      expect(body.meta_path).toBe(join(runDir, 'external', 'endpoint-model', 'step-0001', 'batch', 'meta.json'));
      expect(body.weights_dir).toBe(initial);
      expect(p.version).toBe(1);
      status = 500;
      await expect(trainer.step([{ agentId: 'solver', policy: p, experiences: [exp('solver', 1, 1)] }], { step: 2, totalSteps: 2 })).rejects.toThrow(
        /POST .*\/train answered HTTP 500/,
      );
      expect(p.version).toBe(1);
    } finally {
      await endpoint.close();
    }
  });

  it('saves the served version and trainer state, and a resumed trainer has the server load them again', async () => {
    const runDir = await mkdtemp(join(root, 'run-'));
    const p = policy('resume-model');
    const trainer = await trainerFor('ok', runDir);
    await trainer.step([{ agentId: 'solver', policy: p, experiences: [exp('solver', 0, 1)] }], { step: 1, totalSteps: 2 });
    const ckpt = join(runDir, 'ckpt');
    await mkdir(ckpt);
    await trainer.saveState!(ckpt);
    const saved = JSON.parse(await readFile(join(ckpt, 'state.json'), 'utf8'));
    expect(saved.policies['resume-model']).toEqual({ weightsDir: join('external', 'resume-model', 'step-0001', 'weights'), version: 1, state: 'policy-0' });
    // The live state moves on (a later step), then a new process resumes from the checkpoint.
    await writeFile(join(runDir, 'external', 'resume-model', 'state', 'steps.txt'), '99');
    const fresh = policy('resume-model');
    serving.versions.set('resume-model', 0); // the server restarted on its initial weights
    const again = await trainerFor('ok', runDir);
    again.validate!(new Map([['resume-model', fresh]]));
    await again.loadState!(ckpt);
    expect(fresh.version).toBe(1);
    expect(serving.loads.at(-1)).toMatchObject({ lora_name: 'resume-model', version: 1, lora_path: join(runDir, 'external', 'resume-model', 'step-0001', 'weights') });
    expect(await readFile(join(runDir, 'external', 'resume-model', 'state', 'steps.txt'), 'utf8')).toBe('1');
  });
});

describe('external trainer in a run', () => {
  async function pipeline(mode: string, flag: string, weights: string) {
    const raw = tinyPipeline({
      trainer: { use: 'external', command: command(mode, ['--fixed', flag]), settings: { lr: 1e-3 }, timeoutS: 30 },
      run: { steps: 3, tasksPerStep: 2, samplesPerTask: 1, concurrency: 2, eval: { every: 0, atStart: false, atEnd: false }, checkpointEvery: 1, report: false },
    });
    for (const id of ['a', 'b', 'c']) raw.policies[id] = { use: 'openai-compatible', baseURL: `${serving.url}/v1`, model: `run-${id}`, returnTokenIds: true, weights, maxRetries: 0 };
    const registry = createBuiltinRegistry();
    registry.registerAll(fakePlugins().defs, 'test');
    const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result.pipeline;
  }

  it('a failure at step 2 stops the run; after the fix, --resume continues from the last good version', async () => {
    const runDir = await mkdtemp(join(root, 'run-'));
    const flag = join(runDir, 'fixed');
    const p = await pipeline('fail-step-2', flag, initial);
    const run1 = await createRun({ pipeline: p, runDir, logger: silentLogger });
    const err = await run1.runner.train().catch((e: unknown) => e);
    await run1.dispose();
    expect((err as Error).message).toMatch(/external trainer for policy "a" at step 2 failed: .* exited with code 3/);
    // Step 1 trained (version 1 served), step 2's episodes are on disk, the checkpoint is step 1's.
    expect(await readdir(join(runDir, 'episodes'))).toEqual(['train-step-0001.jsonl', 'train-step-0002.jsonl']);
    expect(await readdir(join(runDir, 'checkpoints'))).toEqual(['step-0001']);
    expect(serving.versions.get('run-a')).toBe(1);

    await writeFile(flag, 'fixed');
    serving.versions.set('run-a', 0); // the server was restarted too
    const run2 = await createRun({ pipeline: p, runDir, logger: silentLogger });
    const summary = await run2.runner.train({ resumeFrom: join(runDir, 'checkpoints', 'step-0001') });
    await run2.dispose();
    expect(summary.step).toBe(3);
    expect(serving.versions.get('run-a')).toBe(3);
    const rows = summary.metrics.filter((m) => m.step > 0);
    expect(rows.map((m) => m.step)).toEqual([1, 2, 3]);
    for (const r of rows) {
      expect(r['trainer/solver/policy_version']).toBe(r.step);
      expect(r['trainer/solver/staleness_max']).toBe(0);
      expect(r['trainer/solver/wait_trainer_s']).toBeGreaterThan(0);
    }
    // Episodes of the resumed step 2 were generated by version 1 (what the server reported).
    const ep2 = (await readFile(join(runDir, 'episodes', 'train-step-0002.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(ep2.flatMap((e) => e.actions.map((a: { policyVersion: number }) => a.policyVersion))).toSatisfy((v: number[]) => v.length > 0 && v.every((x) => x === 1));
  }, 60_000);

  it('a failure at step 1 checkpoints step 0, so the run can be resumed', async () => {
    const runDir = await mkdtemp(join(root, 'run-'));
    const flag = join(runDir, 'fixed');
    const p = await pipeline('fail-step-1', flag, initial);
    const run1 = await createRun({ pipeline: p, runDir, logger: silentLogger });
    await expect(run1.runner.train()).rejects.toThrow(/at step 1 failed/);
    await run1.dispose();
    expect(existsSync(join(runDir, 'checkpoints', 'step-0000', 'runner.json'))).toBe(true);
    await writeFile(flag, 'fixed');
    const run2 = await createRun({ pipeline: p, runDir, logger: silentLogger });
    const summary = await run2.runner.train({ resumeFrom: join(runDir, 'checkpoints', 'step-0000') });
    await run2.dispose();
    expect(summary.step).toBe(3);
  }, 60_000);
});
