import type { TaskType } from '../DsbenchTaskMeta.js';

/**
 * Values the authors' blog substitutes for failed runs, so "fair" means reflect success rate and quality together:
 * accuracy 0.5, F1 0, RMSE 50% of the target's range.
 */
export const FAIR_FALLBACKS = { accuracy: 0.5, f1: 0, rmse_pct_of_range: 50 } as const;

/**
 * `fair_accuracy` and `fair_f1` (classification) or `fair_rmse_pct_of_range` (regression): the real value when the
 * submission was valid and the metric defined, else the fallback.
 */
export function fairMetrics(taskType: TaskType, metrics: Readonly<Record<string, number>> | undefined): Record<string, number> {
  const pick = (name: keyof typeof FAIR_FALLBACKS) => {
    const v = metrics?.[name];
    return typeof v === 'number' && Number.isFinite(v) ? v : FAIR_FALLBACKS[name];
  };
  return taskType === 'classification'
    ? { fair_accuracy: pick('accuracy'), fair_f1: pick('f1') }
    : { fair_rmse_pct_of_range: pick('rmse_pct_of_range') };
}
