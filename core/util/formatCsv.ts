/** One CSV cell (RFC 4180): quoted when it holds a comma, a quote, a line feed or a carriage return. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV file body: header then rows, LF line ends, trailing newline. The one CSV writer of the project. */
export function formatCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
