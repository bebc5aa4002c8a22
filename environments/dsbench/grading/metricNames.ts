import type { TaskType } from '../DsbenchTaskMeta.js';

const ALIASES: Record<string, string> = {
  auc: 'roc_auc',
  roc: 'roc_auc',
  rocauc: 'roc_auc',
  auc_roc: 'roc_auc',
  f1_score: 'f1',
  fscore: 'f1',
  f_score: 'f1',
  weighted_f1: 'f1_weighted',
  f1_weighted: 'f1_weighted',
  macro_f1: 'f1_macro',
  logloss: 'log_loss',
  logarithmic_loss: 'log_loss',
  root_mean_squared_error: 'rmse',
  mean_squared_error: 'mse',
  mean_absolute_error: 'mae',
  root_mean_squared_logarithmic_error: 'rmsle',
  root_mean_squared_log_error: 'rmsle',
  median_absolute_error: 'medae',
  quadratic_weighted_kappa: 'qwk',
  cohen_kappa: 'qwk',
  classification_accuracy: 'accuracy',
  acc: 'accuracy',
};

/** Canonical metric name (`ROC-AUC` → `roc_auc`, `F1 score` → `f1`, `RMSLE` → `rmsle`). */
export function normalizeMetricName(raw: string): string {
  const key = raw.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return ALIASES[key] ?? key;
}

const HIGHER = new Set(['accuracy', 'f1', 'f1_binary', 'f1_weighted', 'f1_macro', 'roc_auc', 'r2', 'qwk']);
const LOWER = new Set(['rmse', 'mse', 'mae', 'rmsle', 'medae', 'log_loss', 'smape', 'mcrmse']);
const CLASSIFICATION = new Set(['accuracy', 'f1', 'f1_binary', 'f1_weighted', 'f1_macro', 'roc_auc', 'log_loss', 'qwk', 'map@3']);
const REGRESSION = new Set(['rmse', 'mse', 'mae', 'rmsle', 'medae', 'r2', 'smape', 'mcrmse']);

/** Whether a larger value of the metric is better; `undefined` for metrics this package does not know. */
export function higherIsBetter(metric: string): boolean | undefined {
  const m = normalizeMetricName(metric);
  return HIGHER.has(m) ? true : LOWER.has(m) ? false : undefined;
}

/** The task type a metric implies (RMSE → regression), if it implies one. */
export function taskTypeOfMetric(metric: string): TaskType | undefined {
  const m = normalizeMetricName(metric);
  return CLASSIFICATION.has(m) ? 'classification' : REGRESSION.has(m) ? 'regression' : undefined;
}

/**
 * Finds the metric named in a Kaggle task description by keyword, most specific first (RMSLE before RMSE, MedAE
 * before MAE). Returns `unknown` when no metric is named; the reference code guessed accuracy or RMSE instead.
 */
export function detectMetricFromText(text: string): string {
  const d = text.toLowerCase();
  const has = (...keys: string[]) => keys.some((k) => d.includes(k));
  if (has('logarithmic error', 'log error', 'rmsle')) return 'rmsle';
  if (has('area under the roc', 'roc curve', 'roc-auc', 'roc auc', ' auc')) return 'roc_auc';
  if (has('root mean squared error', 'root mean square error', 'rmse')) return 'rmse';
  if (has('median absolute error', 'medae')) return 'medae';
  if (has('mean absolute error', 'mae')) return 'mae';
  if (has('log loss', 'logloss', 'logarithmic loss')) return 'log_loss';
  if (has('quadratic weighted kappa', 'cohen kappa', "cohen's kappa")) return 'qwk';
  if (has('weighted f1', 'f1 weighted', 'weighted-average f1')) return 'f1_weighted';
  if (has('f1 score', 'f1-score', 'f-score', 'f1 ')) return 'f1';
  if (has('accuracy')) return 'accuracy';
  if (has('mean squared error', 'mse')) return 'mse';
  return 'unknown';
}
