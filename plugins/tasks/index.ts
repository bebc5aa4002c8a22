import type { AnyPluginDefinition } from '../../core/plugins/PluginDefinition.js';
import { inlineTasksPlugin } from './inlineTasksPlugin.js';
import { jsonlTasksPlugin } from './jsonlTasksPlugin.js';

export const taskPlugins: AnyPluginDefinition[] = [inlineTasksPlugin, jsonlTasksPlugin];
