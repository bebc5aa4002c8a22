import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { MappaRlExporterConfig } from './mappaRlConfig.js';
import { createMappaRlExporter } from './mappaRl.js';

export const mappaRlExporterPlugin = definePlugin({
  kind: 'exporter',
  name: 'mappa-rl',
  description:
    'Canonical token-exact records (schema/mappa-rl.schema.json): context/action ids, loss mask, rollout log-probs, policy version, coach score and flags, scaled reward, advantages; JSONL or Parquet.',
  configSchema: MappaRlExporterConfig,
  create: (config) => createMappaRlExporter(config),
});
