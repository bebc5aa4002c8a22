import type { AnyPluginDefinition } from '../../core/plugins/PluginDefinition.js';
import { openaiCompatiblePolicyPlugin } from './openai-compatible/openaiCompatiblePolicyPlugin.js';
import { scriptedPolicyPlugin } from './scripted/scriptedPolicyPlugin.js';
import { tfjsTransformerPolicyPlugin } from './tfjs-transformer/tfjsTransformerPolicyPlugin.js';

export const policyPlugins: AnyPluginDefinition[] = [
  openaiCompatiblePolicyPlugin,
  scriptedPolicyPlugin,
  tfjsTransformerPolicyPlugin,
];
