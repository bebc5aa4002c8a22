import type { LrSchedule } from './learningRate.js';

/** Optimizer and batching options shared by every trainer. */
export interface OptimizerOptions {
  readonly lr: number;
  readonly adamBetas: readonly [number, number];
  readonly adamEps: number;
  readonly weightDecay: number;
  readonly maxGradNorm: number;
  readonly schedule: LrSchedule;
  readonly microBatchSize: number;
  readonly miniBatches: number;
  readonly epochs: number;
  readonly sharedPolicy: 'joint' | 'error';
  /** Seed of the trainer RNG (mini-batch shuffling). */
  readonly seed: number;
}
