import { MappaError } from '../../../core/util/MappaError.js';

/** `A..B`, `A..`, `..B` or `N` → inclusive bounds. */
export function parseStepRange(text: string): { from: number; to: number } {
  const m = /^\s*(\d*)\s*(\.\.)?\s*(\d*)\s*$/.exec(text);
  if (m && (m[1] || m[3])) {
    const from = m[1] ? Number(m[1]) : 0;
    const to = m[2] ? (m[3] ? Number(m[3]) : Infinity) : from;
    if (m[2] || !m[3]) {
      if (from <= to) return { from, to };
    }
  }
  throw new MappaError(`--steps "${text}" is not a step range`, { hint: 'write A..B (inclusive), A.., ..B or a single step, e.g. --steps 5..10' });
}
