import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPipelineFile } from '../../core/pipeline/loadPipelineFile.js';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { packageRoot } from '../../core/util/packageRoot.js';
import { Rng } from '../../core/util/Rng.js';
import { asAction, demonstrationProgram } from '../../environments/dsbench/demonstrations/demonstrationProgram.js';
import type { DsbenchTaskMetadata } from '../../environments/dsbench/DsbenchTaskMeta.js';
import { loadDsbenchTasks } from '../../environments/dsbench/loadDsbenchTasks.js';
import type { DsbenchStage } from '../../environments/dsbench/stages.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { chatCompletion, startFakeServer } from '../fakes/fakeOpenAIServer.js';

const EXAMPLE = join(packageRoot(), 'examples', 'dsbench');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const tasks = await loadDsbenchTasks({});
function program(taskId: string, stage: DsbenchStage, variant: Parameters<typeof demonstrationProgram>[1], helper: boolean): string {
  const task = tasks.find((t) => t.id === taskId)!;
  return asAction(demonstrationProgram(stage, variant, { meta: task.metadata as DsbenchTaskMetadata, columns: [], helper, rng: Rng.fromSeed(1) }));
}

async function run(raw: Record<string, any>) {
  const registry = createBuiltinRegistry();
  const tmp = await mkdtemp(join(tmpdir(), 'mappa-dsb-e2e-'));
  dirs.push(tmp);
  raw.run = { ...raw.run, cacheDir: join(tmp, 'cache'), report: false, checkpointEvery: 0 };
  const result = await validatePipeline(raw, { registry, baseDir: EXAMPLE });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const r = await createRun({ pipeline: result.pipeline, runDir: join(tmp, 'run'), logger: silentLogger });
  const summary = await r.runner.train();
  await r.dispose();
  const files = (await readdir(join(tmp, 'run', 'episodes'))).filter((f) => f.startsWith('train-')).sort();
  const episodes = (await Promise.all(files.map((f) => readFile(join(tmp, 'run', 'episodes', f), 'utf8'))))
    .join('')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return { summary, episodes };
}

const agents = (prompts: string) => [
  { id: 'data_engineer', role: 'Data Engineer', policy: 'de', prompt: `${prompts}/data_engineer.liquid`, tools: ['python'], maxActions: 4 },
  { id: 'modeler', role: 'Modeler', policy: 'mod', prompt: `${prompts}/modeler.liquid`, tools: ['python'], maxActions: 4, reads: ['data_engineer'] },
  { id: 'analyst', role: 'Analyst', policy: 'an', prompt: `${prompts}/analyst.liquid`, tools: ['python'], maxActions: 4, reads: ['data_engineer', 'modeler'], coachSeesGroundTruth: true },
];
const ONE_STEP = { steps: 1, tasksPerStep: 1, samplesPerTask: 1, concurrency: 1, eval: { atStart: false, atEnd: false } };

