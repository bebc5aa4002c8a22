import type { AnyPluginDefinition } from '../../core/plugins/PluginDefinition.js';
import { openaiCompatiblePolicyPlugin } from './openai-compatible/openaiCompatiblePolicyPlugin.js';
import { scriptedPolicyPlugin } from './scripted/scriptedPolicyPlugin.js';

export const policyPlugins: AnyPluginDefinition[] = [openaiCompatiblePolicyPlugin, scriptedPolicyPlugin];
