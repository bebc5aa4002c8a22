import type { AnyPluginDefinition } from '../../core/plugins/PluginDefinition.js';
import { bubblewrapSandboxPlugin } from './bubblewrap/bubblewrapSandboxPlugin.js';
import { localUnsafeSandboxPlugin } from './local-unsafe/localUnsafeSandboxPlugin.js';
import { sandboxFusionSandboxPlugin } from './sandboxfusion/sandboxFusionSandboxPlugin.js';

export const sandboxPlugins: AnyPluginDefinition[] = [
  bubblewrapSandboxPlugin,
  sandboxFusionSandboxPlugin,
  localUnsafeSandboxPlugin,
];
