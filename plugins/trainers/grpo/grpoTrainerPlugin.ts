import { z } from 'zod';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { Trainer } from '../../../core/contracts/Trainer.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { policyGradientFields } from '../trainerConfigFields.js';

export const GrpoConfig = z.strictObject({
  ...policyGradientFields({ klCoef: 0.01, klEstimator: 'k3', klPlacement: 'loss' }),
  estimator: z.enum(['grpo', 'rloo']).default('grpo').describe('grpo: (r − mean)/(std + eps) per group; rloo: r − mean of the others'),
  scaleByStd: z.boolean().default(true).describe('false = Dr. GRPO (no division by the group std)'),
  eps: z.number().min(0).default(1e-6).describe('Added to the group std'),
});
export type GrpoConfig = z.output<typeof GrpoConfig>;

/** GRPO / Dr. GRPO / RLOO without DI. */
export async function createGrpoTrainer(options: z.input<typeof GrpoConfig> = {}, extras: { seed?: number; logger?: Logger } = {}): Promise<Trainer> {
  const config = GrpoConfig.parse(options);
  const { createPolicyGradientTrainer } = await import('../runtime/createPolicyGradientTrainer.js');
  const { estimator, scaleByStd, eps, ...rest } = config;
  return createPolicyGradientTrainer('grpo', rest, { kind: 'group', estimator, scaleByStd, eps }, {
    seed: extras.seed ?? deriveSeed(0, 'trainer', 'grpo'),
    logger: extras.logger,
  });
}

export const grpoTrainerPlugin = definePlugin({
  kind: 'trainer',
  name: 'grpo',
  description:
    'GRPO family: rewards normalized within each group (same task, agent and turn), k3 KL in the loss; Dr. GRPO (scaleByStd: false) and RLOO options.',
  configSchema: GrpoConfig,
  capabilities: { requiresTrainablePolicy: true },
  create: (config, deps) => createGrpoTrainer(config, { seed: deriveSeed(deps.run.seed, 'trainer', 'grpo'), logger: deps.logger }),
});
