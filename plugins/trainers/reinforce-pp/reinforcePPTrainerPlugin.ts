import type { z } from 'zod';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { Trainer } from '../../../core/contracts/Trainer.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { ReinforcePPConfig } from './reinforcePPConfig.js';

/** REINFORCE++ without DI: `await createReinforcePPTrainer({ lr: 1e-3 })`. */
export async function createReinforcePPTrainer(
  options: z.input<typeof ReinforcePPConfig> = {},
  extras: { seed?: number; logger?: Logger } = {},
): Promise<Trainer> {
  const config = ReinforcePPConfig.parse(options);
  const { createPolicyGradientTrainer } = await import('../runtime/createPolicyGradientTrainer.js');
  const { gamma, normalization, ...rest } = config;
  return createPolicyGradientTrainer('reinforce++', rest, { kind: 'reinforce', baseline: false, gamma, normalization }, {
    seed: extras.seed ?? deriveSeed(0, 'trainer', 'reinforce++'),
    logger: extras.logger,
  });
}

export const reinforcePPTrainerPlugin = definePlugin({
  kind: 'trainer',
  name: 'reinforce++',
  description:
    'REINFORCE++ as the MAPPA reference code (OpenRLHF): k1 KL in the reward, coach reward on the last action token, whitened returns, PPO-clip loss.',
  configSchema: ReinforcePPConfig,
  capabilities: { requiresTrainablePolicy: true },
  create: (config, deps) => createReinforcePPTrainer(config, { seed: deriveSeed(deps.run.seed, 'trainer', 'reinforce++'), logger: deps.logger }),
});
