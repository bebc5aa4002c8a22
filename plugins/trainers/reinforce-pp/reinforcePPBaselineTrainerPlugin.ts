import type { z } from 'zod';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { Trainer } from '../../../core/contracts/Trainer.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { ReinforcePPBaselineConfig } from './reinforcePPConfig.js';

/** REINFORCE++-baseline without DI. */
export async function createReinforcePPBaselineTrainer(
  options: z.input<typeof ReinforcePPBaselineConfig> = {},
  extras: { seed?: number; logger?: Logger } = {},
): Promise<Trainer> {
  const config = ReinforcePPBaselineConfig.parse(options);
  const { createPolicyGradientTrainer } = await import('../runtime/createPolicyGradientTrainer.js');
  const { normalization, ...rest } = config;
  return createPolicyGradientTrainer('reinforce++-baseline', rest, { kind: 'reinforce', baseline: true, gamma: 1, normalization }, {
    seed: extras.seed ?? deriveSeed(0, 'trainer', 'reinforce++-baseline'),
    logger: extras.logger,
  });
}

export const reinforcePPBaselineTrainerPlugin = definePlugin({
  kind: 'trainer',
  name: 'reinforce++-baseline',
  description: 'REINFORCE++ with the group-mean reward subtracted first (OpenRLHF reinforce_baseline); needs several samples per task.',
  configSchema: ReinforcePPBaselineConfig,
  capabilities: { requiresTrainablePolicy: true },
  create: (config, deps) =>
    createReinforcePPBaselineTrainer(config, { seed: deriveSeed(deps.run.seed, 'trainer', 'reinforce++-baseline'), logger: deps.logger }),
});
