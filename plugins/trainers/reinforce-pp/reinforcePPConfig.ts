import { z } from 'zod';
import { policyGradientFields } from '../trainerConfigFields.js';

const normalization = z
  .enum(['per-agent', 'global'])
  .default('per-agent')
  .describe('Advantage whitening over each agent\'s samples (reference code) or over all agents\' samples (paper wording)');

export const ReinforcePPConfig = z.strictObject({
  ...policyGradientFields({ klCoef: 0.01, klEstimator: 'k1', klPlacement: 'reward' }),
  gamma: z.number().min(0).max(1).default(1).describe('Discount of the return-to-go over action tokens'),
  normalization,
});

export const ReinforcePPBaselineConfig = z.strictObject({
  ...policyGradientFields({ klCoef: 0.01, klEstimator: 'k1', klPlacement: 'reward' }),
  normalization,
});

export type ReinforcePPConfig = z.output<typeof ReinforcePPConfig>;
export type ReinforcePPBaselineConfig = z.output<typeof ReinforcePPBaselineConfig>;
