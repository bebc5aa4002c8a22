import { describe, expect, it } from 'vitest';
import { learningRate } from '../../plugins/trainers/runtime/learningRate.js';

describe('learningRate', () => {
  const cosine = { type: 'cosine', warmupRatio: 0.1, minLrRatio: 0.1 } as const;
  it('constant stays at the peak', () => expect(learningRate(2, { type: 'constant', warmupRatio: 0, minLrRatio: 0 }, 7, 10)).toBe(2));
  it('warms up linearly from lr/W (ceil of ratio·total steps)', () => {
    // total 20 → W = 2: k = 0 → 1/2, k = 1 → 2/2.
    expect(learningRate(1, cosine, 0, 20)).toBe(0.5);
    expect(learningRate(1, cosine, 1, 20)).toBe(1);
  });
  it('decays by a half cosine to the floor', () => {
    expect(learningRate(1, cosine, 2, 20)).toBe(1);
    // Halfway through the decay (k − W = 9 of 18): f + (1 − f)·0.5.
    expect(learningRate(1, cosine, 11, 20)).toBeCloseTo(0.1 + 0.9 * 0.5, 12);
    expect(learningRate(1, cosine, 20, 20)).toBeCloseTo(0.1, 12);
    expect(learningRate(1, cosine, 50, 20)).toBeCloseTo(0.1, 12);
  });
  it('warmupSteps overrides the ratio', () => expect(learningRate(1, { ...cosine, warmupSteps: 4 }, 0, 20)).toBe(0.25));
});
