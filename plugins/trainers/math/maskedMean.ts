import { assertSameShape } from './assertSameShape.js';
import type { TokenMatrix } from './types.js';

/** Σ v·m / Σ m over every row (0 when the mask is empty). */
export function maskedMean(values: TokenMatrix, mask: TokenMatrix): number {
  assertSameShape(values, mask, 'maskedMean(values, mask)');
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const row = values[i]!;
    const m = mask[i]!;
    for (let t = 0; t < row.length; t++) {
      s += row[t]! * m[t]!;
      n += m[t]!;
    }
  }
  return n > 0 ? s / n : 0;
}
