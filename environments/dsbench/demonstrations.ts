import { readFile } from 'node:fs/promises';
import type { Message } from '../../core/model/Message.js';
import type { Task } from '../../core/model/Task.js';
import { deriveSeed } from '../../core/util/deriveSeed.js';
import { MappaError } from '../../core/util/MappaError.js';
import { Rng } from '../../core/util/Rng.js';
import { TemplateEngine } from '../../core/util/createTemplateEngine.js';
import { isDsbenchTaskFiles, targetColumns, type DsbenchTaskMetadata } from './DsbenchTaskMeta.js';
import { DSB_HELPER_FILE } from './helperModule.js';
import { observationVars, type WorkspaceFile } from './observationVars.js';
import { parseCsv } from './grading/parseCsv.js';
import { DSBENCH_STAGES, STAGE_LABELS, type DsbenchStage } from './stages.js';

/** A correct program, or one with a realistic bug the coach should punish. */
export type DemoVariant = 'correct' | 'forget_x_test' | 'fit_on_test' | 'wrong_target' | 'forget_model';

/** How often each bug appears, per stage it applies to (the rest are correct programs). */
export interface DemonstrationRates {
  /** Data Engineer saves X_train/y_train but not X_test.pkl. */
  readonly forgetXTest: number;
  /** Data Engineer fits the scaler on the test set; Modeler fits the model on X_test. */
  readonly fitOnTest: number;
  /** Data Engineer takes the labels from another column; Analyst names the prediction column wrongly. */
  readonly wrongTarget: number;
  /** Modeler trains but does not save model.pkl. */
  readonly forgetModel: number;
}

export const DEFAULT_DEMONSTRATION_RATES: DemonstrationRates = { forgetXTest: 0.15, fitOnTest: 0.1, wrongTarget: 0.1, forgetModel: 0.05 };

const BUGS: Readonly<Record<DsbenchStage, ReadonlyArray<readonly [DemoVariant, keyof DemonstrationRates]>>> = {
  data_engineer: [
    ['forget_x_test', 'forgetXTest'],
    ['fit_on_test', 'fitOnTest'],
    ['wrong_target', 'wrongTarget'],
  ],
  modeler: [
    ['fit_on_test', 'fitOnTest'],
    ['forget_model', 'forgetModel'],
  ],
  analyst: [['wrong_target', 'wrongTarget']],
};

export interface ProgramContext {
  readonly meta: DsbenchTaskMetadata;
  /** Feature columns of train.csv (for the wrong-target bug). */
  readonly columns: readonly string[];
  /** Use the workspace's dsb.py helper (short programs for small policies) or plain pandas/scikit-learn. */
  readonly helper: boolean;
  /** Picks between equivalent correct programs and the wrong column. */
  readonly rng: Rng;
}

const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function wrongColumn(c: ProgramContext): string {
  const targets = targetColumns(c.meta.target);
  const options = c.columns.filter((col) => !targets.includes(col) && col !== c.meta.idColumn);
  if (options.length === 0) throw new MappaError(`task ${c.meta.name}: no column to use for the wrong-target variant`);
  return c.rng.pick(options);
}

