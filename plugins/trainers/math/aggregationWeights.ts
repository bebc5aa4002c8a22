import type { LossAggregation, TokenMatrix } from './types.js';

export interface AggregationOptions {
  /** S of `seq-mean-token-sum-norm` (verl `loss_scale_factor`); default: the longest row (the padded length). */
  readonly lossScaleFactor?: number;
}

/**
 * Per-token weights w such that the aggregated loss is Σ_{i,t} w_{i,t}·L_{i,t}:
 *
 *   token-mean               w = m / Σm                           (OpenRLHF PPO, verl default)
 *   seq-mean-token-mean      w = m_{i,t} / (Σ_t m_{i,t} · B')     B' = rows with at least one token
 *   seq-mean-token-sum-norm  w = m / S                            (verl Dr. GRPO; not divided by the batch size)
 *
 * Computing the weights once over a whole mini-batch and summing per-micro-batch contributions gives exactly the
 * mini-batch loss, which is how gradient accumulation stays equal to one big batch.
 */
export function aggregationWeights(mask: TokenMatrix, aggregation: LossAggregation, options: AggregationOptions = {}): number[][] {
  switch (aggregation) {
    case 'token-mean': {
      const n = mask.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
      return mask.map((row) => row.map((m) => (n > 0 ? m / n : 0)));
    }
    case 'seq-mean-token-mean': {
      const lens = mask.map((row) => row.reduce((a, b) => a + b, 0));
      const rows = lens.filter((l) => l > 0).length;
      return mask.map((row, i) => row.map((m) => (lens[i]! > 0 ? m / (lens[i]! * rows) : 0)));
    }
    case 'seq-mean-token-sum-norm': {
      const s = options.lossScaleFactor ?? Math.max(0, ...mask.map((row) => row.length));
      return mask.map((row) => row.map((m) => (s > 0 ? m / s : 0)));
    }
  }
}
