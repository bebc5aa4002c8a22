import type { Rng } from '../../../core/util/Rng.js';

/** Standard normal draw (Box–Muller; one of the pair is discarded so each call uses a fixed number of draws). */
export function normal(rng: Rng, mean = 0, sd = 1): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

export function bernoulli(rng: Rng, p: number): boolean {
  return rng.next() < p;
}

/** Item drawn with the given weights. */
export function choice<T>(rng: Rng, items: readonly T[], weights?: readonly number[]): T {
  if (!weights) return rng.pick(items);
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let i = 0; i < items.length; i++) {
    u -= weights[i]!;
    if (u < 0) return items[i]!;
  }
  return items[items.length - 1]!;
}

/** Poisson draw: Knuth's method for small means, a rounded normal approximation above 30. */
export function poisson(rng: Rng, lambda: number): number {
  if (lambda > 30) return Math.max(0, Math.round(normal(rng, lambda, Math.sqrt(lambda))));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

export const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Fixed-decimal text without a negative zero. */
export function fixed(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

export function softmax(scores: readonly number[]): number[] {
  const m = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - m));
  const t = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / t);
}