function dataEngineer(c: ProgramContext, v: DemoVariant): string[] {
  const target = v === 'wrong_target' ? wrongColumn(c) : targetColumns(c.meta.target)[0]!;
  const scale = v === 'fit_on_test' || c.rng.next() < 0.5;
  const fitOn = v === 'fit_on_test' ? (c.rng.next() < 0.5 ? 'Xt' : 'pd.concat([X, Xt])') : 'X';
  const lines: string[] = [];
  if (c.helper) {
    lines.push('import dsb');
    if (scale) lines.push(...(fitOn.startsWith('pd.') ? ['import pandas as pd'] : []), 'from sklearn.preprocessing import StandardScaler');
    lines.push(`X, y, Xt = dsb.load_split(${q(target)}, ${q(c.meta.idColumn)})`);
    if (scale) lines.push(`sc = StandardScaler().fit(${fitOn})`, 'X, Xt = sc.transform(X), sc.transform(Xt)', "dsb.save(sc, 'scaler.pkl')");
    lines.push("dsb.save(X, 'X_train.pkl')", "dsb.save(y, 'y_train.pkl')");
    if (v !== 'forget_x_test') lines.push("dsb.save(Xt, 'X_test.pkl')");
    return lines;
  }
  lines.push(
    'import pickle',
    'import pandas as pd',
    ...(scale ? ['from sklearn.preprocessing import StandardScaler'] : []),
    "train = pd.read_csv('train.csv')",
    "test = pd.read_csv('test.csv')",
    `target, id_col = ${q(target)}, ${q(c.meta.idColumn)}`,
    'features = [c for c in train.columns if c not in (target, id_col) and c in test.columns]',
    'X = pd.get_dummies(train[features], dtype=float)',
    'med = X.median()',
    'X = X.fillna(med)',
    'Xt = pd.get_dummies(test[features], dtype=float).reindex(columns=X.columns, fill_value=0.0).fillna(med)',
  );
  if (scale) lines.push(`sc = StandardScaler().fit(${fitOn})`, 'X, Xt = sc.transform(X), sc.transform(Xt)', "pickle.dump(sc, open('scaler.pkl', 'wb'))");
  lines.push("pickle.dump(X, open('X_train.pkl', 'wb'))", "pickle.dump(train[target], open('y_train.pkl', 'wb'))");
  if (v !== 'forget_x_test') lines.push("pickle.dump(Xt, open('X_test.pkl', 'wb'))");
  lines.push(
    "print('---PREPROCESSING_SUMMARY---')",
    `print('Target variable:', target)`,
    `print('Saved files:', ${v === 'forget_x_test' ? "['X_train.pkl', 'y_train.pkl']" : "['X_train.pkl', 'y_train.pkl', 'X_test.pkl']"})`,
    "print('---END_SUMMARY---')",
  );
  return lines;
}

function modeler(c: ProgramContext, v: DemoVariant): string[] {
  const type = c.meta.taskType;
  const trainOn = v === 'fit_on_test' ? 'Xt' : 'X';
  if (c.helper) {
    return [
      'import dsb',
      "X = dsb.load('X_train.pkl')",
      "y = dsb.load('y_train.pkl')",
      ...(v === 'fit_on_test' ? ["Xt = dsb.load('X_test.pkl')"] : []),
      `model = dsb.fit_default(${trainOn}, y, ${q(type)})`,
      ...(v === 'forget_model' ? ['print(model)'] : ["dsb.save(model, 'model.pkl')"]),
    ];
  }
  const cls = type === 'classification' ? 'RandomForestClassifier' : 'RandomForestRegressor';
  return [
    'import pickle',
    `from sklearn.ensemble import ${cls}`,
    'from sklearn.model_selection import cross_val_score',
    "X = pickle.load(open('X_train.pkl', 'rb'))",
    "y = pickle.load(open('y_train.pkl', 'rb'))",
    ...(v === 'fit_on_test' ? ["Xt = pickle.load(open('X_test.pkl', 'rb'))"] : []),
    `model = ${cls}(n_estimators=100, min_samples_leaf=2, random_state=0)`,
    "print('cv score:', cross_val_score(model, X, y, cv=3).mean())",
    `model.fit(${trainOn}, y)`,
    ...(v === 'forget_model' ? [] : ["pickle.dump(model, open('model.pkl', 'wb'))"]),
    "print('---MODEL_SUMMARY---')",
    `print('Problem type: ${type}')`,
    `print('Best model: ${cls}')`,
    `print('Saved files:', ${v === 'forget_model' ? '[]' : "['model.pkl']"})`,
    "print('---END_SUMMARY---')",
  ];
}

