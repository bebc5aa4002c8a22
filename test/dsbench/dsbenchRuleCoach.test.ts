import { describe, expect, it } from 'vitest';
import type { CoachInput } from '../../core/contracts/Coach.js';
import type { ActionRecord } from '../../core/model/Action.js';
import { createDsbenchRuleCoach } from '../../coaches/dsbench-rule/dsbenchRuleCoachPlugin.js';
import { analystCap } from '../../coaches/dsbench-rule/scoreCaps.js';
import { parseDsbenchCoachFacts, type DsbenchCoachFacts } from '../../environments/dsbench/coachFacts.js';
import { MappaError } from '../../core/util/MappaError.js';
import { describeCoachConformance, sampleAction } from '../conformance/coachConformance.js';

const ROLES = { data_engineer: 'Data Engineer', modeler: 'Modeler', analyst: 'Analyst' } as const;
type Stage = keyof typeof ROLES;
const TASK = { id: 'titanic-mini', prompt: 'Predict Survived.', metadata: { taskType: 'classification', target: 'Survived', idColumn: 'PassengerId', metric: 'accuracy' } };
const BASE_FILES = ['sample_submission.csv', 'test.csv', 'train.csv'];

function act(stage: Stage, o: { index?: number; turnIndex?: number; code?: string; text?: string; files?: string[]; toolOutput?: string; status?: 'ok' | 'error'; submission?: boolean } = {}): ActionRecord {
  const text = o.text ?? (o.code !== undefined ? `\`\`\`python\n${o.code}\n\`\`\`` : 'I am done.');
  return sampleAction({
    index: o.index ?? 0,
    agentId: stage,
    role: ROLES[stage],
    turnIndex: o.turnIndex ?? 0,
    text,
    toolCalls: o.code !== undefined ? [{ tool: 'python', language: 'python', input: o.code, status: o.status ?? 'ok', output: '' }] : [],
    toolOutput: o.toolOutput ?? '',
    filesWritten: (o.files ?? []).map((path) => ({ path, bytes: 10, writtenBy: stage, actionIndex: o.index ?? 0 })),
    extras: { submissionWritten: o.submission ?? false },
  });
}

function input(stage: Stage, action: ActionRecord, extras: Partial<DsbenchCoachFacts>, previous: ActionRecord[] = [], meta: Record<string, unknown> = TASK.metadata): CoachInput {
  const full: DsbenchCoachFacts = {
    stage,
    agentName: stage,
    filesAvailable: BASE_FILES,
    filesFromPreviousAgents: '',
    filesWrittenByAction: action.filesWritten.map((f) => f.path),
    taskType: meta.taskType as 'classification' | 'regression',
    codeBlocks: action.toolCalls.length,
    blocksRun: action.toolCalls.length,
    codeRan: action.toolCalls.every((c) => c.status === 'ok'),
    previousOutputs: '',
    ...extras,
  };
  return {
    task: { ...TASK, metadata: meta },
    agent: { id: stage, role: ROLES[stage], position: ['data_engineer', 'modeler', 'analyst'].indexOf(stage), count: 3 },
    agentInput: '',
    action: action.text,
    actionRecord: action,
    previousActions: previous,
    extras: full,
  };
}

const DE_PARTIAL = act('data_engineer', { code: "dsb.save(X, 'X_train.pkl'); dsb.save(y, 'y_train.pkl')", files: ['X_train.pkl', 'y_train.pkl'] });
const MOD_OK = act('modeler', { index: 1, code: "model = dsb.fit_default(X, y)\ndsb.save(model, 'model.pkl')", files: ['model.pkl'] });
const AFTER_DE_PARTIAL = [...BASE_FILES, 'X_train.pkl', 'y_train.pkl'];

interface Case {
  readonly name: string;
  readonly input: CoachInput;
  readonly min: number;
  readonly max: number;
  readonly verdict?: string;
  readonly blame?: string;
}

const cls = (metrics: Record<string, number>) =>
  input('analyst', act('analyst', { index: 2, code: 'write_submission()', files: ['submission.csv'], submission: true }), {
    filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl', 'model.pkl', 'submission.csv'],
    metrics,
    submissionValid: true,
  });
