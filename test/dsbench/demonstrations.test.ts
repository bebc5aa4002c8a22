import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fitsOnTestData, wrongTargetColumn } from '../../coaches/dsbench-rule/codeChecks.js';
import type { GenerateRequest, Generation, Policy } from '../../core/contracts/Policy.js';
import type { Message } from '../../core/model/Message.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { readPipelineFile } from '../../core/pipeline/loadPipelineFile.js';
import type { ResolvedPipeline } from '../../core/pipeline/ResolvedPipeline.js';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { packageRoot } from '../../core/util/packageRoot.js';
import { Rng } from '../../core/util/Rng.js';
import type { DemonstrationRatesInput } from '../../environments/dsbench/demonstrations/DemonstrationRates.js';
import { demonstrationProgram, type DemoVariant } from '../../environments/dsbench/demonstrations/demonstrationProgram.js';
import { demonstrationsForPipeline } from '../../environments/dsbench/demonstrations/demonstrationsForPipeline.js';
import { createDsbenchDemonstrations } from '../../environments/dsbench/demonstrations/dsbenchDemonstrationsPlugin.js';
import { generateDsbenchDemonstrations } from '../../environments/dsbench/demonstrations/generateDsbenchDemonstrations.js';
import type { DsbenchTaskMetadata } from '../../environments/dsbench/DsbenchTaskMeta.js';
import { loadDsbenchTasks } from '../../environments/dsbench/loadDsbenchTasks.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';

const EXAMPLE = join(packageRoot(), 'examples', 'dsbench');
const all = await loadDsbenchTasks({});
const train = all.filter((t) => t.split === 'train');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const key = (messages: readonly Message[]) => JSON.stringify(messages.map((m) => [m.role, m.content]));

/** Replays the demonstration whose context is exactly the one the runner built; any other context is an error. */
class ReplayPolicy implements Policy {
  readonly trainable = false;
  readonly version = 0;
  constructor(
    readonly id: string,
    private readonly byContext: ReadonlyMap<string, string>,
  ) {}
  async generate(req: GenerateRequest): Promise<Generation> {
    const text = this.byContext.get(key(req.messages));
    if (text === undefined) throw new Error(`no demonstration for context ${key(req.messages)}`);
    const ids = Array.from(text, (c) => c.codePointAt(0)!);
    return { text, contextIds: [], tokenIds: ids, logprobs: ids.map(() => 0), finishReason: 'stop', policyVersion: 0 };
  }
}

/** The built-in pipeline with replay policies, no warm start and a tiny run in a temp folder. */
async function builtinWith(work: string, byContext: Map<string, string>, edit: (raw: Record<string, any>) => void = () => {}): Promise<ResolvedPipeline> {
  const raw = (await readPipelineFile(join(EXAMPLE, 'pipeline.yaml'))) as Record<string, any>;
  raw['policies'] = { data_engineer: { use: 'replay' }, modeler: { use: 'replay' }, analyst: { use: 'replay' } };
  delete raw['warmStart'];
  delete raw['trainer'];
  raw['run'] = {
    ...raw['run'],
    steps: 1,
    tasksPerStep: 1,
    samplesPerTask: 1,
    eval: { ...raw['run'].eval, atStart: false, atEnd: false },
    report: false,
    outputDir: join(work, 'runs'),
    cacheDir: join(work, 'cache'),
  };
  edit(raw);
  const registry = createBuiltinRegistry();
  registry.register(
    definePlugin({ kind: 'policy', name: 'replay', description: 'test', configSchema: z.strictObject({}), create: (_c, deps) => new ReplayPolicy(deps.id, byContext) }),
    'test',
  );
  const result = await validatePipeline(raw, { registry, baseDir: EXAMPLE });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.pipeline;
}

/**
 * Demonstrations with every variant fixed (rates 0 or 1), so each context has exactly one response, replayed
 * through the real runner and bubblewrap sandbox. Returns the recorded episodes and the last metrics row.
 */
