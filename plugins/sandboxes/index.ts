import type { AnyPluginDefinition } from '../../core/plugins/PluginDefinition.js';
import { bubblewrapSandboxPlugin } from './bubblewrap/bubblewrapSandboxPlugin.js';

export const sandboxPlugins: AnyPluginDefinition[] = [bubblewrapSandboxPlugin];
