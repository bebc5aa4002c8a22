import type { AnyPluginDefinition } from '../../core/plugins/PluginDefinition.js';
import { mappaRlExporterPlugin } from './mappa-rl/mappaRlPlugin.js';
import { openaiDpoExporterPlugin } from './openai-dpo/openaiDpoPlugin.js';
import { openaiSftExporterPlugin } from './openai-sft/openaiSftPlugin.js';
import { openrlhfExporterPlugin } from './openrlhf/openrlhfPlugin.js';
import { trlPreferenceExporterPlugin } from './trl-preference/trlPreferencePlugin.js';
import { trlPromptCompletionExporterPlugin } from './trl-prompt-completion/trlPromptCompletionPlugin.js';
import { trlStepwiseExporterPlugin } from './trl-stepwise/trlStepwisePlugin.js';
import { trlUnpairedExporterPlugin } from './trl-unpaired/trlUnpairedPlugin.js';
import { verlExporterPlugin } from './verl/verlPlugin.js';

export const exporterPlugins: AnyPluginDefinition[] = [
  mappaRlExporterPlugin,
  trlPromptCompletionExporterPlugin,
  trlStepwiseExporterPlugin,
  trlPreferenceExporterPlugin,
  trlUnpairedExporterPlugin,
  openaiSftExporterPlugin,
  openaiDpoExporterPlugin,
  verlExporterPlugin,
  openrlhfExporterPlugin,
];
