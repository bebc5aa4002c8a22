import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSecretFree } from '../../core/util/writeSecretFree.js';

/** JSON with object keys sorted, so equal values always hash the same. */
export function stableStringify(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/** Content address of a request: sha256 of its stable JSON. */
export function contentKey(parts: unknown): string {
  return createHash('sha256').update(stableStringify(parts)).digest('hex');
}

/**
 * Content-addressed store of successful coach results on disk (`<dir>/<2 hex>/<sha256>.json`, written atomically),
 * plus merging of identical calls that are in flight at the same time. Callers only `set` results they trust:
 * errors and fallbacks are never stored.
 */
export class ResponseCache<T> {
  readonly #inflight = new Map<string, Promise<unknown>>();

  constructor(readonly dir: string | undefined) {}

  #file(key: string): string {
    return join(this.dir!, key.slice(0, 2), `${key}.json`);
  }

  /** The stored value, or `undefined` (also for a missing or unreadable entry). */
  async get(key: string): Promise<T | undefined> {
    if (!this.dir) return undefined;
    try {
      return JSON.parse(await readFile(this.#file(key), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: T): Promise<void> {
    if (!this.dir) return;
    await writeSecretFree(this.#file(key), JSON.stringify(value));
  }

  /** Runs `work` unless the same key is already in flight, in which case the running promise is shared. */
  dedupe<R>(key: string, work: () => Promise<R>): { promise: Promise<R>; merged: boolean } {
    const running = this.#inflight.get(key) as Promise<R> | undefined;
    if (running) return { promise: running, merged: true };
    const promise = work().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return { promise, merged: false };
  }

  get inflightCount(): number {
    return this.#inflight.size;
  }
}
