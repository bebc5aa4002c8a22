import type { Rng } from '../../../core/util/Rng.js';

export interface TokenSampling {
  readonly greedy: boolean;
  readonly temperature: number;
  readonly topP: number;
  /** 0 = no top-k filter. */
  readonly topK: number;
}

/**
 * Picks the next token from one row of logits and returns it with its log-prob under the model (temperature 1, no
 * filtering), which is what `score()` and trainers compute, so behaviour log-probs and recomputed ones agree.
 * Uses one draw of `rng` per sampled token, so a row's output depends only on its own seed and logits.
 */
export function sampleToken(logits: Float32Array, s: TokenSampling, rng: Rng): { id: number; logprob: number } {
  const n = logits.length;
  let max = -Infinity;
  let arg = 0;
  for (let i = 0; i < n; i++) {
    const v = logits[i] as number;
    if (v > max) {
      max = v;
      arg = i;
    }
  }
  // exp(logit − max), kept for plain temperature-1 sampling (one exp per vocabulary entry per token).
  if (expBuffer.length < n) expBuffer = new Float64Array(n);
  const ex = expBuffer;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp((logits[i] as number) - max);
    ex[i] = e;
    sum += e;
  }
  const logZ = max + Math.log(sum);
  const lp = (id: number) => (logits[id] as number) - logZ;
  if (s.greedy || s.temperature <= 0) return { id: arg, logprob: lp(arg) };

  const invT = 1 / s.temperature;
  const weight = (i: number) => Math.exp(((logits[i] as number) - max) * invT);
  let candidates: number[] | undefined;
  if (s.topK > 0 && s.topK < n) {
    candidates = topIndices(logits, s.topK);
  }
  if (s.topP < 1) {
    candidates ??= Array.from({ length: n }, (_, i) => i);
    candidates.sort((a, b) => (logits[b] as number) - (logits[a] as number) || a - b);
    const w = candidates.map(weight);
    const total = w.reduce((a, b) => a + b, 0);
    let cum = 0;
    let keep = candidates.length;
    for (let i = 0; i < w.length; i++) {
      cum += w[i] as number;
      if (cum / total >= s.topP) {
        keep = i + 1;
        break;
      }
    }
    candidates = candidates.slice(0, keep);
  }
  const u = rng.next();
  if (candidates) {
    const w = candidates.map(weight);
    const total = w.reduce((a, b) => a + b, 0);
    let acc = 0;
    for (let i = 0; i < candidates.length; i++) {
      acc += w[i] as number;
      if (u * total < acc) return { id: candidates[i] as number, logprob: lp(candidates[i] as number) };
    }
    const lastId = candidates[candidates.length - 1] as number;
    return { id: lastId, logprob: lp(lastId) };
  }
  let total = sum;
  if (invT !== 1) {
    total = 0;
    for (let i = 0; i < n; i++) total += (ex[i] = weight(i));
  }
  const target = u * total;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += ex[i] as number;
    if (target < acc) return { id: i, logprob: lp(i) };
  }
  return { id: arg, logprob: lp(arg) };
}

let expBuffer = new Float64Array(0);

/** Indices of the k largest values (ties broken by lower index). */
function topIndices(values: Float32Array, k: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => (values[b] as number) - (values[a] as number) || a - b);
  return idx.slice(0, k);
}
