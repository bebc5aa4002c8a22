import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Temp folders carry their creator's pid in the name, so a later start can tell folders of a killed process (which
 * could not clean up: SIGKILL runs no handler) from those of a process still working, and remove only the former.
 */

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

/** The mkdtemp prefix of a temp folder of this process: `<tmpdir>/mappa-<kind>-<pid>-`. */
export function ownedTempPrefix(kind: string): string {
  return join(tmpdir(), `mappa-${kind}-${process.pid}-`);
}

/** Removes `mappa-<kind>-<pid>-*` folders of processes that no longer exist; returns how many. */
export async function sweepStaleTempDirs(kind: string, root = tmpdir()): Promise<number> {
  const re = new RegExp(`^mappa-${kind.replace(/[^\w-]/g, '')}-(\\d+)-`);
  return sweepMatching(root, (name) => {
    const m = re.exec(name);
    return m ? Number(m[1]) : undefined;
  });
}

/** Removes `<name>.tmp-<pid>-<hex>` / `.old-<pid>-<hex>` leftovers of atomic directory writes by dead processes. */
export async function sweepStaleAtomicDirs(root: string): Promise<number> {
  return sweepMatching(root, (name) => {
    const m = /\.(?:tmp|old)-(\d+)-[0-9a-f]+$/.exec(name);
    return m ? Number(m[1]) : undefined;
  });
}

async function sweepMatching(root: string, pidOf: (name: string) => number | undefined): Promise<number> {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const pid = pidOf(name);
    if (pid === undefined || pid === process.pid || alive(pid)) continue;
    await rm(join(root, name), { recursive: true, force: true }).catch(() => undefined);
    removed++;
  }
  return removed;
}
