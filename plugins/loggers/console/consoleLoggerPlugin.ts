import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { createConsoleLogger } from './consoleLogger.js';
import { ConsoleLoggerConfigSchema } from './consoleLoggerConfig.js';

export const consoleLoggerPlugin = definePlugin({
  kind: 'logger',
  name: 'console',
  description: 'A line per step on the console (and in logs/run.log): success, coach score, evaluation accuracy, time.',
  configSchema: ConsoleLoggerConfigSchema,
  create: (config, deps) => createConsoleLogger({ logger: deps.logger, every: config.every }),
});
