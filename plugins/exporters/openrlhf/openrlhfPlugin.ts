import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { createOpenrlhfExporter } from './openrlhf.js';
import { OpenrlhfConfig } from './openrlhfConfig.js';

export const openrlhfExporterPlugin = definePlugin({
  kind: 'exporter',
  name: 'openrlhf',
  description: 'OpenRLHF JSONL: input (context), output (action), label (coach score as text), reward (score × scale), ids.',
  configSchema: OpenrlhfConfig,
  create: (config) => createOpenrlhfExporter(config),
});
