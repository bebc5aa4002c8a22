import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { createTrlUnpairedExporter } from './trlUnpaired.js';
import { TrlUnpairedConfig } from './trlUnpairedConfig.js';

export const trlUnpairedExporterPlugin = definePlugin({
  kind: 'exporter',
  name: 'trl-unpaired',
  description: 'TRL unpaired preference (JSONL, for KTO): prompt, completion, label (coach score ≥ threshold), score.',
  configSchema: TrlUnpairedConfig,
  create: (config) => createTrlUnpairedExporter(config),
});
