import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { createJsonlLogger } from './jsonlLogger.js';
import { JsonlLoggerConfigSchema } from './jsonlLoggerConfig.js';

export const jsonlLoggerPlugin = definePlugin({
  kind: 'logger',
  name: 'jsonl',
  description: 'metrics.jsonl and metrics.csv in the run directory (read by resume and `mappa report`; keep it on).',
  configSchema: JsonlLoggerConfigSchema,
  create: (_config, deps) => createJsonlLogger({ runDir: deps.run.runDir }),
});
