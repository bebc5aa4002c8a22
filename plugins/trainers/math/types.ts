/** Per-token values, one row per sequence (rows may be ragged; a mask of the same shape marks real action tokens). */
export type TokenMatrix = readonly (readonly number[])[];

/** KL estimators of Schulman's "Approximating KL divergence" note, named as in OpenRLHF. */
export type KlEstimator = 'k1' | 'k2' | 'k3';

/** How per-token losses become one scalar (verl's `loss_agg_mode` names). */
export type LossAggregation = 'token-mean' | 'seq-mean-token-mean' | 'seq-mean-token-sum-norm';

export const LOSS_AGGREGATIONS = ['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const;
