import { describe, expect, it } from 'vitest';
import {
  aggregationWeights,
  approxKl,
  broadcastToTokens,
  grpoAdvantages,
  maskedMean,
  ppoClipLoss,
  reinforcePPAdvantages,
  returnsToGo,
  rlooAdvantages,
  tokenRewards,
  whiten,
} from '../../plugins/trainers/math/index.js';

const close = (actual: number[][], expected: number[][], digits = 9) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    expect(row.length, `row ${i}`).toBe(expected[i]!.length);
    row.forEach((v, t) => expect(v, `[${i}][${t}]`).toBeCloseTo(expected[i]![t]!, digits));
  });
};

describe('approxKl', () => {
  // d = logp − ref = [0.5, −1] on the two real tokens; the third is padding.
  const logp = [[-1, -2, 0]];
  const ref = [[-1.5, -1, 0]];
  const mask = [[1, 1, 0]];
  it('k1 = d, masked', () => close(approxKl(logp, ref, mask, 'k1'), [[0.5, -1, 0]]));
  it('k2 = d²/2', () => close(approxKl(logp, ref, mask, 'k2'), [[0.125, 0.5, 0]]));
  it('k3 = exp(−d) − 1 + d', () => close(approxKl(logp, ref, mask, 'k3'), [[Math.exp(-0.5) - 0.5, Math.E - 2, 0]]));
  it('clamps every estimator to ±10 (OpenRLHF) and can be unclamped', () => {
    const far = [[0, -30]];
    const base = [[-30, 0]]; // d = +30 and −30
    close(approxKl(far, base, [[1, 1]], 'k1'), [[10, -10]]);
    close(approxKl(far, base, [[1, 1]], 'k2'), [[10, 10]]);
    close(approxKl(far, base, [[1, 1]], 'k3'), [[10, 10]]);
    close(approxKl(far, base, [[1, 1]], 'k1', { clamp: Infinity }), [[30, -30]]);
  });
  it('rejects mismatched shapes', () => expect(() => approxKl([[1, 2]], [[1]], [[1, 1]])).toThrow(/row 0/));
});

describe('returnsToGo', () => {
  it('discounts backwards: G_t = r_t + γ·G_{t+1}', () => close(returnsToGo([[1, 2, 3]], [[1, 1, 1]], 0.5), [[2.75, 3.5, 3]]));
  it('masks rewards but keeps propagating through masked positions (OpenRLHF)', () => {
    // r·m = [1, 0, 3]: G2 = 3, G1 = 0 + 1.5, G0 = 1 + 0.75.
    close(returnsToGo([[1, 99, 3]], [[1, 0, 1]], 0.5), [[1.75, 1.5, 3]]);
  });
  it('handles ragged rows and γ = 1', () => close(returnsToGo([[1], [0, 2]], [[1], [1, 1]], 1), [[1], [2, 2]]));
});

describe('whiten', () => {
  // Real tokens 1, 2, 3 (N = 3, μ = 2); 100 is padding.
  const values = [
    [1, 2],
    [3, 100],
  ];
  const mask = [
    [1, 1],
    [1, 0],
  ];
  it('uses the biased variance by default and maps padding affinely', () => {
    const r = 1 / Math.sqrt(2 / 3);
    close(whiten(values, mask), [
      [-r, 0],
      [r, 98 * r],
    ]);
  });
  it('unbiased variance (verl) divides by N − 1', () =>
    close(whiten(values, mask, { biased: false }), [
      [-1, 0],
      [1, 98],
    ]));
  it('only centres with stdNorm: false', () =>
    close(whiten(values, mask, { stdNorm: false }), [
      [-1, 0],
      [1, 98],
    ]));
  it('floors the variance (max) or adds eps (verl)', () => {
    // μ = 5e-5, var = 2.5e-9 < 1e-8.
    close(whiten([[0, 1e-4]], [[1, 1]]), [[-0.5, 0.5]], 6);
    const add = 5e-5 / Math.sqrt(2.5e-9 + 1e-8);
    close(whiten([[0, 1e-4]], [[1, 1]], { epsMode: 'add' }), [[-add, add]], 6);
  });
  it('gives 0 for all-equal values and zeros for an empty mask', () => {
    close(whiten([[5, 5, 5]], [[1, 1, 1]]), [[0, 0, 0]]);
    close(whiten([[1, 2]], [[0, 0]]), [[0, 0]]);
  });
});

