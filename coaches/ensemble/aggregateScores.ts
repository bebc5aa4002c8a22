export type Aggregation = 'mean' | 'median' | 'trimmed-mean';

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Combines member scores. `trimmed-mean` drops `floor(n × trim)` scores from each end before averaging (the
 * median when nothing would be left). Throws on an empty list: callers decide what no scores means.
 */
export function aggregateScores(scores: readonly number[], method: Aggregation, trim = 0.2): number {
  if (scores.length === 0) throw new Error('aggregateScores: no scores');
  const sorted = [...scores].sort((a, b) => a - b);
  if (method === 'mean') return mean(sorted);
  if (method === 'median') return median(sorted);
  const k = Math.floor(sorted.length * trim);
  const kept = sorted.slice(k, sorted.length - k);
  return kept.length > 0 ? mean(kept) : median(sorted);
}

/** Max minus min (0 for fewer than two scores): how far the members disagree. */
export function scoreSpread(scores: readonly number[]): number {
  return scores.length < 2 ? 0 : Math.max(...scores) - Math.min(...scores);
}

/** Population standard deviation (0 for fewer than two scores). */
export function scoreStd(scores: readonly number[]): number {
  if (scores.length < 2) return 0;
  const m = mean(scores);
  return Math.sqrt(mean(scores.map((x) => (x - m) ** 2)));
}
