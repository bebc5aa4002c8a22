import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { createTensorboardLogger } from './tensorboardLogger.js';
import { TensorboardLoggerConfigSchema } from './tensorboardLoggerConfig.js';

export const tensorboardLoggerPlugin = definePlugin({
  kind: 'logger',
  name: 'tensorboard',
  description: 'TensorBoard event files: every numeric metric as a scalar per step, under its metrics.jsonl name.',
  configSchema: TensorboardLoggerConfigSchema,
  create: (config, deps) => createTensorboardLogger({ logDir: config.logDir, runDir: deps.run.runDir }),
});
