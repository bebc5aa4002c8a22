import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Artifact } from '../../core/model/Artifact.js';

interface FileState {
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * Attributes workspace files to the agent and action that created or last changed them: snapshot before an action's
 * tools run, snapshot after, and the difference is what the action wrote. Task-provided files belong to `environment`.
 */
export class FileTracker {
  readonly #owners = new Map<string, { writtenBy: string; actionIndex?: number }>();
  #last = new Map<string, FileState>();

  constructor(private readonly root: string) {}

  async #scan(): Promise<Map<string, FileState>> {
    const out = new Map<string, FileState>();
    const walk = async (dir: string) => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile()) {
          const s = await stat(full);
          const sha256 = createHash('sha256').update(await readFile(full)).digest('hex');
          out.set(relative(this.root, full), { bytes: s.size, sha256 });
        }
      }
    };
    await walk(this.root);
    return out;
  }

  /** Records the current files as provided by `owner` (call once after copying task files in). */
  async baseline(owner = 'environment'): Promise<void> {
    this.#last = await this.#scan();
    for (const path of this.#last.keys()) if (!this.#owners.has(path)) this.#owners.set(path, { writtenBy: owner });
  }

  /** Files created or changed since the last call, attributed to this agent and action. */
  async commit(agentId: string, actionIndex: number): Promise<Artifact[]> {
    const now = await this.#scan();
    const changed: Artifact[] = [];
    for (const [path, st] of now) {
      const before = this.#last.get(path);
      if (!before || before.sha256 !== st.sha256) {
        this.#owners.set(path, { writtenBy: agentId, actionIndex });
        changed.push({ path, bytes: st.bytes, writtenBy: agentId, actionIndex, sha256: st.sha256 });
      }
    }
    for (const path of this.#last.keys()) if (!now.has(path)) this.#owners.delete(path);
    this.#last = now;
    return changed.sort((a, b) => a.path.localeCompare(b.path));
  }

  /** Every current file with its owner. */
  list(): Artifact[] {
    return [...this.#last]
      .map(([path, st]) => {
        const owner = this.#owners.get(path) ?? { writtenBy: 'unknown' };
        return { path, bytes: st.bytes, sha256: st.sha256, writtenBy: owner.writtenBy, ...(owner.actionIndex !== undefined ? { actionIndex: owner.actionIndex } : {}) };
      })
      .sort((a, b) => a.path.localeCompare(b.path));
  }
}
