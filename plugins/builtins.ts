import { coachPlugins } from '../coaches/index.js';
import type { AnyPluginDefinition } from '../core/plugins/PluginDefinition.js';
import { PluginRegistry } from '../core/plugins/PluginRegistry.js';
import { environmentPlugins } from '../environments/index.js';
import { exporterPlugins } from './exporters/index.js';
import { loggerPlugins } from './loggers/index.js';
import { policyPlugins } from './policies/index.js';
import { sandboxPlugins } from './sandboxes/index.js';
import { taskPlugins } from './tasks/index.js';
import { toolPlugins } from './tools/index.js';
import { trainerPlugins } from './trainers/index.js';

/** Every built-in plugin. Definitions import only light modules; heavy ones (tfjs, SDKs) load inside `create`. */
export function builtinPlugins(): AnyPluginDefinition[] {
  return [...policyPlugins, ...trainerPlugins, ...sandboxPlugins, ...taskPlugins, ...coachPlugins, ...environmentPlugins, ...exporterPlugins, ...loggerPlugins, ...toolPlugins];
}

/** A registry holding every built-in plugin. */
export function createBuiltinRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  registry.registerAll(builtinPlugins());
  return registry;
}