function analyst(c: ProgramContext, v: DemoVariant): string[] {
  const target = targetColumns(c.meta.target)[0]!;
  const column = v === 'wrong_target' ? (target === 'prediction' ? 'target' : 'prediction') : target;
  const proba = c.meta.metric === 'roc_auc';
  if (c.helper) {
    return [
      'import dsb',
      "model = dsb.load('model.pkl')",
      "Xt = dsb.load('X_test.pkl')",
      `dsb.write_submission(dsb.predict(model, Xt${proba ? ', proba=True' : ''}), ${q(c.meta.idColumn)}, ${q(column)})`,
    ];
  }
  return [
    'import pickle',
    'import pandas as pd',
    "model = pickle.load(open('model.pkl', 'rb'))",
    "Xt = pickle.load(open('X_test.pkl', 'rb'))",
    "test = pd.read_csv('test.csv')",
    proba ? 'pred = model.predict_proba(Xt)[:, -1]' : 'pred = model.predict(Xt)',
    `sub = pd.DataFrame({${q(c.meta.idColumn)}: test[${q(c.meta.idColumn)}], ${q(column)}: pred})`,
    "sub.to_csv('submission.csv', index=False)",
    'print(len(sub), list(sub.columns))',
  ];
}

/** The Python program of one stage and variant. */
export function demonstrationProgram(stage: DsbenchStage, variant: DemoVariant, context: ProgramContext): string {
  const lines = stage === 'data_engineer' ? dataEngineer(context, variant) : stage === 'modeler' ? modeler(context, variant) : analyst(context, variant);
  return lines.join('\n');
}

/** An action text made of one python block. */
export function asAction(code: string): string {
  return `\`\`\`python\n${code}\n\`\`\``;
}

/** Files each stage's correct program leaves (what the next stage's prompt lists). */
function filesAfter(stage: DsbenchStage, agentIds: Readonly<Record<DsbenchStage, string>>): WorkspaceFile[] {
  const de = ['X_test.pkl', 'X_train.pkl', 'y_train.pkl'].map((path) => ({ path, writtenBy: agentIds.data_engineer }));
  if (stage === 'data_engineer') return [];
  if (stage === 'modeler') return de;
  return [...de, { path: 'model.pkl', writtenBy: agentIds.modeler }];
}

function signOff(stage: DsbenchStage, variant: DemoVariant): string {
  if (stage === 'data_engineer') return variant === 'forget_x_test' ? 'Saved X_train.pkl and y_train.pkl.' : 'Saved X_train.pkl, y_train.pkl and X_test.pkl.';
  if (stage === 'modeler') return variant === 'forget_model' ? 'Trained the model.' : 'Saved model.pkl.';
  return 'Wrote submission.csv.';
}

/** One demonstration: the agent's first prompt and the action to imitate, plus a synthesised sign-off turn. */
export interface Demonstration {
  readonly taskId: string;
  readonly agentId: string;
  readonly stage: DsbenchStage;
  readonly variant: DemoVariant;
  /** Conversation before the action (the rendered first prompt), when prompt templates were given. */
  readonly messages: readonly Message[];
  /** The action text: one ```python block. */
  readonly completion: string;
  /** The turn-ending reply after a tool response. The tool response is synthesised, not run. */
  readonly signOff: { readonly toolResponse: string; readonly completion: string };
}

export interface BuildDemonstrationsOptions {
  readonly tasks: readonly Task[];
  /** Demonstrations per task and stage. */
  readonly perTask?: number;
  readonly rates?: Partial<DemonstrationRates>;
  readonly seed?: number;
  readonly helper?: boolean;
  /** Prompt template file per stage (e.g. examples/dsbench/prompts/tiny/*.liquid), to render each demonstration's prompt. */
  readonly prompts?: Partial<Record<DsbenchStage, string>>;
  /** Agent ids and roles by stage (default: the stage names and labels). */
  readonly agents?: Partial<Record<DsbenchStage, { readonly id: string; readonly role: string; readonly maxActions?: number }>>;
  readonly submissionFile?: string;
}