describe('DSBench pipeline end to end (runner, bubblewrap sandbox)', () => {
  it('a Data Engineer that forgets X_test.pkl is blamed; the Analyst that hits FileNotFoundError is not', async () => {
    const { summary, episodes } = await run({
      name: 'dsbench-blame',
      seed: 1,
      tasks: { use: 'dsbench', names: { train: ['titanic-mini'] } },
      environment: { use: 'dsbench', helperModule: true, sandbox: { use: 'bubblewrap' } },
      policies: {
        de: { use: 'scripted', replies: [program('titanic-mini', 'data_engineer', 'forget_x_test', true), 'Saved X_train.pkl and y_train.pkl.'] },
        mod: { use: 'scripted', replies: [program('titanic-mini', 'modeler', 'correct', true), 'Saved model.pkl.'] },
        an: { use: 'scripted', replies: [program('titanic-mini', 'analyst', 'correct', true), 'X_test.pkl is missing, so I could not write submission.csv.'] },
      },
      agents: agents('prompts'),
      coach: { use: 'dsbench-rule' },
      run: ONE_STEP,
    });
    expect(episodes).toHaveLength(1);
    const ep = episodes[0];
    expect(ep.error).toBeUndefined();
    const by = (agent: string) => ep.actions.filter((a: any) => a.agentId === agent);
    const [deCode, deSignOff] = by('data_engineer');
    const [modCode] = by('modeler');
    const [anCode, anSignOff] = by('analyst');
    expect(deCode.filesWritten.map((f: any) => f.path).sort()).toEqual(['X_train.pkl', 'y_train.pkl']);
    expect(modCode.filesWritten.map((f: any) => [f.path, f.writtenBy])).toEqual([['model.pkl', 'modeler']]);
    // The Analyst was warned before it ran, and its code failed on the missing file.
    expect(anCode.inputText).toContain('CRITICAL FILES MISSING');
    expect(anCode.toolCalls[0].status).toBe('error');
    expect(anCode.extras.executionError).toMatchObject({ kind: 'FileNotFoundError', file: 'X_test.pkl' });
    // Blame: the Data Engineer is the culprit (0–2), the Analyst is not blamed (3–5).
    for (const a of [deCode, deSignOff]) expect(a.coach.score).toBeLessThanOrEqual(2);
    expect(deCode.coach.details.verdict).toBe('culprit');
    for (const a of [anCode, anSignOff]) {
      expect(a.coach.score).toBeGreaterThanOrEqual(3);
      expect(a.coach.score).toBeLessThanOrEqual(5);
      expect(a.coach.details.blame).toMatchObject({ agentId: 'data_engineer', file: 'X_test.pkl' });
    }
    expect(modCode.coach.score).toBeGreaterThanOrEqual(8);
    expect(ep.outcome).toMatchObject({ success: false, metrics: { valid: 0, fair_accuracy: 0.5, fair_f1: 0, rpg: 0 } });
    const m = summary.metrics.find((row) => row.step === 1)!;
    expect(m['train/coach/score/data_engineer'] as number).toBeLessThan(m['train/coach/score/analyst'] as number);
    expect(m['train/coach/score/analyst/classification']).toBe(m['train/coach/score/analyst']);
    expect(m['train/success_rate/classification']).toBe(0);
  });

  it('runs examples/dsbench/pipeline.openai.yaml with openai-compatible agents against a loopback server', async () => {
    const taskId = 'housing-mini';
    const reply = (stage: DsbenchStage) => program(taskId, stage, 'correct', false);
    const server = await startFakeServer((req) => {
      const messages = req.body.messages as Array<{ role: string; content: string }>;
      const first = messages[0]!.content;
      const stage: DsbenchStage = first.startsWith('You are the Data Engineer') ? 'data_engineer' : first.startsWith('You are the Modeler') ? 'modeler' : 'analyst';
      const turn = messages.filter((m) => m.role === 'assistant').length;
      return { body: chatCompletion(turn === 0 ? `<think>Plan briefly.</think>\n${reply(stage)}` : `<think>Summarize the ${stage} work.</think>Done: my ${stage} work is saved.`) };
    });
    try {
      const raw = (await readPipelineFile(join(EXAMPLE, 'pipeline.openai.yaml'))) as Record<string, any>;
      raw.tasks = { use: 'dsbench', names: { train: [taskId] } };
      for (const p of Object.values(raw.policies) as Array<Record<string, unknown>>) p.baseURL = `${server.url}/v1`;
      raw.coach = { use: 'dsbench-rule' }; // the LLM coach plugin lives in the coaches area
      raw.run = { ...raw.run, ...ONE_STEP };
      const { episodes } = await run(raw);
      const ep = episodes[0];
      expect(ep.error).toBeUndefined();
      expect(ep.outcome.success).toBe(true);
      expect(ep.outcome.metrics.rmse).toBeGreaterThan(0);
      expect(ep.outcome.metrics.rpg).toBeGreaterThan(0.3);
      expect(ep.outcome.metrics.fair_rmse_pct_of_range).toBe(ep.outcome.metrics.rmse_pct_of_range);
      // Long prompts with the file list reached the server; upstream outputs arrive without <think>.
      const analystPrompt = server.requests.map((r) => r.body.messages[0].content as string).find((c) => c.startsWith('You are the Analyst'))!;
      expect(analystPrompt).toContain('X_test.pkl (');
      expect(analystPrompt).toContain('saved by modeler');
      expect(analystPrompt).toContain('Done: my data_engineer work is saved.');
      expect(analystPrompt).not.toContain('Summarize the data_engineer work');
      expect(analystPrompt).not.toContain('CRITICAL FILES MISSING');
      const analyst = ep.actions.filter((a: any) => a.agentId === 'analyst');
      expect(analyst[0].filesWritten.map((f: any) => f.path)).toEqual(['submission.csv']);
      expect(analyst[0].coach.score).toBeGreaterThanOrEqual(6);
      expect(analyst[0].coach.details.cap.basis).toMatch(/rmse_pct_of_(range|iqr)/);
      for (const a of ep.actions) expect(a.coach.flags.fallback).toBe(false);
    } finally {
      await server.close();
    }
  });
});
