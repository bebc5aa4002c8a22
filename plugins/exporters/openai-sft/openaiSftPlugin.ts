import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { createOpenaiSftExporter } from './openaiSft.js';
import { OpenaiSftConfig } from './openaiSftConfig.js';

export const openaiSftExporterPlugin = definePlugin({
  kind: 'exporter',
  name: 'openai-sft',
  description: 'OpenAI chat fine-tuning JSONL: one conversation per agent turn; each assistant message weighted 1/0 by its coach score against a threshold.',
  configSchema: OpenaiSftConfig,
  create: (config) => createOpenaiSftExporter(config),
});
