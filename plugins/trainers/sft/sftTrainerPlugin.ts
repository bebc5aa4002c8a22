import { z } from 'zod';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { Trainer } from '../../../core/contracts/Trainer.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { LOSS_AGGREGATIONS } from '../math/types.js';
import { optimizerFields } from '../trainerConfigFields.js';

export const SftConfig = z.strictObject({
  ...optimizerFields,
  lr: z.number().positive().default(5e-6).describe('Peak learning rate (OpenRLHF SFT default 5e-6; tiny tfjs models need ~1e-3)'),
  minReward: z.number().optional().describe('Train only on actions with at least this reward (rejection-sampling fine-tuning); default: all'),
  aggregation: z.enum(LOSS_AGGREGATIONS).default('token-mean'),
  lossScaleFactor: z.number().positive().optional(),
  maskTruncated: z.boolean().default(true).describe('Leave out actions cut at the length limit'),
});
export type SftConfig = z.output<typeof SftConfig>;

/** The `sft` trainer without DI. For fine-tuning on your own demonstrations, call `sftTrain` instead. */
export async function createSftTrainer(options: z.input<typeof SftConfig> = {}, extras: { seed?: number; logger?: Logger } = {}): Promise<Trainer> {
  const { seed, ...config } = SftConfig.parse(options);
  const [{ loadTf }, { SftTrainer }] = await Promise.all([import('../../tfjs/loadTf.js'), import('./SftTrainer.js')]);
  const { tf } = await loadTf();
  return new SftTrainer(tf, { ...config, seed: seed ?? extras.seed ?? deriveSeed(0, 'trainer', 'sft') }, extras.logger);
}

export const sftTrainerPlugin = definePlugin({
  kind: 'trainer',
  name: 'sft',
  description: 'Supervised fine-tuning (masked next-token cross-entropy) on each step\'s actions, optionally only the well-rewarded ones.',
  configSchema: SftConfig,
  capabilities: { requiresTrainablePolicy: true },
  create: (config, deps) => createSftTrainer(config, { seed: deriveSeed(deps.run.seed, 'trainer', 'sft'), logger: deps.logger }),
});
