import type { AnyPluginDefinition } from '../../core/plugins/PluginDefinition.js';
import { inlineTasksPlugin } from './inlineTasksPlugin.js';
import { jsonlTasksPlugin } from './jsonlTasksPlugin.js';
import { dsbenchTasksPlugin } from '../../environments/dsbench/dsbenchTasksPlugin.js';

export const taskPlugins: AnyPluginDefinition[] = [inlineTasksPlugin, jsonlTasksPlugin, dsbenchTasksPlugin];
