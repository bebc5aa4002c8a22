/**
 * Derives a 31-bit seed from a base seed and labels (FNV-1a over the parts), so each episode, sample and
 * generation gets its own stream that does not depend on scheduling order.
 */
export function deriveSeed(base: number, ...parts: ReadonlyArray<string | number>): number {
  let h = 0x811c9dc5 ^ (base >>> 0);
  const text = parts.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h & 0x7fffffff;
}
