import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ExportedFile } from '../../../core/contracts/Exporter.js';

/** Column types of the tables we write: scalars, lists and structs, nullable where marked. */
export type ParquetColumnType =
  | 'int32'
  | 'double'
  | 'string'
  | 'bool'
  | { readonly list: ParquetColumnType }
  | { readonly struct: Readonly<Record<string, ParquetColumnType>> }
  | { readonly nullable: ParquetColumnType };

export type ParquetColumns = Readonly<Record<string, ParquetColumnType>>;

interface SchemaElement {
  name: string;
  type?: 'INT32' | 'DOUBLE' | 'BYTE_ARRAY' | 'BOOLEAN';
  converted_type?: 'UTF8' | 'LIST';
  repetition_type: 'REQUIRED' | 'OPTIONAL' | 'REPEATED';
  num_children?: number;
}

function elements(name: string, t: ParquetColumnType, repetition: 'REQUIRED' | 'OPTIONAL'): SchemaElement[] {
  if (typeof t === 'string') {
    const physical = { int32: 'INT32', double: 'DOUBLE', string: 'BYTE_ARRAY', bool: 'BOOLEAN' } as const;
    return [{ name, type: physical[t], ...(t === 'string' ? { converted_type: 'UTF8' as const } : {}), repetition_type: repetition }];
  }
  if ('nullable' in t) return elements(name, t.nullable, 'OPTIONAL');
  if ('list' in t) {
    // The standard three-level LIST layout, which pyarrow, pandas and Spark read as a list column.
    return [
      { name, converted_type: 'LIST', repetition_type: repetition, num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      ...elements('element', t.list, 'REQUIRED'),
    ];
  }
  const fields = Object.entries(t.struct);
  return [{ name, repetition_type: repetition, num_children: fields.length }, ...fields.flatMap(([k, v]) => elements(k, v, 'REQUIRED'))];
}

/**
 * Writes rows to a Parquet file through hyparquet-writer (pure JavaScript, no native build), one row group per
 * `rowGroupRows` rows, so memory stays bounded by one row group whatever the export's size.
 */
export class ParquetTableWriter {
  #writer: { write(o: { columnData: unknown[]; rowGroupSize: number }): void | Promise<void>; finish(): void | Promise<void> } | undefined;
  #buffer: Record<string, unknown>[] = [];
  rows = 0;

  constructor(
    readonly path: string,
    readonly columns: ParquetColumns,
    readonly rowGroupRows = 5000,
  ) {}

  async write(row: Record<string, unknown>): Promise<void> {
    this.#buffer.push(row);
    this.rows++;
    if (this.#buffer.length >= this.rowGroupRows) await this.#flush();
  }

  async #open() {
    if (this.#writer) return this.#writer;
    await mkdir(dirname(this.path), { recursive: true });
    const { ParquetWriter, fileWriter } = await import('hyparquet-writer');
    const cols = Object.entries(this.columns);
    const schema = [{ name: 'root', num_children: cols.length }, ...cols.flatMap(([k, t]) => elements(k, t, 'REQUIRED'))];
    this.#writer = new ParquetWriter({ writer: fileWriter(this.path), schema: schema as never, createdBy: 'mappa export' }) as never;
    return this.#writer!;
  }

  async #flush(): Promise<void> {
    const writer = await this.#open();
    if (this.#buffer.length === 0) return;
    const rows = this.#buffer;
    this.#buffer = [];
    const columnData = Object.keys(this.columns).map((name) => ({ name, data: rows.map((r) => r[name] ?? null) }));
    await writer.write({ columnData, rowGroupSize: rows.length });
  }

  async close(): Promise<ExportedFile> {
    await this.#flush();
    await (await this.#open()).finish();
    return { path: this.path, rows: this.rows };
  }
}
