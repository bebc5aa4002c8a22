import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { createVerlExporter } from './verl.js';
import { VerlConfig } from './verlConfig.js';

export const verlExporterPlugin = definePlugin({
  kind: 'exporter',
  name: 'verl',
  description: 'verl Parquet rows: data_source, prompt (messages the agent saw), ability, reward_model, extra_info with the action and its coach score.',
  configSchema: VerlConfig,
  create: (config) => createVerlExporter(config),
});