async function replay(rates: DemonstrationRatesInput, edit: (raw: Record<string, any>) => void, splits = ['train']) {
  const work = await mkdtemp(join(tmpdir(), 'mappa-dsb-demos-'));
  dirs.push(work);
  const byContext = new Map<string, string>();
  const pipeline = await builtinWith(work, byContext, edit);
  for (const split of splits) {
    const { demonstrations } = await demonstrationsForPipeline(pipeline, { split, perTask: 1, rates });
    for (const d of demonstrations) {
      const previous = byContext.get(key(d.messages));
      expect(previous === undefined || previous === d.response, 'one response per context').toBe(true);
      byContext.set(key(d.messages), d.response);
    }
  }
  const run = await createRun({ pipeline, runDir: join(work, 'run'), logger: silentLogger });
  const summary = await run.runner.train({ train: false });
  await run.dispose();
  const files = await readdir(join(work, 'run', 'episodes'));
  const episodes = (await Promise.all(files.map((f) => readFile(join(work, 'run', 'episodes', f), 'utf8'))))
    .join('')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  // No policy call missed: every context the runner built is a demonstration's.
  for (const ep of episodes) expect(ep.error, JSON.stringify(ep.error)).toBeUndefined();
  return { episodes, metrics: summary.metrics.at(-1)! };
}

const NO_BUGS = { data_engineer: { forgetXTest: 0, fitOnTest: 0, wrongTarget: 0 }, modeler: { fitOnTest: 0, forgetModel: 0 }, analyst: { wrongTarget: 0 } };
const byAgent = (ep: any) => Object.fromEntries(ep.actions.map((a: any) => [a.agentId, a]));

