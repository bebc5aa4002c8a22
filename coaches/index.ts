import type { AnyPluginDefinition } from '../core/plugins/PluginDefinition.js';
import { constantCoachPlugin } from './constant/constantCoachPlugin.js';

export const coachPlugins: AnyPluginDefinition[] = [constantCoachPlugin];
