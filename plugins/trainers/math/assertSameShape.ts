import type { TokenMatrix } from './types.js';

/** Throws when two token matrices do not have the same row count and row lengths (a caller bug, not user input). */
export function assertSameShape(a: TokenMatrix, b: TokenMatrix, what: string): void {
  if (a.length !== b.length) throw new RangeError(`${what}: ${a.length} rows vs ${b.length} rows`);
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.length !== b[i]!.length) throw new RangeError(`${what}: row ${i} has ${a[i]!.length} vs ${b[i]!.length} columns`);
  }
}
