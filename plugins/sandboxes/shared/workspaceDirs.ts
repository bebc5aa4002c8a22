import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { rm, rmdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FileOwner } from './workspaceFiles.js';

/*
 * Workspace directories whose quotas hold however deep the code nests its paths. As root each workspace is its own
 * tmpfs (size= and nr_inodes=), so the kernel enforces the disk and file-count quotas; a walker using absolute paths
 * cannot see past PATH_MAX and would let data there escape. The tmpfs also hides the host path from
 * /proc/self/mountinfo inside the sandbox (the bind source is the root of its own filesystem). Removal unmounts, which
 * frees any depth at once; plain directories are removed by `rm -rf` (fts, descriptor-relative) when Node's
 * path-based rm fails.
 */

const run = promisify(execFile);

export interface QuotaFsOptions {
  readonly bytes: number;
  readonly inodes: number;
  readonly owner: FileOwner | undefined;
}

/** Mounts a size- and inode-capped tmpfs on `dir` (mode 0700, owned by the sandbox user). */
export async function mountQuotaFs(dir: string, o: QuotaFsOptions): Promise<void> {
  const opts = [`size=${Math.max(4096, Math.floor(o.bytes))}`, `nr_inodes=${Math.max(2, Math.floor(o.inodes))}`, 'mode=0700', 'nosuid', 'nodev'];
  if (o.owner) opts.push(`uid=${o.owner.uid}`, `gid=${o.owner.gid}`);
  await run('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'mappa-workspace', dir]);
}

/** Whether this process may mount file systems (root on Linux). */
export function canMountQuotaFs(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0;
}

export interface FsUsage {
  readonly bytesFree: number;
  readonly inodesFree: number;
}

export async function fsUsage(dir: string): Promise<FsUsage> {
  const s = await statfs(dir);
  return { bytesFree: s.bfree * s.bsize, inodesFree: s.ffree };
}

/** Removes a workspace directory of any depth; returns the error message when it could not, never throws. */
export async function removeWorkspaceDir(dir: string, mounted: boolean): Promise<string | undefined> {
  try {
    if (mounted) {
      await run('umount', [dir]).catch(() => run('umount', ['-l', dir]));
      await rmdir(dir);
      return undefined;
    }
    try {
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // ENAMETOOLONG past PATH_MAX (or similar): rm's fts walk works relative to directory descriptors.
      await run('rm', ['-rf', '--one-file-system', '--', dir]);
    }
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Synchronous variant for the exit hook. */
export function removeWorkspaceDirSync(dir: string, mounted: boolean): void {
  try {
    if (mounted) spawnSync('umount', ['-l', dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  } catch {
    spawnSync('rm', ['-rf', '--one-file-system', '--', dir], { stdio: 'ignore' });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Mount points of this mount namespace (octal escapes of mountinfo decoded). */
function mountPoints(): Set<string> {
  try {
    return new Set(
      readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[4])
        .filter((p): p is string => !!p)
        .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))),
    );
  } catch {
    return new Set();
  }
}

/**
 * Removes workspace directories (`mappa-sbx-<kind>-<pid>-*`) left by processes that were killed before they could
 * clean up, unmounting their tmpfs first (a mounted tmpfs would otherwise keep its RAM until reboot).
 */
export async function sweepStaleWorkspaces(root: string): Promise<number> {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return 0;
  }
  const mounts = mountPoints();
  let removed = 0;
  for (const name of names) {
    const m = /^mappa-sbx-(?:run|ws)-(\d+)-/.exec(name);
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    const dir = join(root, name);
    if ((await removeWorkspaceDir(dir, mounts.has(dir))) === undefined) removed++;
  }
  return removed;
}
