import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { createTrlStepwiseExporter } from './trlStepwise.js';
import { TrlStepwiseConfig } from './trlStepwiseConfig.js';

export const trlStepwiseExporterPlugin = definePlugin({
  kind: 'exporter',
  name: 'trl-stepwise',
  description: 'TRL stepwise supervision (JSONL): prompt, completions (one per action of an agent turn), labels (score ≥ threshold), scores.',
  configSchema: TrlStepwiseConfig,
  create: (config) => createTrlStepwiseExporter(config),
});
