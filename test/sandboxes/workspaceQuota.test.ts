import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { createBubblewrapSandbox } from '../../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.js';
import type { BubblewrapSandboxOptions } from '../../plugins/sandboxes/bubblewrap/bubblewrapSandboxPlugin.js';
import type { HostSandbox } from '../../plugins/sandboxes/shared/HostSandbox.js';

/*
 * Issue 18 item 1: quotas that deep paths cannot escape. Agent code nests directories past PATH_MAX (where a host
 * walker that uses absolute paths gets ENAMETOOLONG) and writes there; it must still hit the disk quota, the file
 * count quota must hold, the workspace must be gone from the host afterwards and the host path must not show inside.
 */

let workRoot: string;
const sandboxes: HostSandbox[] = [];
async function sandbox(options: BubblewrapSandboxOptions = {}): Promise<HostSandbox> {
  const sb = await createBubblewrapSandbox({ workRoot, ...options });
  sandboxes.push(sb);
  return sb;
}
beforeAll(async () => {
  workRoot = await mkdtemp(join(tmpdir(), 'mappa-quota-'));
  await chmod(workRoot, 0o711);
});
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.dispose()));
  await rm(workRoot, { recursive: true, force: true });
});

const DEEP_WRITE = (mb: number) => `import os
name = 'd' * 200
for _ in range(25):
    os.mkdir(name)
    os.chdir(name)
written = 0
try:
    with open('blob', 'wb') as f:
        for _ in range(${mb}):
            f.write(b'x' * (1 << 20))
            written += 1
except OSError as e:
    print('stopped', e.errno)
print('written', written)
`;

describe('workspace quota against deep paths (issue 18 item 1)', () => {
  it('a write past PATH_MAX depth hits the disk quota and leaves nothing on the host', async () => {
    const sb = await sandbox({ maxWorkspaceMb: 4 });
    const ws = await sb.openWorkspace!();
    const r = await ws.run({ language: 'python', code: DEEP_WRITE(12) });
    expect(r.status).toBe('Success');
    expect(r.runResult?.limitExceeded).toBe('workspaceQuota');
    expect(r.runResult?.status).toBe('Error');
    const dir = ws.hostDir;
    await ws.close();
    expect(existsSync(dir)).toBe(false);
    expect(await readdir(workRoot)).toEqual([]);
  });

  it('a stateless run that writes deep is cleaned up and reports the quota', async () => {
    const sb = await sandbox({ maxWorkspaceMb: 4 });
    const r = await sb.run({ language: 'python', code: DEEP_WRITE(12) });
    expect(r.status).toBe('Success');
    expect(r.runResult?.limitExceeded).toBe('workspaceQuota');
    expect(await readdir(workRoot)).toEqual([]);
  });

  it('without a tmpfs (workspaceFs: directory) deep paths are reported and removed too', async () => {
    const sb = await sandbox({ maxWorkspaceMb: 4, workspaceFs: 'directory' });
    const ws = await sb.openWorkspace!();
    const r = await ws.run({ language: 'python', code: DEEP_WRITE(1) });
    expect(r.runResult?.limitExceeded).toBe('workspaceQuota');
    expect(r.runResult?.stderr).toContain('PATH_MAX');
    await ws.close();
    expect(await readdir(workRoot)).toEqual([]);
  });

  it('the number of files is bounded (inode quota)', async () => {
    const sb = await sandbox({ maxWorkspaceFiles: 300 });
    const r = await sb.run({ language: 'python', code: `import os\nn = 0\ntry:\n    for i in range(2000):\n        open(f'f{i}', 'w').close(); n += 1\nexcept OSError as e:\n    print('stopped', e.errno)\nprint(n)` });
    expect(r.status).toBe('Success');
    expect(r.runResult?.limitExceeded).toBe('workspaceFiles');
    expect(Number(r.runResult?.stdout.trim().split('\n').at(-1))).toBeLessThan(2000);
    expect(await readdir(workRoot)).toEqual([]);
  });

  it('a workspace tmpfs left mounted by a killed process is unmounted and removed at the next start', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const leftover = join(workRoot, `mappa-sbx-ws-${dead}-left`);
    await mkdir(leftover);
    await promisify(execFile)('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'mappa-workspace', leftover]);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(leftover);
    const sb = await createBubblewrapSandbox({ workRoot });
    sandboxes.push(sb);
    const ws = await sb.openWorkspace!();
    expect(existsSync(leftover)).toBe(false);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(leftover);
    await ws.close();
  });

  it('/proc/self/mountinfo does not show the host workspace path', async () => {
    const sb = await sandbox();
    const ws = await sb.openWorkspace!();
    const r = await ws.run({ language: 'bash', code: 'cat /proc/self/mountinfo' });
    expect(r.runResult?.status).toBe('Finished');
    expect(r.runResult?.stdout).toContain('/workspace');
    expect(r.runResult?.stdout).not.toContain(workRoot);
    expect(r.runResult?.stdout).not.toContain('mappa-sbx');
    await ws.close();
  });

  it('mappa sandbox exec answers with JSON naming the limit hit', async () => {
    const file = join(workRoot, '..', `deep-${process.pid}.py`);
    await writeFile(file, DEEP_WRITE(12));
    let out = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let code: number;
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = workRoot; // the CLI's sandbox makes its run directory under os.tmpdir()
    try {
      code = await main(['sandbox', 'exec', '--language', 'python', '--max-workspace', '4', file]);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
      o.mockRestore();
      e.mockRestore();
      process.exitCode = undefined;
      await rm(file, { force: true });
    }
    expect(code).toBe(0);
    expect(JSON.parse(out).runResult.limitExceeded).toBe('workspaceQuota');
    expect(await readdir(workRoot)).toEqual([]);
  });
});
