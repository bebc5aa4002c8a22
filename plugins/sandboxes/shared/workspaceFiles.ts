import { constants, type Dirent } from 'node:fs';
import { lchown, lstat, mkdir, open, readdir, unlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { MappaError } from '../../../core/util/MappaError.js';

/*
 * Host-side access to a workspace that sandboxed code has written to. The code may have planted symlinks (to
 * /etc/shadow, to /root, to /) or FIFOs, and host code often runs as root, so nothing here follows a symlink or
 * opens anything but a regular file: every parent is checked with lstat and the last component is opened O_NOFOLLOW.
 */

/** Uid/gid that should own files the host puts in a workspace (the sandbox's unprivileged user). */
export interface FileOwner {
  readonly uid: number;
  readonly gid: number;
}

/** A normalised relative path inside a workspace; throws for absolute paths, `..` escapes and empty names. */
export function workspacePath(rel: string): string {
  const norm = posix.normalize(rel.replaceAll('\\', '/'));
  if (rel.includes('\0') || norm.startsWith('/') || norm === '.' || norm === '..' || norm.startsWith('../') || norm === '') {
    throw new MappaError(`workspace path "${rel}" is not a relative path inside the workspace`, {
      hint: 'use a path like data/train.csv (no leading /, no ..)',
    });
  }
  return norm.replace(/\/+$/, '');
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Checks (and with `create`, makes) the real directories leading to `rel`; returns false if one is not a directory. */
async function parentsAreDirectories(root: string, rel: string, create: FileOwner | boolean): Promise<boolean> {
  const parts = rel.split('/').slice(0, -1);
  let dir = root;
  for (const part of parts) {
    dir = join(dir, part);
    const st = await lstatOrUndefined(dir);
    if (st === undefined) {
      if (create === false) return false;
      await mkdir(dir, { mode: 0o755 });
      if (typeof create === 'object') await lchown(dir, create.uid, create.gid);
    } else if (!st.isDirectory()) {
      return false;
    }
  }
  return true;
}

/** Writes a file inside the workspace, replacing a planted symlink instead of writing through it. */
export async function safeWriteFile(root: string, rel: string, data: Uint8Array, owner?: FileOwner): Promise<void> {
  const path = workspacePath(rel);
  if (!(await parentsAreDirectories(root, path, owner ?? true))) {
    throw new MappaError(`cannot write ${path} in the workspace: a parent is not a directory (possibly a planted symlink)`);
  }
  const full = join(root, path);
  const st = await lstatOrUndefined(full);
  if (st?.isDirectory()) throw new MappaError(`cannot write ${path} in the workspace: it is a directory`);
  if (st && !st.isFile()) await unlink(full);
  const fh = await open(full, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    await fh.writeFile(data);
    if (owner) await fh.chown(owner.uid, owner.gid);
  } finally {
    await fh.close();
  }
}

/** Reads a regular file of the workspace; `undefined` when it is missing, a symlink, a FIFO or behind a symlink. */
export async function safeReadFile(root: string, rel: string): Promise<Buffer | undefined> {
  const path = workspacePath(rel);
  if (!(await parentsAreDirectories(root, path, false))) return undefined;
  let fh;
  try {
    fh = await open(join(root, path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    if (!(await fh.stat()).isFile()) return undefined;
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

export interface WorkspaceEntry {
  /** Relative POSIX path. */
  readonly path: string;
  readonly bytes: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/** Regular files under `root` (symlinks, FIFOs and sockets are skipped, symlinked directories are not entered). */
export async function listWorkspaceFiles(root: string, options: { readonly ignore?: (path: string) => boolean } = {}): Promise<WorkspaceEntry[]> {
  const out: WorkspaceEntry[] = [];
  const walk = async (dir: string, prefix: string) => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (options.ignore?.(rel)) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full, rel);
      else if (e.isFile()) {
        const st = await lstatOrUndefined(full).catch(() => undefined);
        if (st?.isFile()) out.push({ path: rel, bytes: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
      }
    }
  };
  await walk(root, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface WalkedUsage {
  readonly bytes: number;
  /** Entries of every kind (what an inode quota counts). */
  readonly entries: number;
  /** A path was too long to reach by name (past PATH_MAX): data there would be invisible to any path-based check. */
  readonly tooDeep: boolean;
}

/**
 * Bytes and entries under `root`, for workspaces without a kernel-enforced quota; stops early once above either
 * bound. A directory too deep to open by path is reported (`tooDeep`) rather than skipped.
 */
export async function walkWorkspaceUsage(root: string, stopBytes = Number.POSITIVE_INFINITY, stopEntries = Number.POSITIVE_INFINITY): Promise<WalkedUsage> {
  let bytes = 0;
  let entries = 0;
  let tooDeep = false;
  const over = () => tooDeep || bytes > stopBytes || entries > stopEntries;
  const walk = async (dir: string): Promise<void> => {
    let list: Dirent[];
    try {
      list = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENAMETOOLONG') tooDeep = true;
      return;
    }
    for (const e of list) {
      if (over()) return;
      entries++;
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) {
        try {
          bytes += (await lstat(full)).size;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENAMETOOLONG') tooDeep = true;
        }
      }
    }
  };
  await walk(root);
  return { bytes, entries, tooDeep };
}

/** Gives every entry under `root` (and `root` itself) to `owner`, without following symlinks. */
export async function chownTree(root: string, owner: FileOwner): Promise<void> {
  const visit = async (path: string, isDir: boolean): Promise<void> => {
    const st = await lstatOrUndefined(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENAMETOOLONG') return undefined;
      throw err;
    });
    if (!st) return;
    if (st && (st.uid !== owner.uid || st.gid !== owner.gid)) await lchown(path, owner.uid, owner.gid);
    if (!isDir) return;
    let list: Dirent[];
    try {
      list = await readdir(path, { withFileTypes: true });
    } catch (err) {
      // Past PATH_MAX only the sandboxed code can have made it, and its entries already belong to the sandbox user.
      if ((err as NodeJS.ErrnoException).code === 'ENAMETOOLONG') return;
      throw err;
    }
    for (const e of list) await visit(join(path, e.name), e.isDirectory());
  };
  await visit(root, true);
}

const GLOB_CHARS = /[*?[]/;

/** A glob as a regular expression over relative POSIX paths: `*` and `?` stay within a segment, `**` spans segments. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export interface CollectedFiles {
  /** Relative path → base64. */
  readonly files: Record<string, string>;
  /** Patterns or paths that were not returned, with the reason. */
  readonly skipped: string[];
}

/**
 * Reads the files named by `patterns` (exact paths or globs) as base64, never through symlinks, up to `maxBytes`
 * in total; a file that would exceed the budget is listed in `skipped` instead.
 */
export async function collectFiles(root: string, patterns: readonly string[], maxBytes: number): Promise<CollectedFiles> {
  const files: Record<string, string> = {};
  const skipped: string[] = [];
  let budget = maxBytes;
  let listing: WorkspaceEntry[] | undefined;
  const take = async (path: string) => {
    if (path in files) return;
    const data = await safeReadFile(root, path);
    if (data === undefined) {
      skipped.push(`${path}: not a regular file in the workspace`);
      return;
    }
    if (data.length > budget) {
      skipped.push(`${path}: over the ${maxBytes}-byte fetch budget`);
      return;
    }
    budget -= data.length;
    files[path] = data.toString('base64');
  };
  for (const pattern of patterns) {
    if (!GLOB_CHARS.test(pattern)) {
      let path: string;
      try {
        path = workspacePath(pattern);
      } catch {
        skipped.push(`${pattern}: not a relative path`);
        continue;
      }
      await take(path);
      continue;
    }
    listing ??= await listWorkspaceFiles(root);
    const re = globToRegExp(pattern.replace(/^\.\//, ''));
    for (const entry of listing) if (re.test(entry.path)) await take(entry.path);
  }
  return { files, skipped };
}
