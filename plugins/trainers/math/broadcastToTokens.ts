import type { TokenMatrix } from './types.js';

/** Spreads one value per sequence over its tokens: out_{i,t} = v_i·m_{i,t}. */
export function broadcastToTokens(values: readonly number[], mask: TokenMatrix): number[][] {
  if (values.length !== mask.length) throw new RangeError(`broadcastToTokens: ${values.length} values for ${mask.length} rows`);
  return mask.map((row, i) => row.map((m) => values[i]! * m));
}
