import { parse } from 'yaml';
import { MappaError } from '../util/MappaError.js';

/**
 * Applies `path=value` overrides (e.g. `run.steps=3`, `agents[0].maxActions=2`) to a raw pipeline object.
 * Values are parsed as YAML scalars/flow collections, so `3`, `true`, `[a, b]` and `{use: x}` all work.
 */
export function applyOverrides(raw: unknown, overrides: readonly string[]): unknown {
  const root = structuredClone(raw) as Record<string, unknown>;
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new MappaError(`override "${o}" must look like path=value`, { hint: 'e.g. --set run.steps=3' });
    const path = o
      .slice(0, eq)
      .split(/\.|\[(\d+)\]/)
      .filter((p) => p !== undefined && p !== '');
    const value = parse(o.slice(eq + 1)) as unknown;
    let cur: Record<string, unknown> = root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      const next = /^\d+$/.test(path[i + 1]!) ? [] : {};
      if (cur[key] === undefined || cur[key] === null || typeof cur[key] !== 'object') cur[key] = next;
      cur = cur[key] as Record<string, unknown>;
    }
    cur[path.at(-1)!] = value;
  }
  return root;
}
