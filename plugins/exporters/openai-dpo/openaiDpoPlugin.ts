import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { createOpenaiDpoExporter } from './openaiDpo.js';
import { OpenaiDpoConfig } from './openaiDpoConfig.js';

export const openaiDpoExporterPlugin = definePlugin({
  kind: 'exporter',
  name: 'openai-dpo',
  description: 'OpenAI preference fine-tuning JSONL: input.messages, preferred_output, non_preferred_output; preferred = higher coach score on the same context.',
  configSchema: OpenaiDpoConfig,
  create: (config) => createOpenaiDpoExporter(config),
});
