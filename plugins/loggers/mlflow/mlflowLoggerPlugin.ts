import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { createMlflowLogger } from './mlflowLogger.js';
import { MlflowLoggerConfigSchema } from './mlflowLoggerConfig.js';

export const mlflowLoggerPlugin = definePlugin({
  kind: 'logger',
  name: 'mlflow',
  description: 'An MLflow run per mappa run (REST API): config as params, metrics per step, report.html and config as artifacts.',
  configSchema: MlflowLoggerConfigSchema,
  create: (config) =>
    createMlflowLogger({
      baseURL: config.baseURL,
      ...(config.experiment ? { experiment: config.experiment } : {}),
      ...(config.runName ? { runName: config.runName } : {}),
      apiKeyEnv: config.apiKeyEnv,
      tags: config.tags,
      artifacts: config.artifacts,
      timeoutMs: config.timeoutMs,
    }),
});
