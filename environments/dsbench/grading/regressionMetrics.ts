const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function mse(truth: readonly number[], pred: readonly number[]): number {
  if (truth.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += (pred[i]! - truth[i]!) ** 2;
  return s / truth.length;
}

export function rmse(truth: readonly number[], pred: readonly number[]): number {
  return Math.sqrt(mse(truth, pred));
}

export function mae(truth: readonly number[], pred: readonly number[]): number {
  if (truth.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += Math.abs(pred[i]! - truth[i]!);
  return s / truth.length;
}

/** Median absolute error. */
export function medae(truth: readonly number[], pred: readonly number[]): number {
  return quantile(
    truth.map((t, i) => Math.abs(pred[i]! - t)).sort((a, b) => a - b),
    0.5,
  );
}

/** Root mean squared logarithmic error, √mean((log(1+p) − log(1+a))²), as in DSBench's graders. Inputs must be > −1. */
export function rmsle(truth: readonly number[], pred: readonly number[]): number {
  if (truth.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += (Math.log1p(pred[i]!) - Math.log1p(truth[i]!)) ** 2;
  return Math.sqrt(s / truth.length);
}

/** Coefficient of determination. */
export function r2(truth: readonly number[], pred: readonly number[]): number {
  const m = mean(truth);
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < truth.length; i++) {
    ssRes += (truth[i]! - pred[i]!) ** 2;
    ssTot += (truth[i]! - m) ** 2;
  }
  return ssTot === 0 ? NaN : 1 - ssRes / ssTot;
}

/** Quantile of ascending-sorted values with linear interpolation (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface TargetStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Population standard deviation (numpy's default). */
  readonly std: number;
  readonly q25: number;
  readonly median: number;
  readonly q75: number;
  readonly range: number;
  readonly iqr: number;
}

/** Summary of the true target values, so an RMSE can be judged against the target's scale. */
export function targetStats(truth: readonly number[]): TargetStats {
  const sorted = [...truth].sort((a, b) => a - b);
  const m = mean(truth);
  const std = Math.sqrt(mean(truth.map((t) => (t - m) ** 2)));
  const q25 = quantile(sorted, 0.25);
  const q75 = quantile(sorted, 0.75);
  const min = sorted[0] ?? NaN;
  const max = sorted.at(-1) ?? NaN;
  return { min, max, mean: m, std, q25, median: quantile(sorted, 0.5), q75, range: max - min, iqr: q75 - q25 };
}

/** RMSE as a percentage of the target's range (the paper's caps use it); NaN when the range is 0. */
export function rmsePctOfRange(rmseValue: number, stats: TargetStats): number {
  return stats.range > 0 ? (rmseValue / stats.range) * 100 : NaN;
}

/** RMSE as a percentage of the target's interquartile range (robust to outliers); NaN when the IQR is 0. */
export function rmsePctOfIqr(rmseValue: number, stats: TargetStats): number {
  return stats.iqr > 0 ? (rmseValue / stats.iqr) * 100 : NaN;
}
