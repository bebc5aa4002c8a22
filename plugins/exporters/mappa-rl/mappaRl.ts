import { join } from 'node:path';
import type { z } from 'zod';
import type { ExportedFile, Exporter } from '../../../core/contracts/Exporter.js';
import { JsonlWriter } from '../shared/JsonlWriter.js';
import { ParquetTableWriter } from '../shared/ParquetTableWriter.js';
import { MappaRlExporterConfig } from './mappaRlConfig.js';
import { MAPPA_RL_PARQUET_COLUMNS, mappaRlParquetRow } from './mappaRlParquetColumns.js';

/** The canonical token-exact export: one `mappa-rl` record per selected action (JSONL or Parquet). */
export function createMappaRlExporter(options: z.input<typeof MappaRlExporterConfig> = {}): Exporter {
  const config = MappaRlExporterConfig.parse(options);
  const ext = config.parquet ? 'parquet' : 'jsonl';
  return {
    name: 'mappa-rl',
    async export(batches, ctx) {
      const files: ExportedFile[] = [];
      const open = (path: string) => (config.parquet ? new ParquetTableWriter(path, MAPPA_RL_PARQUET_COLUMNS) : new JsonlWriter(path));
      const single = config.layout === 'single' ? open(join(ctx.outDir, `mappa-rl.${ext}`)) : undefined;
      let untrainable = 0;
      for await (const batch of batches) {
        const perAgent = new Map<string, JsonlWriter | ParquetTableWriter>();
        for (const { record } of batch.samples) {
          if (config.trainableOnly && !record.trainable) {
            untrainable++;
            continue;
          }
          let w = single;
          if (!w) {
            w = perAgent.get(record.agent_id);
            if (!w) {
              w = open(join(ctx.outDir, record.agent_id, `${batch.split}-step-${String(batch.step).padStart(4, '0')}.${ext}`));
              perAgent.set(record.agent_id, w);
            }
          }
          await (config.parquet ? (w as ParquetTableWriter).write(mappaRlParquetRow(record)) : (w as JsonlWriter).write(record));
        }
        for (const w of perAgent.values()) files.push(await w.close());
      }
      if (single) files.push(await single.close());
      return { files, notes: untrainable ? [`mappa-rl: ${untrainable} record(s) that do not train left out (trainableOnly)`] : [] };
    },
  };
}
