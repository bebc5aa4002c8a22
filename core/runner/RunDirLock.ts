import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { MappaError } from '../util/MappaError.js';

export const LOCK_FILE = 'run.lock';

interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && Number.isInteger(v.pid) && v.pid > 0 && typeof v.host === 'string') return { pid: v.pid, host: v.host, started: String(v.started ?? '?') };
  } catch {
    // Unreadable: treated as stale below.
  }
  return undefined;
}

const held = new Set<string>();
let exitHook = false;

/**
 * An exclusive lock on a run directory (`run.lock` with the holder's pid, host and start time), so two runs never
 * write into one directory. The file appears with its content at once (written aside, then hard-linked into place,
 * which fails if it exists). A lock whose process is gone (same host) or whose content is unreadable is taken over.
 */
export class RunDirLock {
  private constructor(readonly file: string) {}

  static async acquire(runDir: string): Promise<RunDirLock> {
    const file = join(runDir, LOCK_FILE);
    const me: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
    const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
    await writeFile(tmp, JSON.stringify(me) + '\n');
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await link(tmp, file);
          held.add(file);
          if (!exitHook) {
            exitHook = true;
            process.once('exit', () => {
              for (const f of held) releaseSync(f);
            });
          }
          return new RunDirLock(file);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const text = await readFile(file, 'utf8').catch(() => '');
        const holder = parseLock(text);
        if (holder && (holder.host !== me.host || alive(holder.pid))) {
          throw new MappaError(`run directory ${runDir} is in use by pid ${holder.pid} on ${holder.host} (started ${holder.started})`, {
            hint:
              holder.host === me.host
                ? 'wait for that run to finish or stop it, or use another run directory'
                : `wait for that run to finish, or delete ${file} if you are sure it no longer runs`,
          });
        }
        // Stale (dead holder) or unreadable: take it over.
        await rm(file, { force: true });
      }
      throw new MappaError(`could not lock run directory ${runDir}: the lock file keeps changing`, { hint: 'another process is starting a run in the same directory' });
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async release(): Promise<void> {
    if (!held.has(this.file)) return;
    releaseSync(this.file);
  }
}

function releaseSync(file: string): void {
  held.delete(file);
  try {
    // Only our own lock: a lock taken over after we were presumed dead is not ours to remove.
    if (parseLock(readFileSync(file, 'utf8'))?.pid === process.pid) unlinkSync(file);
  } catch {
    // Already gone.
  }
}