async function trainColumns(task: Task): Promise<string[]> {
  if (!isDsbenchTaskFiles(task.groundTruth)) throw new MappaError(`task ${task.id} is not a DSBench task`, { hint: 'load tasks with the dsbench task source' });
  const text = await readFile(task.groundTruth.trainFile, 'utf8');
  return parseCsv(text.slice(0, text.indexOf('\n') + 1)).header;
}

/**
 * Demonstration programs for supervised warm-start of the built-in DSBench run: per task and stage, correct short
 * programs and, at the configured rates, variants with realistic bugs (forgetting X_test.pkl, fitting on test data,
 * the wrong target column, forgetting model.pkl), so RL with the coach has something to fix. Deterministic for a seed.
 */
export async function buildDemonstrations(o: BuildDemonstrationsOptions): Promise<Demonstration[]> {
  const rates = { ...DEFAULT_DEMONSTRATION_RATES, ...o.rates };
  const helper = o.helper ?? true;
  const seed = o.seed ?? 0;
  const submissionFile = o.submissionFile ?? 'submission.csv';
  const agents = Object.fromEntries(
    DSBENCH_STAGES.map((s) => [s, { id: o.agents?.[s]?.id ?? s, role: o.agents?.[s]?.role ?? STAGE_LABELS[s], maxActions: o.agents?.[s]?.maxActions ?? 2 }]),
  ) as Record<DsbenchStage, { id: string; role: string; maxActions: number }>;
  const agentIds = Object.fromEntries(DSBENCH_STAGES.map((s) => [s, agents[s].id])) as Record<DsbenchStage, string>;
  const templates = new TemplateEngine();
  const out: Demonstration[] = [];
  for (const task of o.tasks) {
    const meta = task.metadata as DsbenchTaskMetadata;
    const columns = await trainColumns(task);
    const taskFiles: WorkspaceFile[] = [
      ...(helper ? [{ path: DSB_HELPER_FILE, writtenBy: 'environment' }] : []),
      { path: 'sample_submission.csv', writtenBy: 'environment' },
      { path: 'test.csv', writtenBy: 'environment' },
      { path: 'train.csv', writtenBy: 'environment' },
    ];
    for (const stage of DSBENCH_STAGES) {
      const upstream = DSBENCH_STAGES.slice(0, DSBENCH_STAGES.indexOf(stage));
      const files = [...taskFiles, ...filesAfter(stage, agentIds)].sort((a, b) => a.path.localeCompare(b.path));
      for (let k = 0; k < (o.perTask ?? 1); k++) {
        const rng = Rng.fromSeed(deriveSeed(seed, 'dsbench-demo', task.id, stage, k));
        let variant: DemoVariant = 'correct';
        let u = rng.next();
        for (const [bug, rate] of BUGS[stage]) {
          if (u < rates[rate]) {
            variant = bug;
            break;
          }
          u -= rates[rate];
        }
        const code = demonstrationProgram(stage, variant, { meta, columns, helper, rng });
        const messages: Message[] = [];
        const template = o.prompts?.[stage];
        if (template) {
          const { vars } = observationVars({
            meta,
            files,
            stage,
            previous: upstream.map((s) => ({ agentId: agents[s].id, role: agents[s].role, output: signOff(s, 'correct') })),
            submissionFile,
            helper,
          });
          const prompt = await templates.renderFile(template, {
            task: { id: task.id, prompt: task.prompt, metadata: task.metadata },
            agent: agents[stage],
            upstream: Object.fromEntries(upstream.map((s) => [agents[s].id, signOff(s, 'correct')])),
            ...vars,
          });
          messages.push({ role: 'user', content: prompt });
        }
        out.push({
          taskId: task.id,
          agentId: agents[stage].id,
          stage,
          variant,
          messages,
          completion: asAction(code),
          signOff: { toolResponse: '<tool_response>\n(output of the code above)\n</tool_response>', completion: signOff(stage, variant) },
        });
      }
    }
  }
  return out;
}