describe('tokenRewards', () => {
  it('puts the clipped reward on the last action token and −β·kl on every token', () => {
    const out = tokenRewards({
      reward: [2, 20, -3],
      kl: [
        [0.1, 0.2, 0],
        [0.5, 0, 0],
        [0, 0, 0],
      ],
      mask: [
        [1, 1, 0],
        [1, 0, 0],
        [0, 0, 0],
      ],
      klCoef: 0.1,
    });
    close(out, [
      [-0.01, 1.98, 0],
      [9.95, 0, 0],
      [0, 0, 0],
    ]);
  });
  it('treats β ≤ 0 as no KL', () => close(tokenRewards({ reward: [1], kl: [[5, 5]], mask: [[1, 1]], klCoef: -1 }), [[0, 1]]));
});

describe('reinforcePPAdvantages', () => {
  // k1 = [0.5, 0] and [0]; R = [−0.05, 1] and [0]; G = [0.95, 1] and [0]; μ = 0.65, biased var = 0.635/3.
  const input = {
    logp: [[-1, -1], [-2]],
    refLogp: [[-1.5, -1], [-2]],
    mask: [[1, 1], [1]],
    reward: [1, 0],
    klCoef: 0.1,
  };
  it('shapes, accumulates and whitens as OpenRLHF', () => {
    const r = 1 / Math.sqrt(0.635 / 3);
    close(reinforcePPAdvantages(input), [[0.3 * r, 0.35 * r], [-0.65 * r]]);
  });
  it('discounts with γ and can return raw returns', () => close(reinforcePPAdvantages({ ...input, gamma: 0.5, whiten: false }), [[0.45, 1], [0]]));
  it('clips the reward to ±10 before whitening', () => {
    const a = reinforcePPAdvantages({ ...input, reward: [50, 0], klCoef: 0, whiten: false });
    close(a, [[10, 10], [0]]);
  });
});

describe('grpoAdvantages', () => {
  const rewards = [1, 0, 0.5, 0.5, 7];
  const groups = ['a', 'a', 'b', 'b', 'c'];
  it('normalizes per group with the unbiased std; equal and single-member groups give 0', () => {
    const s = Math.sqrt(0.5);
    const out = grpoAdvantages(rewards, groups);
    [0.5 / (s + 1e-6), -0.5 / (s + 1e-6), 0, 0, 0].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 9));
  });
  it('Dr. GRPO (scaleByStd: false) only subtracts the group mean', () => {
    expect(grpoAdvantages(rewards, groups, { scaleByStd: false })).toEqual([0.5, -0.5, 0, 0, 0]);
  });
  it('uses eps as given', () => {
    const out = grpoAdvantages([1, 2, 3], [0, 0, 0], { eps: 0.5 });
    [-1 / 1.5, 0, 1 / 1.5].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 12));
  });
});

describe('rlooAdvantages', () => {
  it('subtracts the mean of the other group members', () => {
    expect(rlooAdvantages([1, 2, 3, 4, 4, 9], ['g', 'g', 'g', 'h', 'h', 'i'])).toEqual([-1.5, 0, 1.5, 0, 0, 0]);
  });
});

describe('aggregationWeights', () => {
  const mask = [
    [1, 1, 0],
    [1, 0, 0],
    [0, 0, 0],
  ];
  it('token-mean: 1/Σm', () => close(aggregationWeights(mask, 'token-mean'), mask.map((r) => r.map((m) => m / 3))));
  it('seq-mean-token-mean: 1/(len·rows), empty rows excluded', () =>
    close(aggregationWeights(mask, 'seq-mean-token-mean'), [
      [0.25, 0.25, 0],
      [0.5, 0, 0],
      [0, 0, 0],
    ]));
  it('seq-mean-token-sum-norm: 1/S (padded length by default)', () => {
    close(aggregationWeights(mask, 'seq-mean-token-sum-norm'), mask.map((r) => r.map((m) => m / 3)));
    close(aggregationWeights(mask, 'seq-mean-token-sum-norm', { lossScaleFactor: 10 }), mask.map((r) => r.map((m) => m / 10)));
  });
});

