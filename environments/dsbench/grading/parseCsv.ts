/** A parsed CSV file: header and rows of raw cell strings. */
export interface CsvTable {
  readonly header: string[];
  readonly rows: string[][];
}

/**
 * Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF, optional BOM). Blank lines are skipped.
 * Kept dependency-free because graders must read agent-written files that pandas produced.
 */
export function parseCsv(text: string): CsvTable {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(field);
    field = '';
    if (!(row.length === 1 && row[0] === '')) records.push(row);
    row = [];
  };
  while (i < src.length) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') endRow();
    else if (c === '\r') {
      if (src[i + 1] !== '\n') endRow();
    } else field += c;
    i++;
  }
  if (field !== '' || row.length > 0) endRow();
  const [header = [], ...rows] = records;
  return { header: header.map((h) => h.trim()), rows };
}

/** Values of one column (by name), or `undefined` when the column is absent. */
export function column(table: CsvTable, name: string): string[] | undefined {
  const idx = table.header.indexOf(name);
  if (idx < 0) return undefined;
  return table.rows.map((r) => r[idx] ?? '');
}

/** Writes a CSV file body (LF line ends, trailing newline): the project's one CSV writer. */
export { formatCsv } from '../../../core/util/formatCsv.js';
