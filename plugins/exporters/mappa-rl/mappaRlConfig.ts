import { z } from 'zod';

export const MappaRlExporterConfig = z.strictObject({
  parquet: z.boolean().default(false).describe('Write Parquet (same columns; task_metadata as a JSON string) instead of JSONL'),
  trainableOnly: z.boolean().default(false).describe('Leave out records that do not train (fallbacks, truncations, failed episodes, …)'),
  layout: z
    .enum(['single', 'per-agent-step'])
    .default('single')
    .describe('single: one file; per-agent-step: <agent>/<split>-step-NNNN.<ext>, the layout of the batches an external trainer reads'),
});
export type MappaRlExporterConfig = z.output<typeof MappaRlExporterConfig>;
