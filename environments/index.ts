import type { AnyPluginDefinition } from '../core/plugins/PluginDefinition.js';

export const environmentPlugins: AnyPluginDefinition[] = [];
