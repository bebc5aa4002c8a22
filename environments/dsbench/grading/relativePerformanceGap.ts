/**
 * DSBench's relative performance gap: max(0, (score − baseline) / (gt − baseline)). The same formula works for
 * lower-is-better metrics (both differences are then negative). A missing or non-finite score counts as 0, as in
 * DSBench's `show_results.py`. NaN when the task has no usable baseline/gt pair.
 */
export function relativePerformanceGap(score: number | undefined, baseline: number, gt: number): number {
  if (!Number.isFinite(baseline) || !Number.isFinite(gt) || gt === baseline) return NaN;
  if (score === undefined || !Number.isFinite(score)) return 0;
  return Math.max(0, (score - baseline) / (gt - baseline));
}
