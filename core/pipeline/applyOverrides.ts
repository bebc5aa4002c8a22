import { parse } from 'yaml';
import { MappaError } from '../util/MappaError.js';

/** Keys that reach Object.prototype (or a constructor) instead of a field. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function forbiddenKey(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN.has(key)) return key;
    const inner = forbiddenKey((value as Record<string, unknown>)[key]);
    if (inner) return inner;
  }
  return undefined;
}

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
    const bad = path.find((p) => FORBIDDEN.has(p));
    if (bad) {
      throw new MappaError(`override "${o.slice(0, eq)}": "${bad}" is not a pipeline field (it would change every object)`, {
        hint: 'name a field of the pipeline, e.g. --set run.steps=3',
      });
    }
    let value: unknown;
    try {
      value = parse(o.slice(eq + 1), { maxAliasCount: 10 }) as unknown;
    } catch (err) {
      throw new MappaError(`override "${o}": the value is not valid YAML (${(err as Error).message.split('\n')[0]})`, {
        hint: 'quote values that start with *, &, !, [ or { when they are meant as text, e.g. --set name="*x"',
      });
    }
    const badKey = forbiddenKey(value);
    if (badKey) throw new MappaError(`override "${o.slice(0, eq)}": the value contains the key "${badKey}", which is not allowed`, { hint: 'use plain field names' });
    const field = o.slice(0, eq);
    let cur: Record<string, unknown> = root;
    for (let i = 0; i < path.length; i++) {
      const key = path[i]!;
      // An index may address an element or append one; `agents[99999999]` would make a sparse array whose holes
      // later code fills, exhausting the heap.
      if (Array.isArray(cur) && /^\d+$/.test(key) && Number(key) > cur.length) {
        throw new MappaError(`override "${field}": index ${key} is past the end of ${path.slice(0, i).join('.') || 'the pipeline'} (length ${cur.length})`, {
          hint: `use an index from 0 to ${cur.length} (${cur.length} appends an element)`,
        });
      }
      if (i === path.length - 1) break;
      const next = /^\d+$/.test(path[i + 1]!) ? [] : {};
      if (cur[key] === undefined || cur[key] === null || typeof cur[key] !== 'object') cur[key] = next;
      cur = cur[key] as Record<string, unknown>;
    }
    cur[path.at(-1)!] = value;
  }
  return root;
}
