import { z } from 'zod';
import { LOSS_AGGREGATIONS } from './math/types.js';

export const LrScheduleSchema = z.strictObject({
  type: z.enum(['constant', 'cosine']).default('cosine').describe('cosine: Hugging Face cosine_with_min_lr (OpenRLHF default)'),
  warmupRatio: z.number().min(0).max(1).default(0.03).describe('Warm-up share of all optimizer steps (rounded up)'),
  warmupSteps: z.number().int().min(0).optional().describe('Warm-up length in optimizer steps (overrides warmupRatio)'),
  minLrRatio: z.number().min(0).max(1).default(0.1).describe('Cosine floor as a share of lr'),
});

/** Optimizer and batching settings every trainer shares. */
export const optimizerFields = {
  lr: z.number().positive().default(1e-6).describe('Peak learning rate (OpenRLHF/paper: 1e-6 for 1.5–4B models; tiny tfjs models need ~1e-3)'),
  adamBetas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.95]),
  adamEps: z.number().positive().default(1e-8),
  weightDecay: z.number().min(0).default(0).describe('Decoupled (AdamW) weight decay'),
  maxGradNorm: z.number().min(0).default(1).describe('Clip the global gradient norm to this (0 = off)'),
  schedule: LrScheduleSchema.default(LrScheduleSchema.parse({})),
  microBatchSize: z.number().int().min(1).default(4).describe('Sequences per forward/backward pass (gradients are accumulated)'),
  miniBatches: z.number().int().min(1).default(1).describe('Optimizer updates per epoch over one step\'s samples'),
  epochs: z.number().int().min(1).default(1).describe('Passes over one step\'s samples (PPO epochs)'),
  sharedPolicy: z
    .enum(['joint', 'error'])
    .default('joint')
    .describe('Agents naming the same policy: joint = one update over all their samples (one optimizer, one reference); error = refuse'),
  seed: z.number().int().optional().describe('Trainer RNG seed (mini-batch shuffling); default derived from the run seed'),
};

/** PPO-clip loss and KL settings of the policy-gradient trainers. */
export function policyGradientFields(defaults: { klCoef: number; klEstimator: 'k1' | 'k2' | 'k3'; klPlacement: 'reward' | 'loss' }) {
  return {
    ...optimizerFields,
    clipEps: z.number().min(0).default(0.2).describe('PPO clip ε'),
    clipEpsHigh: z.number().min(0).optional().describe('Upper clip ε_high (default ε; DAPO clip-higher uses 0.28)'),
    dualClip: z.number().gt(1).optional().describe('Dual-clip constant c > 1 (off by default)'),
    klCoef: z.number().min(0).default(defaults.klCoef).describe('β of the KL to the frozen reference (0 = no reference model)'),
    klEstimator: z.enum(['k1', 'k2', 'k3']).default(defaults.klEstimator),
    klPlacement: z.enum(['reward', 'loss']).default(defaults.klPlacement).describe('reward: −β·KL per token in the reward; loss: +β·agg(KL) in the loss'),
    entropyCoef: z.number().default(0).describe('Entropy bonus coefficient (0 = entropy is only logged)'),
    aggregation: z.enum(LOSS_AGGREGATIONS).default('token-mean'),
    lossScaleFactor: z.number().positive().optional().describe('S of seq-mean-token-sum-norm (default: the longest action in the mini-batch)'),
    rewardClip: z.number().positive().default(10).describe('Rewards are clipped to ±rewardClip'),
    maskTruncated: z.boolean().default(true).describe('Mask out actions cut at the length limit'),
  };
}

export type LrScheduleConfig = z.output<typeof LrScheduleSchema>;
