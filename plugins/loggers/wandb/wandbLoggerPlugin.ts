import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { createWandbLogger } from './wandbLogger.js';
import { WandbLoggerConfigSchema } from './wandbLoggerConfig.js';

export const wandbLoggerPlugin = definePlugin({
  kind: 'logger',
  name: 'wandb',
  description: 'A Weights & Biases run per mappa run (HTTP API): config, a history line per step, report.html and config as files.',
  configSchema: WandbLoggerConfigSchema,
  create: (config) =>
    createWandbLogger({
      project: config.project,
      ...(config.entity ? { entity: config.entity } : {}),
      baseURL: config.baseURL,
      apiKeyEnv: config.apiKeyEnv,
      ...(config.runName ? { runName: config.runName } : {}),
      ...(config.group ? { group: config.group } : {}),
      tags: config.tags,
      files: config.files,
      timeoutMs: config.timeoutMs,
    }),
});
