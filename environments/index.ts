import type { AnyPluginDefinition } from '../core/plugins/PluginDefinition.js';
import { codeSandboxEnvironmentPlugin } from './code-sandbox/codeSandboxEnvironmentPlugin.js';

export const environmentPlugins: AnyPluginDefinition[] = [codeSandboxEnvironmentPlugin];
