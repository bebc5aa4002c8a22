import { join } from 'node:path';
import type { ExportBatch, ExportContext, Exporter } from '../../../core/contracts/Exporter.js';
import { JsonlWriter } from './JsonlWriter.js';
import { type ParquetColumns, ParquetTableWriter } from './ParquetTableWriter.js';

export interface RowExporterSpec {
  readonly name: string;
  /** File name without extension. */
  readonly file: string;
  /** Parquet columns; without them the exporter writes JSONL. */
  readonly parquet?: ParquetColumns;
  /** Rows for one batch; `notes` collects remarks (rows left out and why). */
  readonly rows: (batch: ExportBatch, ctx: ExportContext, notes: NoteCounter) => Iterable<Record<string, unknown>>;
}

/** Counts remarks by message, so a reason repeated on thousands of rows becomes one note. */
export class NoteCounter {
  readonly #counts = new Map<string, number>();
  add(message: string, n = 1): void {
    if (n > 0) this.#counts.set(message, (this.#counts.get(message) ?? 0) + n);
  }
  list(): string[] {
    return [...this.#counts].map(([m, n]) => `${m}: ${n}`);
  }
}

/** An exporter that turns each batch into rows of one JSONL or Parquet file: what every converter is. */
export function createRowExporter(spec: RowExporterSpec): Exporter {
  return {
    name: spec.name,
    async export(batches, ctx) {
      const notes = new NoteCounter();
      const path = join(ctx.outDir, `${spec.file}.${spec.parquet ? 'parquet' : 'jsonl'}`);
      const writer = spec.parquet ? new ParquetTableWriter(path, spec.parquet) : new JsonlWriter(path);
      for await (const batch of batches) {
        for (const row of spec.rows(batch, ctx, notes)) await writer.write(row);
      }
      const file = await writer.close();
      const list = notes.list();
      if (file.rows === 0) list.push(`${spec.name}: the selection gave no rows; ${file.path} is empty`);
      return { files: [file], notes: list };
    },
  };
}
