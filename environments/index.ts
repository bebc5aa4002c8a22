import type { AnyPluginDefinition } from '../core/plugins/PluginDefinition.js';
import { dsbenchEnvironmentPlugin } from './dsbench/dsbenchEnvironmentPlugin.js';

export const environmentPlugins: AnyPluginDefinition[] = [dsbenchEnvironmentPlugin];
