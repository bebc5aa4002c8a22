import type { AnyPluginDefinition } from '../../core/plugins/PluginDefinition.js';
import { calculatorDemonstrationsPlugin } from './calculator/calculatorDemonstrationsPlugin.js';
import { calculatorToolPlugin } from './calculator/calculatorToolPlugin.js';
import { bashToolPlugin, pythonToolPlugin } from './code/codeToolPlugin.js';
import { listFilesToolPlugin, readFileToolPlugin, writeFileToolPlugin } from './files/fileToolsPlugins.js';
import { mcpToolPlugin } from './mcp/mcpToolPlugin.js';
import { submitAnswerToolPlugin } from './submit-answer/submitAnswerToolPlugin.js';

export const toolPlugins: AnyPluginDefinition[] = [
  pythonToolPlugin,
  bashToolPlugin,
  readFileToolPlugin,
  writeFileToolPlugin,
  listFilesToolPlugin,
  submitAnswerToolPlugin,
  calculatorToolPlugin,
  mcpToolPlugin,
  calculatorDemonstrationsPlugin,
];
