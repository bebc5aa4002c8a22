import { MappaError } from '../../../core/util/MappaError.js';
import { targetColumns, type TaskType } from '../DsbenchTaskMeta.js';
import { accuracy, f1Binary, f1Weighted, logLoss, quadraticWeightedKappa, rocAuc } from './classificationMetrics.js';
import { detectDataType } from './detectDataType.js';
import { fairMetrics } from './fairMetrics.js';
import { higherIsBetter, normalizeMetricName, taskTypeOfMetric } from './metricNames.js';
import { column, parseCsv, type CsvTable } from './parseCsv.js';
import { mae, medae, mse, r2, rmse, rmsePctOfIqr, rmsePctOfRange, rmsle, targetStats } from './regressionMetrics.js';
import { relativePerformanceGap } from './relativePerformanceGap.js';

export interface GradeOptions {
  readonly target: string | readonly string[];
  readonly idColumn: string;
  /** Task type; when absent, implied by the metric (RMSE → regression) or else detected from the answers. */
  readonly taskType?: TaskType;
  /** Official metric of the task (its value becomes `score` and feeds the relative performance gap). */
  readonly metric?: string;
  readonly baselineScore?: number;
  readonly gtScore?: number;
  /**
   * `strict` (default, like DSBench's graders): the submission needs the id column and a column named after each
   * target. `lenient` (like the reference code): without them, rows are matched by order and the second column is
   * taken as the prediction; the result then carries `lenient_fallback: 1`.
   */
  readonly columnMatching?: 'strict' | 'lenient';
}

export interface GradeResult {
  /** The submission could be scored: every test id has one prediction of the right kind. */
  readonly valid: boolean;
  /** Why the submission is invalid. */
  readonly error?: string;
  readonly taskType: TaskType;
  /** What `detectDataType` says about the answers (may differ from `taskType` when the task fixes it). */
  readonly detectedType: TaskType;
  /** Raw metrics (empty when invalid). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Normalised name of the task's metric, or `unknown`. */
  readonly metric: string;
  /** Value of the task's metric, when valid and known. */
  readonly score?: number;
  /** Relative performance gap (0 when invalid; NaN when the task has no baseline/gt scores). */
  readonly rpg: number;
  /** Fair metrics (failure fallbacks applied). */
  readonly fair: Readonly<Record<string, number>>;
  readonly testRows: number;
  /** Human-readable summary for the coach. */
  readonly text: string;
}

/** Plain decimal numbers only: `Number()` would also read `0x10`, `0b1`, `Infinity` and whitespace. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const canonNumber = (s: string) => String(Number(s));
const isNum = (s: string) => {
  const t = s.trim();
  return DECIMAL.test(t) && Number.isFinite(Number(t));
};
const canonId = (s: string) => {
  const t = s.trim();
  return isNum(t) ? canonNumber(t) : t;
};
const BOOL: Record<string, string> = { true: '1', false: '0' };
/** Labels as comparable strings: booleans → 1/0, numbers canonical, others trimmed. */
const canonLabel = (s: string) => {
  const t = s.trim();
  const b = BOOL[t.toLowerCase()];
  if (b) return b;
  return isNum(t) ? canonNumber(t) : t;
};

class InvalidSubmission extends Error {}

function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

