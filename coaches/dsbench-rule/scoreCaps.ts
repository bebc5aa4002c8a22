import type { TaskType } from '../../environments/dsbench/coachFacts.js';

/** One band of the paper's mandatory caps for the Analyst. */
export interface CapBand {
  readonly band: 'excellent' | 'good' | 'mediocre' | 'poor' | 'near-random';
  /** Highest score an Analyst may get in this band. */
  readonly max: number;
}

export interface CapResult extends CapBand {
  /** Which figure decided the band, e.g. `roc_auc = 0.812` or `rmse_pct_of_range = 12.3%`. */
  readonly basis: string;
}

/**
 * Classification bands on ROC-AUC (or accuracy when there is no AUC): ≥0.85 excellent (max 9), 0.75–0.85 good (8),
 * 0.65–0.75 mediocre (6), 0.55–0.65 poor (4), below 0.55 near random (3).
 */
export function classificationBand(value: number): CapBand {
  if (value >= 0.85) return { band: 'excellent', max: 9 };
  if (value >= 0.75) return { band: 'good', max: 8 };
  if (value >= 0.65) return { band: 'mediocre', max: 6 };
  if (value >= 0.55) return { band: 'poor', max: 4 };
  return { band: 'near-random', max: 3 };
}

/** Regression bands on RMSE as % of the target's range: <10% excellent (9), 10–25% good (8), 25–50% mediocre (6), >50% poor (4). */
export function regressionBand(pct: number): CapBand {
  if (pct < 10) return { band: 'excellent', max: 9 };
  if (pct < 25) return { band: 'good', max: 8 };
  if (pct < 50) return { band: 'mediocre', max: 6 };
  return { band: 'poor', max: 4 };
}

export interface CapOptions {
  /** Range / IQR above which the target counts as having outliers and RMSE % of IQR is used instead. */
  readonly outlierRatio: number;
  /** Accuracy at or above which an F1 below `majorityF1` means majority-class predictions. */
  readonly majorityAccuracy: number;
  readonly majorityF1: number;
}

const f = (x: number, d = 3) => x.toFixed(d);

/**
 * The cap on the Analyst's score from ground-truth metrics (§3 of the paper's coach template), or `undefined` when
 * the metrics do not allow one. A high accuracy with a tiny F1 (majority-class predictions, the blog's 89% / 23%
 * example) is capped at 4 — unless the task's metric is ROC-AUC: its submissions are probabilities, whose accuracy and
 * F1 (the grader rounds them at 0.5) say nothing about majority-class predictions.
 */
export function analystCap(taskType: TaskType, metrics: Readonly<Record<string, number>>, o: CapOptions, taskMetric?: string): CapResult | undefined {
  const has = (k: string) => typeof metrics[k] === 'number' && Number.isFinite(metrics[k]);
  if (taskType === 'classification') {
    const basisKey = has('roc_auc') ? 'roc_auc' : has('accuracy') ? 'accuracy' : undefined;
    if (!basisKey) return undefined;
    const value = metrics[basisKey]!;
    let cap: CapResult = { ...classificationBand(value), basis: `${basisKey} = ${f(value)}` };
    const labels = taskMetric !== 'roc_auc';
    if (labels && has('accuracy') && has('f1') && metrics.accuracy! >= o.majorityAccuracy && metrics.f1! < o.majorityF1 && cap.max > 4) {
      cap = { band: 'poor', max: 4, basis: `accuracy = ${f(metrics.accuracy!)} but F1 = ${f(metrics.f1!)} (majority-class predictions)` };
    }
    return cap;
  }
  if (!has('rmse_pct_of_range')) return undefined;
  const outliers = has('target_range') && has('target_iqr') && metrics.target_iqr! > 0 && metrics.target_range! > o.outlierRatio * metrics.target_iqr!;
  if (outliers && has('rmse_pct_of_iqr')) {
    return { ...regressionBand(metrics.rmse_pct_of_iqr!), basis: `rmse_pct_of_iqr = ${f(metrics.rmse_pct_of_iqr!, 1)}% (target has outliers)` };
  }
  return { ...regressionBand(metrics.rmse_pct_of_range!), basis: `rmse_pct_of_range = ${f(metrics.rmse_pct_of_range!, 1)}%` };
}
