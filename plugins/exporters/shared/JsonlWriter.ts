import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ExportedFile } from '../../../core/contracts/Exporter.js';

/** Streams rows to a JSONL file (one JSON object per line), honouring back-pressure. */
export class JsonlWriter {
  #stream: WriteStream | undefined;
  rows = 0;

  constructor(readonly path: string) {}

  async write(row: unknown): Promise<void> {
    if (!this.#stream) {
      await mkdir(dirname(this.path), { recursive: true });
      this.#stream = createWriteStream(this.path, { encoding: 'utf8' });
    }
    this.rows++;
    if (!this.#stream.write(JSON.stringify(row) + '\n')) await once(this.#stream, 'drain');
  }

  async close(): Promise<ExportedFile> {
    if (!this.#stream) {
      await mkdir(dirname(this.path), { recursive: true });
      this.#stream = createWriteStream(this.path, { encoding: 'utf8' });
    }
    const s = this.#stream;
    await new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return { path: this.path, rows: this.rows };
  }
}
