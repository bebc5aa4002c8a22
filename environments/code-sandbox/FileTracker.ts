import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from '../../core/model/Artifact.js';
import { listWorkspaceFiles } from '../../plugins/sandboxes/shared/workspaceFiles.js';

interface FileState {
  readonly bytes: number;
  readonly sha256: string;
  readonly mtimeMs: number;
  readonly ino: number;
}

export interface FileTrackerOptions {
  /** Paths (relative, POSIX) to leave out, e.g. caches: `(p) => p.includes('__pycache__')`. */
  readonly ignore?: (path: string) => boolean;
}

/** SHA-256 of a regular file, streamed, never through a symlink; undefined when it cannot be read. */
async function hashFile(path: string): Promise<string | undefined> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    if (!(await fh.stat()).isFile()) return undefined;
    const hash = createHash('sha256');
    for await (const chunk of fh.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } catch {
    return undefined;
  } finally {
    await fh.close();
  }
}

/**
 * Attributes workspace files to the agent and action that created or last changed them: snapshot before an action's
 * tools run, snapshot after, and the difference is what the action wrote. Task-provided files belong to `environment`.
 * Symlinks and special files that sandboxed code may plant are ignored; a file whose size, mtime and inode did not
 * change is not hashed again.
 */
export class FileTracker {
  readonly #owners = new Map<string, { writtenBy: string; actionIndex?: number }>();
  #last = new Map<string, FileState>();

  constructor(
    private readonly root: string,
    private readonly options: FileTrackerOptions = {},
  ) {}

  async #scan(): Promise<Map<string, FileState>> {
    const out = new Map<string, FileState>();
    const entries = await listWorkspaceFiles(this.root, this.options.ignore ? { ignore: this.options.ignore } : {});
    for (const e of entries) {
      const prev = this.#last.get(e.path);
      if (prev && prev.bytes === e.bytes && prev.mtimeMs === e.mtimeMs && prev.ino === e.ino) {
        out.set(e.path, prev);
        continue;
      }
      const sha256 = await hashFile(join(this.root, e.path));
      if (sha256 !== undefined) out.set(e.path, { bytes: e.bytes, sha256, mtimeMs: e.mtimeMs, ino: e.ino });
    }
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
