import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { ParquetTableWriter } from '../../plugins/exporters/shared/ParquetTableWriter.js';
import { cleanTempDirs, tempDir } from './exportKit.js';

afterAll(cleanTempDirs);

describe('ParquetTableWriter', () => {
  it('writes lists, structs and nulls over several row groups that hyparquet reads back', async () => {
    const path = join(await tempDir(), 'sub', 't.parquet');
    const w = new ParquetTableWriter(
      path,
      {
        id: 'int32',
        ids: { list: 'int32' },
        lp: { list: 'double' },
        ok: 'bool',
        score: { nullable: 'double' },
        coach: { nullable: { struct: { name: 'string', cached: 'bool' } } },
        msgs: { list: { struct: { role: 'string', content: 'string' } } },
      },
      2,
    );
    const rows = Array.from({ length: 5 }, (_, i) => ({
      id: i,
      ids: Array.from({ length: i }, (_, j) => j * 1000 + i),
      lp: Array.from({ length: i }, (_, j) => -j / 3),
      ok: i % 2 === 0,
      score: i === 3 ? null : i * 1.5,
      coach: i === 1 ? null : { name: `c${i}`, cached: i > 2 },
      msgs: [{ role: 'user', content: `q${i} ✓` }, ...(i % 2 ? [{ role: 'assistant', content: 'a' }] : [])],
    }));
    for (const r of rows) await w.write(r);
    expect(await w.close()).toEqual({ path, rows: 5 });
    const buf = await readFile(path);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    expect(parquetMetadata(ab).row_groups).toHaveLength(3);
    const back = (await parquetReadObjects({ file: ab })) as Array<Record<string, unknown>>;
    // hyparquet gives a null struct back as undefined (a null group has no leaf values to assemble).
    expect(back.map((r) => ({ ...r, coach: r['coach'] ?? null }))).toEqual(rows);
    expect(back[1]!['coach']).toBeUndefined();
  });
});
