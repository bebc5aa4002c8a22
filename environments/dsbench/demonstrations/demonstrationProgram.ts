import type { Rng } from '../../../core/util/Rng.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { targetColumns, type DsbenchTaskMetadata } from '../DsbenchTaskMeta.js';
import type { DsbenchStage } from '../stages.js';

/**
 * A correct program, one with a realistic bug the coach should punish, or (Analyst) a text report that an upstream
 * file is missing.
 */
export type DemoVariant = 'correct' | 'forget_x_test' | 'fit_on_test' | 'wrong_target' | 'forget_model' | 'report_missing';

export interface ProgramContext {
  readonly meta: DsbenchTaskMetadata;
  /** Columns of train.csv (plain programs' wrong-target variant picks a feature from them). */
  readonly columns?: readonly string[];
  /** Use the workspace's dsb.py helper (short programs for small policies) or plain pandas/scikit-learn. */
  readonly helper: boolean;
  /** Picks between equivalent correct programs and the wrong column. */
  readonly rng: Rng;
  /** Upstream files the Analyst's `report_missing` answer names. */
  readonly missing?: readonly string[];
}

const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function wrongColumn(c: ProgramContext): string {
  const targets = targetColumns(c.meta.target);
  const options = (c.columns ?? []).filter((col) => !targets.includes(col) && col !== c.meta.idColumn);
  if (options.length === 0) throw new MappaError(`task ${c.meta.name}: no column to use for the wrong-target variant`);
  return c.rng.pick(options);
}

/**
 * dsb.py programs: a few dozen characters, task-independent except for the task type (and `proba=True` on ROC-AUC
 * tasks), so a small policy can learn them and each bug is a small, learnable edit.
 */
function helperProgram(stage: DsbenchStage, v: DemoVariant, c: ProgramContext): string[] {
  const type = q(c.meta.taskType);
  if (stage === 'data_engineer') {
    // The labels taken from the id column (the other column name the prompt shows).
    const args = v === 'wrong_target' ? q(c.meta.idColumn) : v === 'fit_on_test' ? "fit_on='all'" : '';
    return ['import dsb', `X,y,Xt=dsb.prep(${args})`, v === 'forget_x_test' ? 'dsb.save(X_train=X,y_train=y)' : 'dsb.save(X_train=X,y_train=y,X_test=Xt)'];
  }
  if (stage === 'modeler') {
    if (v === 'fit_on_test') return ['import dsb', "X,y,Xt=dsb.load('X_train','y_train','X_test')", `dsb.save(model=dsb.fit(Xt,y,${type}))`];
    return ['import dsb', "X,y=dsb.load('X_train','y_train')", v === 'forget_model' ? `model=dsb.fit(X,y,${type})` : `dsb.save(model=dsb.fit(X,y,${type}))`];
  }
  const target = targetColumns(c.meta.target)[0]!;
  const args = [...(c.meta.metric === 'roc_auc' ? ['proba=True'] : []), ...(v === 'wrong_target' ? [`col=${q(target === 'prediction' ? 'target' : 'prediction')}`] : [])];
  return ['import dsb', "m,Xt=dsb.load('model','X_test')", `dsb.submit(${['m', 'Xt', ...args].join(',')})`];
}

function plainProgram(stage: DsbenchStage, v: DemoVariant, c: ProgramContext): string[] {
  const type = c.meta.taskType;
  if (stage === 'data_engineer') {
    const target = v === 'wrong_target' ? wrongColumn(c) : targetColumns(c.meta.target)[0]!;
    const scale = v === 'fit_on_test' || c.rng.next() < 0.5;
    const fitOn = v === 'fit_on_test' ? (c.rng.next() < 0.5 ? 'Xt' : 'pd.concat([X, Xt])') : 'X';
    const lines = [
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
    ];
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
  if (stage === 'modeler') {
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
      `model.fit(${v === 'fit_on_test' ? 'Xt' : 'X'}, y)`,
      ...(v === 'forget_model' ? [] : ["pickle.dump(model, open('model.pkl', 'wb'))"]),
      "print('---MODEL_SUMMARY---')",
      `print('Problem type: ${type}')`,
      `print('Best model: ${cls}')`,
      `print('Saved files:', ${v === 'forget_model' ? '[]' : "['model.pkl']"})`,
      "print('---END_SUMMARY---')",
    ];
  }
  const target = targetColumns(c.meta.target)[0]!;
  const column = v === 'wrong_target' ? (target === 'prediction' ? 'target' : 'prediction') : target;
  return [
    'import pickle',
    'import pandas as pd',
    "model = pickle.load(open('model.pkl', 'rb'))",
    "Xt = pickle.load(open('X_test.pkl', 'rb'))",
    "test = pd.read_csv('test.csv')",
    c.meta.metric === 'roc_auc' ? 'pred = model.predict_proba(Xt)[:, -1]' : 'pred = model.predict(Xt)',
    `sub = pd.DataFrame({${q(c.meta.idColumn)}: test[${q(c.meta.idColumn)}], ${q(column)}: pred})`,
    "sub.to_csv('submission.csv', index=False)",
    'print(len(sub), list(sub.columns))',
  ];
}

/** The Python program of one stage and variant (`report_missing`: the Analyst's text answer instead). */
export function demonstrationProgram(stage: DsbenchStage, variant: DemoVariant, context: ProgramContext): string {
  if (variant === 'report_missing') return `${(context.missing ?? []).join(' and ')} missing: no submission.`;
  return (context.helper ? helperProgram(stage, variant, context) : plainProgram(stage, variant, context)).join('\n');
}

/** The action text of a variant: one python block, or the plain-text report. */
export function demonstrationAction(stage: DsbenchStage, variant: DemoVariant, context: ProgramContext): string {
  const text = demonstrationProgram(stage, variant, context);
  return variant === 'report_missing' ? text : asAction(text);
}

/** An action text made of one python block. */
export function asAction(code: string): string {
  return `\`\`\`python\n${code}\n\`\`\``;
}
