/** Fraction of predictions equal to the truth (labels compared as strings). */
export function accuracy(truth: readonly string[], pred: readonly string[]): number {
  if (truth.length === 0) return NaN;
  let hit = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === pred[i]) hit++;
  return hit / truth.length;
}

/** F1 of one label treated as positive: 2·TP / (2·TP + FP + FN); 0 when the label never occurs (sklearn's zero_division=0). */
export function f1ForLabel(truth: readonly string[], pred: readonly string[], positive: string): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] === positive;
    const p = pred[i] === positive;
    if (t && p) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  const denom = 2 * tp + fp + fn;
  return denom === 0 ? 0 : (2 * tp) / denom;
}

/** Binary F1 for the positive label (sklearn `average='binary'`). */
export function f1Binary(truth: readonly string[], pred: readonly string[], positive: string): number {
  return f1ForLabel(truth, pred, positive);
}

/** Support-weighted mean of per-label F1 over the true labels (sklearn `average='weighted'`). */
export function f1Weighted(truth: readonly string[], pred: readonly string[]): number {
  if (truth.length === 0) return NaN;
  const support = new Map<string, number>();
  for (const t of truth) support.set(t, (support.get(t) ?? 0) + 1);
  let sum = 0;
  for (const [label, n] of support) sum += (n / truth.length) * f1ForLabel(truth, pred, label);
  return sum;
}

/** Unweighted mean of per-label F1 over labels in truth or predictions (sklearn `average='macro'`). */
export function f1Macro(truth: readonly string[], pred: readonly string[]): number {
  const labels = new Set([...truth, ...pred]);
  if (labels.size === 0) return NaN;
  let sum = 0;
  for (const label of labels) sum += f1ForLabel(truth, pred, label);
  return sum / labels.size;
}

/** Ranks (1-based) with ties given their average rank. */
function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = avg;
    i = j + 1;
  }
  return ranks;
}

/**
 * Area under the ROC curve for binary labels (1 = positive) and real-valued scores, via the Mann–Whitney U statistic
 * with tied scores counted as half. NaN when only one class is present.
 */
export function rocAuc(truth01: readonly number[], scores: readonly number[]): number {
  const ranks = averageRanks(scores);
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < truth01.length; i++) {
    if (truth01[i] === 1) {
      nPos++;
      rankSum += ranks[i]!;
    }
  }
  const nNeg = truth01.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Binary cross-entropy with probabilities clipped to [eps, 1 − eps]. */
export function logLoss(truth01: readonly number[], probs: readonly number[], eps = 1e-15): number {
  if (truth01.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < truth01.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probs[i]!));
    sum += truth01[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
  }
  return sum / truth01.length;
}

/** Cohen's kappa with quadratic weights, for integer ordinal labels (many DSBench tasks use it). */
export function quadraticWeightedKappa(truth: readonly number[], pred: readonly number[]): number {
  const n = truth.length;
  if (n === 0) return NaN;
  // As scikit-learn: the labels that occur, in order, weighted by index distance (not by value, so one prediction
  // of 1e9 adds one label instead of a billion). The expected-agreement sum expands into per-side moments, so
  // neither a k×k matrix nor a spread of all values is needed.
  const labels = [...new Set([...truth, ...pred])].sort((a, b) => a - b);
  if (labels.length <= 1) return 1;
  const index = new Map<number, number>();
  labels.forEach((l, i) => index.set(l, i));
  let num = 0;
  let s1t = 0;
  let s2t = 0;
  let s1p = 0;
  let s2p = 0;
  for (let i = 0; i < n; i++) {
    const a = index.get(truth[i]!)!;
    const b = index.get(pred[i]!)!;
    num += (a - b) * (a - b);
    s1t += a;
    s2t += a * a;
    s1p += b;
    s2p += b * b;
  }
  // Σ_ab (a−b)² · histT[a] · histP[b] / n
  const den = s2t + s2p - (2 * s1t * s1p) / n;
  return den === 0 ? 1 : 1 - num / den;
}
