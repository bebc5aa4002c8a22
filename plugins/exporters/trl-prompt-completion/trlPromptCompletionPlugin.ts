import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { createTrlPromptCompletionExporter } from './trlPromptCompletion.js';
import { TrlPromptCompletionConfig } from './trlPromptCompletionConfig.js';

export const trlPromptCompletionExporterPlugin = definePlugin({
  kind: 'exporter',
  name: 'trl-prompt-completion',
  description: 'TRL prompt-completion dataset (JSONL): prompt, completion, reward (score × scale), score, ids; conversational by default.',
  configSchema: TrlPromptCompletionConfig,
  create: (config) => createTrlPromptCompletionExporter(config),
});
