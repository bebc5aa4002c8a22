import type { AnyPluginDefinition } from '../core/plugins/PluginDefinition.js';
import { biasMonitorPlugin } from './bias/biasMonitorPlugin.js';
import { chainArithRuleCoachPlugin } from './chain-arith-rule/chainArithRuleCoachPlugin.js';
import { hindsightCoachPlugin } from './hindsight/hindsightCoachPlugin.js';
import { noisyCoachPlugin } from './noisy/noisyCoachPlugin.js';
import { constantCoachPlugin } from './constant/constantCoachPlugin.js';
import { dsbenchRuleCoachPlugin } from './dsbench-rule/dsbenchRuleCoachPlugin.js';
import { ensembleCoachPlugin } from './ensemble/ensembleCoachPlugin.js';
import { anthropicCoachPlugin } from './llm/anthropicCoachPlugin.js';
import { geminiCoachPlugin } from './llm/geminiCoachPlugin.js';
import { openaiCoachPlugin } from './llm/openaiCoachPlugin.js';
import { mathchatRuleCoachPlugin } from './mathchat-rule/mathchatRuleCoachPlugin.js';
import { outcomeCoachPlugin } from './outcome/outcomeCoachPlugin.js';
import { toolCallRuleCoachPlugin } from './tool-call-rule/toolCallRuleCoachPlugin.js';

export const coachPlugins: AnyPluginDefinition[] = [
  constantCoachPlugin,
  mathchatRuleCoachPlugin,
  openaiCoachPlugin,
  anthropicCoachPlugin,
  geminiCoachPlugin,
  outcomeCoachPlugin,
  ensembleCoachPlugin,
  biasMonitorPlugin,
  dsbenchRuleCoachPlugin,
  toolCallRuleCoachPlugin,
  chainArithRuleCoachPlugin,
  noisyCoachPlugin,
  hindsightCoachPlugin,
];