describe('DSBench demonstrations', () => {
  it('replayed through the real runner, match every context exactly; correct programs give valid submissions', async () => {
    const { episodes, metrics } = await replay(NO_BUGS, (raw) => {
      raw['tasks'] = { use: 'dsbench', names: { train: ['churn-mini'], test: ['energy-mini'] } };
      raw['run'] = { ...raw['run'], eval: { ...raw['run'].eval, samplesPerTask: 1, atEnd: true } };
    }, ['train', 'test']);
    expect(episodes.map((e) => e.taskId).sort()).toEqual(['churn-mini', 'energy-mini']);
    for (const ep of episodes) {
      expect(ep.outcome.success, ep.taskId).toBe(true);
      const { data_engineer: de, modeler, analyst } = byAgent(ep);
      expect(de.filesWritten.map((f: any) => f.path).sort()).toEqual(['X_test.pkl', 'X_train.pkl', 'y_train.pkl']);
      expect(de.coach.score).toBe(8);
      expect(modeler.coach.score).toBe(8);
      expect(analyst.coach.details.verdict).toBe('own-work');
      expect(analyst.coach.details.cap).toBeDefined();
    }
    // ROC-AUC tasks get probabilities.
    const churn = episodes.find((e) => e.taskId === 'churn-mini');
    expect(byAgent(churn).analyst.text).toContain('proba=True');
    expect(churn.outcome.metrics.roc_auc).toBeGreaterThan(0.6);
    expect(metrics['eval/success_rate/regression']).toBe(1);
    expect(metrics['eval/metric/fair_rmse_pct_of_range']).toBeLessThan(25);
  });

  it('a forgotten X_test.pkl flows downstream: the Modeler fails on it and is not blamed, the warned Analyst reports it', async () => {
    const { episodes } = await replay({ ...NO_BUGS, data_engineer: { forgetXTest: 1, fitOnTest: 0 }, modeler: { fitOnTest: 1, forgetModel: 0 } }, (raw) => {
      raw['tasks'] = { use: 'dsbench', names: { train: ['housing-mini'] } };
    });
    const [ep] = episodes;
    const { data_engineer: de, modeler, analyst } = byAgent(ep);
    expect(de.coach).toMatchObject({ score: 2, details: { verdict: 'culprit' } });
    expect(modeler.extras.executionError).toMatchObject({ kind: 'FileNotFoundError', file: 'X_test.pkl' });
    expect(modeler.coach).toMatchObject({ score: 4, details: { verdict: 'victim', blame: { agentId: 'data_engineer', file: 'X_test.pkl' } } });
    expect(analyst.inputText).toContain('missing: X_test.pkl model.pkl');
    expect(analyst.text).toBe('X_test.pkl and model.pkl missing: no submission.');
    expect(analyst.coach).toMatchObject({ score: 4, details: { verdict: 'victim' } });
    expect(ep.outcome).toMatchObject({ success: false, metrics: { fair_rmse_pct_of_range: 50 } });
  });

  it('leakage and a wrong prediction column are scored down', async () => {
    const leak = await replay({ ...NO_BUGS, data_engineer: { forgetXTest: 0, fitOnTest: 1 }, analyst: { wrongTarget: 1 } }, (raw) => {
      raw['tasks'] = { use: 'dsbench', names: { train: ['titanic-mini'] } };
    });
    const a = byAgent(leak.episodes[0]);
    expect(a.data_engineer.text).toContain("fit_on='all'");
    expect(a.data_engineer.coach.score).toBe(5);
    expect(a.data_engineer.coach.rationale).toContain('leaks the test set');
    expect(a.analyst.coach).toMatchObject({ score: 3, outcome: { value: 0 } });
    expect(leak.episodes[0].outcome.success).toBe(false);

  });

  it('put bugs in at the configured rates, deterministically for a seed', async () => {
    const work = await mkdtemp(join(tmpdir(), 'mappa-dsb-demos-'));
    dirs.push(work);
    const pipeline = await builtinWith(work, new Map());
    const rates = { data_engineer: { forgetXTest: 0.2, fitOnTest: 0.1, wrongTarget: 0.1 }, modeler: { fitOnTest: 0.1, forgetModel: 0.15 }, analyst: { wrongTarget: 0.2 } };
    const set = await generateDsbenchDemonstrations({ tasks: train, agents: pipeline.agents, perTask: 150, rates, seed: 3 });
    const share = (agent: string, variant: DemoVariant, of = (v: string) => v !== 'report_missing') => {
      const ds = set.demonstrations.filter((d) => d.agentId === agent && of(d.variant));
      return ds.filter((d) => d.variant === variant).length / ds.length;
    };
    expect(share('data_engineer', 'forget_x_test')).toBeCloseTo(0.2, 1);
    expect(share('data_engineer', 'fit_on_test')).toBeCloseTo(0.1, 1);
    expect(share('data_engineer', 'wrong_target')).toBeCloseTo(0.1, 1);
    expect(share('modeler', 'fit_on_test')).toBeCloseTo(0.1, 1);
    expect(share('modeler', 'forget_model')).toBeCloseTo(0.15, 1);
    expect(share('analyst', 'wrong_target')).toBeCloseTo(0.2, 1);
    // The Analyst reports a missing file exactly when an upstream bug removed one (X_test.pkl or model.pkl).
    const reported = share('analyst', 'report_missing', () => true);
    expect(reported).toBeCloseTo(1 - (1 - 0.2) * (1 - 0.1 - 0.15), 1);
    expect(set.stats['modeler']!['count']).toBe(150 * train.length);
    const again = await generateDsbenchDemonstrations({ tasks: train.slice(0, 2), agents: pipeline.agents, perTask: 10, rates, seed: 3 });
    const other = await generateDsbenchDemonstrations({ tasks: train.slice(0, 2), agents: pipeline.agents, perTask: 10, rates, seed: 4 });
    // Chain k of a task depends only on (seed, task, k): the first 10 chains are the same with more per task.
    const firstChains = (id: string) => set.demonstrations.filter((d) => d.taskId === id).slice(0, 30);
    expect(again.demonstrations).toEqual([...firstChains(train[0]!.id), ...firstChains(train[1]!.id)]);
    expect(other.demonstrations.map((d) => d.variant)).not.toEqual(again.demonstrations.map((d) => d.variant));
  });

  it('bug variants contain what the rule coach looks for; correct programs do not', () => {
    for (const task of all) {
      const meta = task.metadata as DsbenchTaskMetadata;
      const targets = [String(meta.target)];
      for (const helper of [true, false]) {
        const prog = (stage: 'data_engineer' | 'modeler' | 'analyst', v: DemoVariant, seed = 1) =>
          demonstrationProgram(stage, v, { meta, columns: ['a_feature', meta.idColumn, ...targets], helper, rng: Rng.fromSeed(seed) });
        for (let seed = 0; seed < 4; seed++) {
          const ok = prog('data_engineer', 'correct', seed);
          expect(fitsOnTestData(ok)).toBeUndefined();
          expect(wrongTargetColumn(ok, targets)).toBeUndefined();
          expect(fitsOnTestData(prog('data_engineer', 'fit_on_test', seed)), `${task.id} ${helper}`).toBeDefined();
        }
        expect(prog('data_engineer', 'correct')).toMatch(/X_test/);
        expect(prog('data_engineer', 'forget_x_test')).not.toMatch(/X_test(?:\.pkl'|=)/);
        expect(wrongTargetColumn(prog('data_engineer', 'wrong_target'), targets)).toBe(helper ? meta.idColumn : 'a_feature');
        expect(fitsOnTestData(prog('modeler', 'fit_on_test'))).toBeDefined();
        expect(fitsOnTestData(prog('modeler', 'correct'))).toBeUndefined();
        expect(prog('modeler', 'correct')).toMatch(/model\.pkl|model=/);
        expect(prog('modeler', 'forget_model')).not.toMatch(/'model\.pkl'|save\(model=/);
        expect(prog('analyst', 'wrong_target')).toMatch(/prediction/);
        expect(prog('analyst', 'correct').includes('proba') || prog('analyst', 'correct').includes('predict_proba')).toBe(meta.metric === 'roc_auc');
      }
      // The helper programs are a few dozen characters: something a tiny character-level policy can learn.
      for (const stage of ['data_engineer', 'modeler', 'analyst'] as const) {
        expect(demonstrationProgram(stage, 'correct', { meta, helper: true, rng: Rng.fromSeed(1) }).length).toBeLessThan(100);
      }
    }
  });

  it('refuse pipelines they cannot render exactly', async () => {
    const work = await mkdtemp(join(tmpdir(), 'mappa-dsb-demos-'));
    dirs.push(work);
    const source = createDsbenchDemonstrations({ perTask: 1 });
    const attempt = async (edit: (raw: Record<string, any>) => void) => {
      const pipeline = await builtinWith(work, new Map(), edit);
      return source.demonstrations({ pipeline, seed: 0 });
    };
    await expect(attempt((raw) => (raw['environment'].helperModule = false))).rejects.toThrow(/helperModule: false/);
    await expect(attempt((raw) => (raw['agents'][1].maxActions = 2))).rejects.toThrow(/maxActions 2/);
    await expect(attempt((raw) => (raw['agents'][2].prompt = 'prompts/analyst.liquid'))).rejects.toThrow(/filesList/);
    await expect(attempt((raw) => (raw['tasks'] = { use: 'inline', tasks: [{ id: 'x', split: 'train', prompt: 'p', answer: '1' }] }))).rejects.toThrow(/need DSBench tasks/);
    const ok = await attempt(() => {});
    expect(ok.demonstrations).toHaveLength(3 * train.length);
    expect(ok.stats).toMatchObject({ data_engineer: { count: train.length } });
  });
});
