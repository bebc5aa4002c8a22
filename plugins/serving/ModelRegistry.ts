import { HttpError } from './HttpError.js';
import type { ServableModel } from './ServableModel.js';

/** One version of a served model. Requests hold a lease on it; it is disposed once replaced and no lease is left. */
export interface ServedModelVersion {
  readonly name: string;
  readonly model: ServableModel;
  readonly version: number;
  /** Directory it was loaded from. */
  readonly path: string;
  readonly kind: 'checkpoint' | 'adapter';
  readonly loadedAt: number;
}

interface Entry extends ServedModelVersion {
  leases: number;
  retired: boolean;
}

export interface ModelLease {
  readonly served: ServedModelVersion;
  release(): void;
}

/**
 * Model names → the current version of each. Replacing a model swaps the reference at once: requests already running
 * keep their lease on the old object and finish on its weights; it is disposed after the last of them ends.
 */
export class ModelRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #locks = new Map<string, Promise<unknown>>();
  /** Who waits for an entry's disposal (closeAll). */
  readonly #waiters = new Map<Entry, () => void>();
  readonly #onDisposeError: (name: string, err: unknown) => void;

  constructor(onDisposeError: (name: string, err: unknown) => void = () => {}) {
    this.#onDisposeError = onDisposeError;
  }

  list(): ServedModelVersion[] {
    return [...this.#entries.values()];
  }

  get(name: string): ServedModelVersion | undefined {
    return this.#entries.get(name);
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** The current version of `name`, held until `release()` (404 when unknown). */
  acquire(name: string): ModelLease {
    const entry = this.#entries.get(name);
    if (!entry) {
      throw new HttpError(404, `The model \`${name}\` does not exist. Served models: ${[...this.#entries.keys()].join(', ') || '(none)'}.`, 'not_found_error', 'model', 'model_not_found');
    }
    entry.leases++;
    let released = false;
    return {
      served: entry,
      release: () => {
        if (released) return;
        released = true;
        entry.leases--;
        this.#maybeDispose(entry);
      },
    };
  }

  /** Serializes loads and unloads of one name (a second reload waits for the first). */
  async exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    const before = this.#locks.get(name) ?? Promise.resolve();
    const run = before.then(work, work);
    const tail = run.catch(() => undefined);
    this.#locks.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.#locks.get(name) === tail) this.#locks.delete(name);
    }
  }

  /** Installs (or replaces) a model version; the replaced one is disposed when its last request ends. */
  put(served: ServedModelVersion): void {
    const old = this.#entries.get(served.name);
    this.#entries.set(served.name, { ...served, leases: 0, retired: false });
    if (old) this.#retire(old);
  }

  remove(name: string): boolean {
    const old = this.#entries.get(name);
    if (!old) return false;
    this.#entries.delete(name);
    this.#retire(old);
    return true;
  }

  /** Retires every model; resolves when all of them are disposed (after their requests end). */
  async closeAll(): Promise<void> {
    // Newest first: adapters go before the bases they run on.
    const all = [...this.#entries.values()].reverse();
    this.#entries.clear();
    await Promise.all(all.map((e) => new Promise<void>((resolve) => {
      this.#waiters.set(e, resolve);
      this.#retire(e);
    })));
  }

  #retire(entry: Entry): void {
    entry.retired = true;
    this.#maybeDispose(entry);
  }

  #maybeDispose(entry: Entry): void {
    if (!entry.retired || entry.leases > 0) return;
    entry.leases = -1; // disposed exactly once
    const done = this.#waiters.get(entry);
    this.#waiters.delete(entry);
    Promise.resolve()
      .then(() => entry.model.dispose?.())
      .catch((err: unknown) => this.#onDisposeError(entry.name, err))
      .finally(() => done?.());
  }
}