const REG_META = { taskType: 'regression', target: 'y', idColumn: 'id', metric: 'rmse' };
const reg = (metrics: Record<string, number>) =>
  input(
    'analyst',
    act('analyst', { index: 2, code: 'write_submission()', files: ['submission.csv'], submission: true }),
    { filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl', 'model.pkl', 'submission.csv'], metrics, submissionValid: true, taskType: 'regression' },
    [],
    REG_META,
  );

const CASES: Case[] = [
  { name: 'Data Engineer saves X_train/y_train but not X_test.pkl → culprit', input: input('data_engineer', DE_PARTIAL, { filesAvailable: AFTER_DE_PARTIAL }), min: 0, max: 2, verdict: 'culprit' },
  {
    name: 'Data Engineer signs off without X_test.pkl → still culprit',
    input: input('data_engineer', act('data_engineer', { index: 1, turnIndex: 1, text: 'Done, saved the training data.' }), { filesAvailable: AFTER_DE_PARTIAL }, [DE_PARTIAL]),
    min: 0,
    max: 2,
    verdict: 'culprit',
  },
  {
    name: 'Analyst hits FileNotFoundError on the missing X_test.pkl → victim, Data Engineer blamed',
    input: input(
      'analyst',
      act('analyst', { index: 2, code: "X = dsb.load('X_test.pkl')", status: 'error' }),
      { filesAvailable: [...AFTER_DE_PARTIAL, 'model.pkl'], codeRan: false, executionError: { kind: 'FileNotFoundError', message: "[Errno 2] No such file or directory: 'X_test.pkl'", file: 'X_test.pkl' } },
      [DE_PARTIAL, MOD_OK],
    ),
    min: 3,
    max: 5,
    verdict: 'victim',
    blame: 'data_engineer',
  },
  {
    name: 'Analyst hits FileNotFoundError on the missing model.pkl → Modeler blamed',
    input: input(
      'analyst',
      act('analyst', { index: 2, code: "m = dsb.load('model.pkl')", status: 'error' }),
      { filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl'], codeRan: false, executionError: { kind: 'FileNotFoundError', message: '', file: 'model.pkl' } },
      [DE_PARTIAL, act('modeler', { index: 1, code: 'print(1)' })],
    ),
    min: 3,
    max: 5,
    verdict: 'victim',
    blame: 'modeler',
  },
  {
    name: 'Analyst loads X_test.pkl while the workspace has X_test.npy → its own fault',
    input: input('analyst', act('analyst', { code: "dsb.load('X_test.pkl')", status: 'error' }), {
      filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.npy', 'model.pkl'],
      codeRan: false,
      executionError: { kind: 'FileNotFoundError', message: '', file: 'X_test.pkl' },
    }),
    min: 0,
    max: 2,
  },
  {
    name: 'Analyst KeyError with all inputs present → its own bug',
    input: input('analyst', act('analyst', { code: "test['id']", status: 'error' }), {
      filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl', 'model.pkl'],
      codeRan: false,
      executionError: { kind: 'KeyError', message: "'id'" },
    }),
    min: 0,
    max: 2,
  },
  {
    name: 'text-only first action → critical failure',
    input: input('modeler', act('modeler', { text: 'I would train a random forest on the data.' }), { filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl'], codeBlocks: 0, codeRan: false }),
    min: 0,
    max: 2,
    verdict: 'no-code',
  },
  {
    name: 'Analyst reports the missing X_test.pkl in words after the warning → not blamed',
    input: input('analyst', act('analyst', { text: 'X_test.pkl is missing, so I cannot create submission.csv.' }), {
      filesAvailable: [...AFTER_DE_PARTIAL, 'model.pkl'],
      codeBlocks: 0,
      codeRan: false,
      missingArtifactWarning: 'CRITICAL FILES MISSING: X_test.pkl',
    }, [DE_PARTIAL, MOD_OK]),
    min: 3,
    max: 5,
    verdict: 'victim',
    blame: 'data_engineer',
  },
  {
    name: 'complete Data Engineer',
    input: input('data_engineer', act('data_engineer', { code: "X, y, Xt = dsb.load_split('Survived', 'PassengerId')\nsave(X); save(y); save(Xt)", files: ['X_train.pkl', 'y_train.pkl', 'X_test.pkl'] }), {
      filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl'],
    }),
    min: 8,
    max: 8,
    verdict: 'own-work',
  },
  {
    name: 'complete Data Engineer that printed the summary block',
    input: input('data_engineer', act('data_engineer', { code: "dsb.load_split('Survived')", files: ['X_train.pkl', 'y_train.pkl', 'X_test.pkl'], toolOutput: '---PREPROCESSING_SUMMARY---\nok\n---END_SUMMARY---' }), {
      filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl'],
    }),
    min: 9,
    max: 9,
  },
  {
    name: 'Data Engineer fitting the scaler on the test set → capped at 5',
    input: input('data_engineer', act('data_engineer', { code: "X, y, Xt = dsb.load_split('Survived')\nsc = StandardScaler().fit(Xt)\nsave(sc.transform(X))", files: ['X_train.pkl', 'y_train.pkl', 'X_test.pkl'] }), {
      filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl'],
    }),
    min: 5,
    max: 5,
  },
  {
    name: 'Data Engineer using the wrong target column → capped at 3',
    input: input('data_engineer', act('data_engineer', { code: "X, y, Xt = dsb.load_split('Age', 'PassengerId')", files: ['X_train.pkl', 'y_train.pkl', 'X_test.pkl'] }), {
      filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl'],
    }),
    min: 3,
    max: 3,
  },
  {
    name: "dsb.prep(fit_on='all') (imputation and encoding fitted on test rows too) → capped at 5",
    input: input('data_engineer', act('data_engineer', { code: "X,y,Xt=dsb.prep(fit_on='all')\ndsb.save(X_train=X,y_train=y,X_test=Xt)", files: ['X_train.pkl', 'y_train.pkl', 'X_test.pkl'] }), {
      filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl'],
    }),
    min: 5,
    max: 5,
  },
  {
    name: "dsb.prep('PassengerId') (labels from the id column) → capped at 3",
    input: input('data_engineer', act('data_engineer', { code: "X,y,Xt=dsb.prep('PassengerId')\ndsb.save(X_train=X,y_train=y,X_test=Xt)", files: ['X_train.pkl', 'y_train.pkl', 'X_test.pkl'] }), {
      filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl'],
    }),
    min: 3,
    max: 3,
  },
  {
    name: 'Modeler trains without saving, with actions left → exploration',
    input: input('modeler', act('modeler', { index: 1, code: "model=dsb.fit(X,y,'classification')" }), { filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl'] }),
    min: 5,
    max: 5,
    verdict: 'own-work',
  },
  {
    name: 'Modeler trains without saving in its last action (maxActions reached) → culprit',
    input: input('modeler', act('modeler', { index: 1, code: "model=dsb.fit(X,y,'classification')" }), { filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl'], lastAction: true }),
    min: 2,
    max: 2,
    verdict: 'culprit',
  },
  {
    name: 'Analyst whose last action writes no submission although the inputs are there → culprit',
    input: input('analyst', act('analyst', { index: 2, code: "m,Xt=dsb.load('model','X_test')" }), { filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl', 'model.pkl'], lastAction: true }),
    min: 2,
    max: 2,
    verdict: 'culprit',
  },
  { name: 'Modeler saves model.pkl', input: input('modeler', MOD_OK, { filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl', 'model.pkl'] }), min: 8, max: 8 },
  { name: 'Modeler saves model.pkl in its last action', input: input('modeler', MOD_OK, { filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl', 'model.pkl'], lastAction: true }), min: 8, max: 8 },
  {
    name: 'Modeler fitting on X_test → capped at 3',
    input: input('modeler', act('modeler', { code: "model.fit(X_test, y)\nsave(model, 'model.pkl')", files: ['model.pkl'] }), { filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl', 'model.pkl'] }),
    min: 3,
    max: 3,
  },
  {
    name: 'Modeler cannot load y_train.pkl that the Data Engineer never saved → victim',
    input: input(
      'modeler',
      act('modeler', { index: 1, code: "dsb.load('y_train.pkl')", status: 'error' }),
      { filesAvailable: [...BASE_FILES, 'X_train.pkl', 'X_test.pkl'], codeRan: false, executionError: { kind: 'FileNotFoundError', message: '', file: 'y_train.pkl' } },
      [act('data_engineer', { code: 'x', files: ['X_train.pkl', 'X_test.pkl'] })],
    ),
    min: 3,
    max: 5,
    blame: 'data_engineer',
  },
  { name: 'Modeler exploring without saving', input: input('modeler', act('modeler', { code: 'print(X.shape)' }), { filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl'] }), min: 5, max: 5 },
  {
    name: 'Modeler signs off without ever saving a model → culprit',
    input: input('modeler', act('modeler', { turnIndex: 1, text: 'Done.' }), { filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl'] }, [act('modeler', { code: 'print(1)' })]),
    min: 0,
    max: 2,
    verdict: 'culprit',
  },
  {
    name: 'syntax error',
    input: input('modeler', act('modeler', { code: 'def (:', status: 'error' }), { codeRan: false, executionError: { kind: 'SyntaxError', message: 'invalid syntax' } }),
    min: 0,
    max: 1,
  },
  {
    name: 'time limit',
    input: input('modeler', act('modeler', { code: 'while True: pass', status: 'error' }), { codeRan: false, executionError: { kind: 'TimeLimitExceeded', message: '' } }),
    min: 2,
    max: 2,
  },
  {
    name: 'invalid submission',
    input: input('analyst', act('analyst', { code: 'write()', files: ['submission.csv'], submission: true }), {
      filesAvailable: [...AFTER_DE_PARTIAL, 'X_test.pkl', 'model.pkl', 'submission.csv'],
      submissionValid: false,
      metrics: { valid: 0 },
    }),
    min: 3,
    max: 3,
  },
  { name: 'caps: accuracy 0.90 → excellent', input: cls({ accuracy: 0.9, f1: 0.88 }), min: 9, max: 9 },
  { name: 'caps: accuracy 0.80 → good', input: cls({ accuracy: 0.8, f1: 0.78 }), min: 8, max: 8 },
  { name: 'caps: ROC-AUC 0.70 beats accuracy 0.9 → mediocre', input: cls({ accuracy: 0.9, f1: 0.5, roc_auc: 0.7 }), min: 6, max: 6 },
  { name: 'caps: accuracy 0.60 → poor', input: cls({ accuracy: 0.6, f1: 0.55 }), min: 4, max: 4 },
  { name: 'caps: accuracy 0.50 → near random', input: cls({ accuracy: 0.5, f1: 0.5 }), min: 3, max: 3 },
  { name: 'caps: accuracy 0.89 with F1 0.23 → majority-class predictions', input: cls({ accuracy: 0.89, f1: 0.23 }), min: 4, max: 4 },
  { name: 'caps: RMSE 5% of range → excellent', input: reg({ rmse_pct_of_range: 5, target_range: 10, target_iqr: 5 }), min: 9, max: 9 },
  { name: 'caps: RMSE 15% of range → good', input: reg({ rmse_pct_of_range: 15, target_range: 10, target_iqr: 5 }), min: 8, max: 8 },
  { name: 'caps: RMSE 30% of range → mediocre', input: reg({ rmse_pct_of_range: 30, target_range: 10, target_iqr: 5 }), min: 6, max: 6 },
  { name: 'caps: RMSE 60% of range → poor', input: reg({ rmse_pct_of_range: 60, target_range: 10, target_iqr: 5 }), min: 4, max: 4 },
  {
    name: 'caps: outliers switch to RMSE % of IQR',
    input: reg({ rmse_pct_of_range: 5, rmse_pct_of_iqr: 40, target_range: 100, target_iqr: 10 }),
    min: 6,
    max: 6,
  },
];

describe('dsbench-rule coach (table)', () => {
  const coach = createDsbenchRuleCoach();
  for (const c of CASES) {
    it(c.name, async () => {
      const e = await coach.evaluate(c.input);
      expect(e.score, e.rationale).toBeGreaterThanOrEqual(c.min);
      expect(e.score, e.rationale).toBeLessThanOrEqual(c.max);
      expect(e.flags).toEqual({ repaired: false, fallback: false, cached: false });
      expect(e.rationale.length).toBeGreaterThan(20);
      if (c.verdict) expect(e.details?.verdict).toBe(c.verdict);
      if (c.blame) expect((e.details?.blame as { agentId: string }).agentId).toBe(c.blame);
    });
  }

  it('blames the Data Engineer, not the Analyst, for a missing X_test.pkl', async () => {
    const de = await coach.evaluate(CASES[0]!.input);
    const analyst = await coach.evaluate(CASES[2]!.input);
    expect(de.score).toBeLessThan(analyst.score);
    expect(analyst.rationale).toMatch(/not blamed/);
    expect(analyst.details?.blame).toEqual({ stage: 'data_engineer', agentId: 'data_engineer', file: 'X_test.pkl' });
  });

  it('reports the submission verdict for the Analyst when it sees ground truth', async () => {
    expect((await coach.evaluate(CASES.find((c) => c.name.includes('accuracy 0.80'))!.input)).outcome).toEqual({ name: 'SUBMISSION_VALID', value: 1 });
    expect((await coach.evaluate(CASES.find((c) => c.name === 'invalid submission')!.input)).outcome).toEqual({ name: 'SUBMISSION_VALID', value: 0 });
  });

  it('can switch the code checks off', async () => {
    const lenient = createDsbenchRuleCoach({ checkLeakage: false, checkTargetColumn: false });
    expect((await lenient.evaluate(CASES.find((c) => c.name.includes('scaler on the test set'))!.input)).score).toBe(8);
    expect((await lenient.evaluate(CASES.find((c) => c.name.includes('wrong target'))!.input)).score).toBe(8);
  });

  it('refuses input without DSBench evidence (the coach runtime turns this into a flagged fallback)', async () => {
    const bare = { ...CASES[0]!.input, extras: {} };
    await expect(coach.evaluate(bare)).rejects.toThrow(/no DSBench evidence/);
  });

  it('fails on malformed facts with an error naming each bad field (the runtime flags a fallback)', async () => {
    const good = CASES[0]!.input;
    const bad = { ...good, extras: { ...good.extras, taskType: 'binary', codeBlocks: '2', executionError: { kind: 'KeyError' } } };
    const err = (await coach.evaluate(bad).catch((e: unknown) => e)) as MappaError;
    expect(err).toBeInstanceOf(MappaError);
    expect(err.message).toMatch(/^dsbench-rule coach: malformed DSBench coach facts: /);
    expect(err.message).toContain('extras.taskType');
    expect(err.message).toContain('extras.codeBlocks');
    expect(err.message).toContain('extras.executionError.message');
    expect(err.hint).toContain('docs/dsbench.md');
    // Strict: a misspelt key is an error too, not silently ignored.
    const typo = { ...good, extras: { ...good.extras, codeRun: true } };
    await expect(coach.evaluate(typo)).rejects.toThrow(/extras: .*codeRun/);
    // The well-formed input scores.
    expect((await coach.evaluate(good)).score).toBeGreaterThanOrEqual(0);
  });

  it('parses facts once into typed values (parseDsbenchCoachFacts)', () => {
    const facts = parseDsbenchCoachFacts(CASES[0]!.input.extras, 'test');
    expect(facts.taskType).toBe('classification');
    expect(() => parseDsbenchCoachFacts({ ...CASES[0]!.input.extras, filesAvailable: 'X_train.pkl' }, 'my coach')).toThrow(
      /^my coach: malformed DSBench coach facts: extras\.filesAvailable: /,
    );
  });

  it('caps helper leaves classification without metrics uncapped', () => {
    expect(analystCap('classification', {}, { outlierRatio: 4, majorityAccuracy: 0.7, majorityF1: 0.3 })).toBeUndefined();
  });

  it('checks for majority-class predictions on label submissions only, not on ROC-AUC probabilities', () => {
    const o = { outlierRatio: 4, majorityAccuracy: 0.7, majorityF1: 0.3 };
    // churn-mini with predict_proba: AUC 0.70, and the probabilities rounded at 0.5 are nearly all 0.
    const probs = { roc_auc: 0.699, accuracy: 0.8, f1: 0.09 };
    expect(analystCap('classification', probs, o, 'roc_auc')).toMatchObject({ band: 'mediocre', max: 6 });
    expect(analystCap('classification', probs, o, 'f1')).toMatchObject({ band: 'poor', max: 4 });
  });
});

describeCoachConformance('dsbench-rule', { create: async () => createDsbenchRuleCoach(), input: CASES[2]!.input, deterministic: true });
