import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Records every fsync with the path it was opened for, so the test sees the order of syncs and renames.
const events: string[] = [];
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    open: async (path: string, flags: string) => {
      const handle = await real.open(path, flags);
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        events.push(`sync ${String(path)}`);
        return sync();
      };
      return handle;
    },
    rename: async (from: string, to: string) => {
      events.push(`rename ${String(to)}`);
      return real.rename(from, to);
    },
  };
});

const { atomicWriteDir, atomicWriteFile } = await import('../../core/util/atomicWrite.js');

describe('atomicWriteFile / atomicWriteDir', () => {
  let dir = '';
  afterEach(async () => {
    events.length = 0;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fsyncs the temp file before the rename and the directory after it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mappa-atomic-'));
    const target = join(dir, 'a.json');
    await atomicWriteFile(target, '{"x":1}');
    expect(await readFile(target, 'utf8')).toBe('{"x":1}');
    expect(events).toHaveLength(3);
    expect(events[0]).toMatch(new RegExp(`^sync ${target}\\.tmp-`));
    expect(events[1]).toBe(`rename ${target}`);
    expect(events[2]).toBe(`sync ${dir}`);
    expect((await readdir(dir)).sort()).toEqual(['a.json']);
  });

  it('fsyncs a filled directory and its parent around the swap', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mappa-atomic-'));
    const target = join(dir, 'ckpt');
    await atomicWriteDir(target, async () => {});
    expect(events.at(-2)).toBe(`rename ${target}`);
    expect(events.at(-1)).toBe(`sync ${dir}`);
    expect(events.some((e) => /^sync .*ckpt\.tmp-/.test(e))).toBe(true);
  });
});
