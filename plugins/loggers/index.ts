import type { AnyPluginDefinition } from '../../core/plugins/PluginDefinition.js';
import { consoleLoggerPlugin } from './console/consoleLoggerPlugin.js';
import { jsonlLoggerPlugin } from './jsonl/jsonlLoggerPlugin.js';
import { mlflowLoggerPlugin } from './mlflow/mlflowLoggerPlugin.js';
import { tensorboardLoggerPlugin } from './tensorboard/tensorboardLoggerPlugin.js';
import { wandbLoggerPlugin } from './wandb/wandbLoggerPlugin.js';

export { createConsoleLogger } from './console/consoleLogger.js';
export { createJsonlLogger } from './jsonl/jsonlLogger.js';
export { createMlflowLogger } from './mlflow/mlflowLogger.js';
export { createTensorboardLogger } from './tensorboard/tensorboardLogger.js';
export { createWandbLogger } from './wandb/wandbLogger.js';

export const loggerPlugins: AnyPluginDefinition[] = [consoleLoggerPlugin, jsonlLoggerPlugin, mlflowLoggerPlugin, wandbLoggerPlugin, tensorboardLoggerPlugin];
