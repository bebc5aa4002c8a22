import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { createTrlPreferenceExporter } from './trlPreference.js';
import { TrlPreferenceConfig } from './trlPreferenceConfig.js';

export const trlPreferenceExporterPlugin = definePlugin({
  kind: 'exporter',
  name: 'trl-preference',
  description: 'TRL paired preference (JSONL): prompt, chosen, rejected from actions that answered the same context in a group; chosen = higher coach score.',
  configSchema: TrlPreferenceConfig,
  create: (config) => createTrlPreferenceExporter(config),
});