function classificationMetrics(truthRaw: readonly string[], predRaw: readonly string[], ids: readonly string[], metric: string): Record<string, number> {
  const truth = truthRaw.map(canonLabel);
  const numericLabels = truth.every(isNum);
  const integerLabels = numericLabels && truth.every((t) => Number.isInteger(Number(t)));
  let predNum: number[] | undefined;
  let pred: string[];
  if (numericLabels) {
    predNum = predRaw.map((p, i) => {
      const c = canonLabel(p);
      if (!isNum(c)) throw new InvalidSubmission(`prediction "${p}" for id ${ids[i]} is not a number, but the labels are numeric`);
      return Number(c);
    });
    // As in the reference code, numeric predictions are rounded to the nearest label (probabilities → 0/1).
    pred = predNum.map((p) => (integerLabels ? String(Math.round(p) + 0) : String(p)));
  } else pred = predRaw.map((p) => p.trim());
  const weighted = f1Weighted(truth, pred);
  const m: Record<string, number> = { accuracy: accuracy(truth, pred), f1_weighted: weighted, f1: weighted };
  const labels = [...new Set(truth)];
  if (labels.length === 2) {
    const positive = labels.includes('1') ? '1' : minorityLabel(truth);
    const binary = f1Binary(truth, pred, positive);
    m.f1_binary = binary;
    m.f1 = binary;
    if (predNum && labels.every((l) => l === '0' || l === '1') && predNum.every((p) => p >= 0 && p <= 1)) {
      const t01 = truth.map((t) => (t === '1' ? 1 : 0));
      m.roc_auc = rocAuc(t01, predNum);
      m.log_loss = logLoss(t01, predNum);
    }
  }
  if (metric === 'qwk' && integerLabels && predNum) {
    m.qwk = quadraticWeightedKappa(truth.map(Number), predNum.map((p) => Math.round(p)));
  }
  return m;
}

/** The rarer label of a binary target (ties: the lexicographically last), used as "positive" for string labels. */
function minorityLabel(truth: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const t of truth) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].sort((a, b) => a[1] - b[1] || b[0].localeCompare(a[0]))[0]![0];
}

function regressionMetrics(truthRaw: readonly string[], predRaw: readonly string[], ids: readonly string[], answerName: string): Record<string, number> {
  const truth = truthRaw.map((t, i) => {
    if (!isNum(t)) throw new MappaError(`${answerName}: target value "${t}" for id ${ids[i]} is not a number, but the task is regression`, { hint: 'set the task type to classification' });
    return Number(t);
  });
  const pred = predRaw.map((p, i) => {
    if (!isNum(p)) throw new InvalidSubmission(`prediction "${p}" for id ${ids[i]} is not a number`);
    return Number(p);
  });
  const stats = targetStats(truth);
  const e = rmse(truth, pred);
  const m: Record<string, number> = {
    rmse: e,
    mse: mse(truth, pred),
    mae: mae(truth, pred),
    medae: medae(truth, pred),
    r2: r2(truth, pred),
    target_min: stats.min,
    target_max: stats.max,
    target_mean: stats.mean,
    target_std: stats.std,
    target_q25: stats.q25,
    target_median: stats.median,
    target_q75: stats.q75,
    target_range: stats.range,
    target_iqr: stats.iqr,
    rmse_pct_of_range: rmsePctOfRange(e, stats),
    rmse_pct_of_iqr: rmsePctOfIqr(e, stats),
  };
  if (truth.every((t) => t >= 0)) {
    // Negative predictions would make log(1+p) undefined; they are clipped to 0 and counted (Kaggle rejects them).
    const clipped = pred.filter((p) => p < 0).length;
    m.rmsle = rmsle(truth, pred.map((p) => Math.max(0, p)));
    if (clipped > 0) m.rmsle_clipped_predictions = clipped;
  }
  return m;
}

function averageMetrics(parts: ReadonlyArray<Record<string, number>>): Record<string, number> {
  if (parts.length === 1) return parts[0]!;
  const keys = new Set(parts.flatMap((p) => Object.keys(p)));
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = mean(parts.map((p) => p[k]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
  return out;
}

const fmt = (x: number | undefined, d = 4) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));

