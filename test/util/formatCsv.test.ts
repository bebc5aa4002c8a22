import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../core/runner/RunStore.js';
import { csvCell, formatCsv } from '../../core/util/formatCsv.js';
import { parseCsv } from '../../environments/dsbench/grading/parseCsv.js';

describe('formatCsv', () => {
  it('quotes commas, quotes, LF and CR, leaves plain cells alone', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('carriage\rreturn')).toBe('"carriage\rreturn"');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(0.5)).toBe('0.5');
  });

  it('round-trips through the project CSV parser', () => {
    const rows = [['1', 'x\r,y'], ['2', 'q"q\nz']];
    const parsed = parseCsv(formatCsv(['id', 'text'], rows));
    expect(parsed.header).toEqual(['id', 'text']);
    expect(parsed.rows).toEqual(rows);
  });

  it('RunStore writes metrics.csv with the shared writer (a \\r in a value is quoted)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-csv-'));
    try {
      const store = new RunStore(dir);
      await store.appendMetrics({ step: 1, note: 'a\rb', 'train/x': 0.25 });
      await store.appendMetrics({ step: 2, 'train/x': 0.5 });
      const csv = await readFile(join(dir, 'metrics.csv'), 'utf8');
      expect(csv).toBe('step,note,train/x\n1,"a\rb",0.25\n2,,0.5\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
