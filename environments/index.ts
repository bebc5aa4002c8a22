import type { AnyPluginDefinition } from '../core/plugins/PluginDefinition.js';
import { chainArithEnvironmentPlugin } from './chain-arith/chainArithEnvironmentPlugin.js';
import { chainArithDemonstrationsPlugin } from './chain-arith/demonstrations/chainArithDemonstrationsPlugin.js';
import { chainArithTasksPlugin } from './chain-arith/tasks/chainArithTasksPlugin.js';
import { codeSandboxEnvironmentPlugin } from './code-sandbox/codeSandboxEnvironmentPlugin.js';
import { dsbenchDemonstrationsPlugin } from './dsbench/demonstrations/dsbenchDemonstrationsPlugin.js';
import { dsbenchEnvironmentPlugin } from './dsbench/dsbenchEnvironmentPlugin.js';
import { mathchatDemonstrationsPlugin } from './mathchat/demonstrations/mathchatDemonstrationsPlugin.js';
import { mathchatEnvironmentPlugin } from './mathchat/mathchatEnvironmentPlugin.js';

export const environmentPlugins: AnyPluginDefinition[] = [
  mathchatEnvironmentPlugin,
  mathchatDemonstrationsPlugin,
  dsbenchEnvironmentPlugin,
  dsbenchDemonstrationsPlugin,
  codeSandboxEnvironmentPlugin,
  chainArithEnvironmentPlugin,
  chainArithTasksPlugin,
  chainArithDemonstrationsPlugin,
];