function describe(r: Omit<GradeResult, 'text'>, opts: GradeOptions, rows: number): string {
  const lines: string[] = [];
  if (!r.valid) {
    lines.push(`ERROR: No valid predictions: ${r.error}`);
    lines.push(`Data type: ${r.taskType}`);
    lines.push(`Task metric: ${r.metric}`);
    return lines.join('\n');
  }
  const m = r.metrics;
  const hib = higherIsBetter(r.metric);
  lines.push(`Submission: valid (${rows} predictions for ${r.testRows} test rows)`);
  lines.push(`Data type: ${r.taskType}`);
  lines.push(`Task metric: ${r.metric}${hib === undefined ? '' : hib ? ' (higher is better)' : ' (lower is better)'} = ${fmt(r.score)}`);
  lines.push('Computed metrics:');
  const names: Array<[string, string, boolean]> = [
    ['accuracy', 'Accuracy', true],
    ['f1', 'F1 Score', true],
    ['f1_weighted', 'F1 (weighted)', true],
    ['roc_auc', 'ROC-AUC', true],
    ['log_loss', 'Log loss', false],
    ['qwk', 'Quadratic weighted kappa', true],
    ['rmse', 'RMSE', false],
    ['mae', 'MAE', false],
    ['rmsle', 'RMSLE', false],
    ['r2', 'R²', true],
  ];
  for (const [key, label, higher] of names) {
    if (m[key] !== undefined) lines.push(`  - ${label}: ${fmt(m[key])} (${higher ? 'higher is better' : 'lower is better'}${key === 'accuracy' || key.startsWith('f1') || key === 'roc_auc' ? ', max 1.0' : ''})`);
  }
  if (r.taskType === 'regression' && m.target_range !== undefined) {
    lines.push('', 'Target variable statistics (for RMSE interpretation):');
    lines.push(`  - Range: ${fmt(m.target_min, 2)} to ${fmt(m.target_max, 2)} (range=${fmt(m.target_range, 2)})`);
    lines.push(`  - Quartiles: Q25=${fmt(m.target_q25, 2)}, Median=${fmt(m.target_median, 2)}, Q75=${fmt(m.target_q75, 2)}`);
    lines.push(`  - Mean=${fmt(m.target_mean, 2)}, Std=${fmt(m.target_std, 2)}`);
    lines.push(`  - RMSE as % of range: ${fmt(m.rmse_pct_of_range, 1)}%`);
    lines.push(`  - RMSE as % of IQR: ${fmt(m.rmse_pct_of_iqr, 1)}%`);
  }
  if (Number.isFinite(r.rpg)) {
    lines.push(`Relative performance gap (0 = baseline, 1 = reference solution): ${fmt(r.rpg, 3)} (baseline ${fmt(opts.baselineScore)}, reference ${fmt(opts.gtScore)})`);
  }
  if (m.lenient_fallback) lines.push('Note: columns were matched leniently (missing id or target column).');
  return lines.join('\n');
}

/**
 * Grades a submission CSV against the hidden answers CSV: validity (success), classification or regression metrics,
 * the task metric's value, DSBench's relative performance gap and the blog's fair metrics, plus a text summary for
 * the coach. An invalid submission is a result (`valid: false`), not an exception; broken answer files throw.
 */
