import type { AnyPluginDefinition } from '../core/plugins/PluginDefinition.js';
import { constantCoachPlugin } from './constant/constantCoachPlugin.js';
import { dsbenchRuleCoachPlugin } from './dsbench-rule/dsbenchRuleCoachPlugin.js';

export const coachPlugins: AnyPluginDefinition[] = [constantCoachPlugin, dsbenchRuleCoachPlugin];
