import type { AnyPluginDefinition } from '../../core/plugins/PluginDefinition.js';

export const sandboxPlugins: AnyPluginDefinition[] = [];
