import type { AnyPluginDefinition } from '../../core/plugins/PluginDefinition.js';
import { dsbenchTasksPlugin } from '../../environments/dsbench/dsbenchTasksPlugin.js';
import { aimeJsonlPlugin } from '../../environments/mathchat/tasks/aimeJsonlPlugin.js';
import { mathchatGeneratorPlugin } from '../../environments/mathchat/tasks/mathchatGeneratorPlugin.js';
import { arithmeticTasksPlugin } from './arithmeticTasksPlugin.js';
import { inlineTasksPlugin } from './inlineTasksPlugin.js';
import { jsonlTasksPlugin } from './jsonlTasksPlugin.js';

export const taskPlugins: AnyPluginDefinition[] = [
  inlineTasksPlugin,
  jsonlTasksPlugin,
  mathchatGeneratorPlugin,
  aimeJsonlPlugin,
  dsbenchTasksPlugin,
  arithmeticTasksPlugin,
];