describe('ppoClipLoss', () => {
  it('clips the ratio on both sides and aggregates token-mean', () => {
    // ratios 1.5 (A = 1) and 0.5 (A = −1): both clipped → L = −1.2 and 0.8; third token is padding.
    const r = ppoClipLoss({ logp: [[Math.log(1.5), Math.log(0.5), 0]], oldLogp: [[0, 0, 0]], advantages: [[1, -1, 5]], mask: [[1, 1, 0]] });
    close(r.tokenLoss, [[-1.2, 0.8, 0]]);
    expect(r.loss).toBeCloseTo(-0.2, 12);
    expect(r.clipFrac).toBe(1);
    expect(r.ppoKl).toBeCloseTo((-Math.log(1.5) - Math.log(0.5)) / 2, 12);
  });
  it('does not clip when the unclipped term is smaller', () => {
    const r = ppoClipLoss({ logp: [[Math.log(0.5)]], oldLogp: [[0]], advantages: [[1]], mask: [[1]] });
    expect(r.loss).toBeCloseTo(-0.5, 12);
    expect(r.clipFrac).toBe(0);
  });
  it('uses ε_high on the upper side', () => {
    const r = ppoClipLoss({ logp: [[Math.log(1.5)]], oldLogp: [[0]], advantages: [[1]], mask: [[1]], clipEpsHigh: 0.28 });
    expect(r.loss).toBeCloseTo(-1.28, 12);
  });
  it('dual clip caps the loss at −c·A for negative advantages', () => {
    const base = { logp: [[Math.log(5), Math.log(5)]], oldLogp: [[0, 0]], advantages: [[-1, 1]], mask: [[1, 1]] };
    // A = −1: min(−5, −1.2) = −5 → max(−5, −3) = −3 → L = 3. A = 1 is untouched: L = −1.2.
    close(ppoClipLoss({ ...base, dualClip: 3 }).tokenLoss, [[3, -1.2]]);
    close(ppoClipLoss(base).tokenLoss, [[5, -1.2]]);
    expect(() => ppoClipLoss({ ...base, dualClip: 1 })).toThrow(/dualClip/);
  });
  it('clamps the log-ratio to ±20', () => {
    const r = ppoClipLoss({ logp: [[30]], oldLogp: [[0]], advantages: [[-1]], mask: [[1]] });
    expect(r.loss).toBeCloseTo(Math.exp(20), 3);
  });
  it('aggregates per sequence and with a constant normalizer', () => {
    // Token losses with ratio 1: L = −A.
    const base = { logp: [[0, 0], [0]], oldLogp: [[0, 0], [0]], advantages: [[1, 3], [5]], mask: [[1, 1], [1]] };
    expect(ppoClipLoss(base).loss).toBeCloseTo(-3, 12);
    expect(ppoClipLoss({ ...base, aggregation: 'seq-mean-token-mean' }).loss).toBeCloseTo(-(2 + 5) / 2, 12);
    expect(ppoClipLoss({ ...base, aggregation: 'seq-mean-token-sum-norm' }).loss).toBeCloseTo(-9 / 2, 12);
    expect(ppoClipLoss({ ...base, aggregation: 'seq-mean-token-sum-norm', lossScaleFactor: 9 }).loss).toBeCloseTo(-1, 12);
  });
});

describe('helpers', () => {
  it('maskedMean and broadcastToTokens', () => {
    expect(maskedMean([[1, 2, 100]], [[1, 1, 0]])).toBe(1.5);
    expect(maskedMean([[1]], [[0]])).toBe(0);
    expect(broadcastToTokens([2, -1], [[1, 1, 0], [1]])).toEqual([[2, 2, 0], [-1]]);
  });
});