export function gradeSubmission(answerCsv: string, submissionCsv: string | undefined, opts: GradeOptions, answerName = 'test_answer.csv'): GradeResult {
  const answers = parseCsv(answerCsv);
  const targets = targetColumns(opts.target);
  const answerIds = column(answers, opts.idColumn);
  if (!answerIds) throw new MappaError(`${answerName} has no id column "${opts.idColumn}" (columns: ${answers.header.join(', ')})`, { hint: 'set the task id column' });
  const truthCols = targets.map((t) => {
    const c = column(answers, t);
    if (!c) throw new MappaError(`${answerName} has no target column "${t}" (columns: ${answers.header.join(', ')})`, { hint: 'set the task target' });
    return c;
  });
  const detectedType = detectDataType(truthCols[0]!);
  const metric = opts.metric ? normalizeMetricName(opts.metric) : 'unknown';
  const taskType = opts.taskType ?? taskTypeOfMetric(metric) ?? detectedType;
  const base = { taskType, detectedType, metric, testRows: answers.rows.length };
  const hasGap = opts.baselineScore !== undefined && opts.gtScore !== undefined;
  const invalid = (error: string): GradeResult => {
    const r = { ...base, valid: false, error, metrics: {}, rpg: hasGap ? 0 : NaN, fair: fairMetrics(taskType, undefined) };
    return { ...r, text: describe(r, opts, 0) };
  };
  if (submissionCsv === undefined) return invalid('no submission file');
  let sub: CsvTable;
  try {
    sub = parseCsv(submissionCsv);
  } catch (err) {
    return invalid(`submission is not valid CSV: ${(err as Error).message}`);
  }
  if (sub.rows.length === 0) return invalid(`submission has no rows (columns: ${sub.header.join(', ') || 'none'})`);
  try {
    const lenient = opts.columnMatching === 'lenient';
    let fallback = false;
    // Row index in the submission for each answer row.
    let order: number[];
    const subIds = column(sub, opts.idColumn);
    if (subIds) {
      const index = new Map<string, number>();
      for (let i = 0; i < subIds.length; i++) {
        const id = canonId(subIds[i]!);
        if (index.has(id)) throw new InvalidSubmission(`id ${subIds[i]} appears more than once`);
        index.set(id, i);
      }
      const missing = answerIds.filter((id) => !index.has(canonId(id)));
      if (missing.length > 0) throw new InvalidSubmission(`${missing.length} of ${answerIds.length} test ids have no prediction (e.g. ${missing.slice(0, 3).join(', ')})`);
      order = answerIds.map((id) => index.get(canonId(id))!);
    } else if (lenient && sub.rows.length === answers.rows.length) {
      fallback = true;
      order = answerIds.map((_, i) => i);
    } else {
      throw new InvalidSubmission(`no id column "${opts.idColumn}" (columns: ${sub.header.join(', ')})`);
    }
    const predCols = targets.map((t) => {
      const c = column(sub, t);
      if (c) return c;
      const others = sub.header.filter((h) => h !== opts.idColumn);
      if (lenient && targets.length === 1 && sub.header.length >= 2) {
        fallback = true;
        return column(sub, subIds ? others[0]! : sub.header[1]!)!;
      }
      throw new InvalidSubmission(`no prediction column "${t}" (columns: ${sub.header.join(', ')})`);
    });
    const parts = targets.map((_, k) => {
      const truth = truthCols[k]!;
      const pred = order.map((row) => predCols[k]![row] ?? '');
      const emptyAt = pred.findIndex((p) => p.trim() === '' || p.trim().toLowerCase() === 'nan');
      if (emptyAt >= 0) throw new InvalidSubmission(`empty prediction for id ${answerIds[emptyAt]}`);
      return taskType === 'classification'
        ? classificationMetrics(truth, pred, answerIds, metric)
        : regressionMetrics(truth, pred, answerIds, answerName);
    });
    const metrics = averageMetrics(parts);
    if (fallback) metrics.lenient_fallback = 1;
    const metricValue = metrics[metric];
    if (metric in metrics && !Number.isFinite(metricValue)) {
      // e.g. predictions near 1e308 overflow the RMSE: that is a submission problem, not a valid result without a score.
      throw new InvalidSubmission(`the predictions make ${metric} non-finite (${String(metricValue)}); check for absurdly large values`);
    }
    const score = typeof metricValue === 'number' && Number.isFinite(metricValue) ? metricValue : undefined;
    const rpg = hasGap ? relativePerformanceGap(score, opts.baselineScore!, opts.gtScore!) : NaN;
    const r = { ...base, valid: true, metrics, ...(score !== undefined ? { score } : {}), rpg, fair: fairMetrics(taskType, metrics) };
    return { ...r, text: describe(r, opts, sub.rows.length) };
  } catch (err) {
    if (err instanceof InvalidSubmission) return invalid(err.message);
    throw err;
  }
}

/** Flat numeric figures of a grade for `Outcome.metrics`: validity, raw metrics, fair metrics, task score and RPG. */
export function gradeFigures(g: GradeResult): Record<string, number> {
  const out: Record<string, number> = { valid: g.valid ? 1 : 0 };
  for (const [k, v] of Object.entries(g.metrics)) if (Number.isFinite(v)) out[k] = v;
  Object.assign(out, g.fair);
  if (g.score !== undefined) out.score = g.score;
  if (Number.isFinite(g.rpg)) out.rpg = g.rpg;
  return out;
}
