import type { AnyPluginDefinition } from '../core/plugins/PluginDefinition.js';
import { constantCoachPlugin } from './constant/constantCoachPlugin.js';
import { mathchatRuleCoachPlugin } from './mathchat-rule/mathchatRuleCoachPlugin.js';

export const coachPlugins: AnyPluginDefinition[] = [constantCoachPlugin, mathchatRuleCoachPlugin];
