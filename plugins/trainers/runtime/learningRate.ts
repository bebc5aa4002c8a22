export interface LrSchedule {
  readonly type: 'constant' | 'cosine';
  /** Warm-up length as a share of all optimizer steps (ceil), unless `warmupSteps` is given. */
  readonly warmupRatio: number;
  readonly warmupSteps?: number | undefined;
  /** Cosine floor as a share of the peak learning rate (OpenRLHF `min_lr_ratio` 0.1). */
  readonly minLrRatio: number;
}

/**
 * Learning rate of optimizer update k (0-based) out of `total`, as Hugging Face's `cosine_with_min_lr` (OpenRLHF's
 * default), except that warm-up starts at lr·1/W instead of 0, so no update is wasted:
 *
 *   W = warmupSteps ?? ceil(warmupRatio·total)
 *   k < W:   lr·(k+1)/W
 *   cosine:  lr·(f + (1 − f)·½(1 + cos(π·p))),  p = (k − W)/max(1, total − W) clamped to [0, 1], f = minLrRatio
 *   constant: lr
 */
export function learningRate(baseLr: number, schedule: LrSchedule, k: number, total: number): number {
  const warmup = schedule.warmupSteps ?? Math.ceil(schedule.warmupRatio * Math.max(0, total));
  if (k < warmup) return (baseLr * (k + 1)) / warmup;
  if (schedule.type === 'constant') return baseLr;
  const p = Math.min(1, Math.max(0, (k - warmup) / Math.max(1, total - warmup)));
  const f = schedule.minLrRatio;
  return baseLr * (f + (1 - f) * 0.5 * (1 + Math.cos(Math.PI * p)));
}
