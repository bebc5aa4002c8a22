import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBubblewrapSandbox } from '../../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.js';
import type { BubblewrapSandboxOptions } from '../../plugins/sandboxes/bubblewrap/bubblewrapSandboxPlugin.js';
import type { HostSandbox } from '../../plugins/sandboxes/shared/HostSandbox.js';
import { collectFiles, listWorkspaceFiles, safeReadFile, safeWriteFile } from '../../plugins/sandboxes/shared/workspaceFiles.js';
import { sweepStaleWorkspaces } from '../../plugins/sandboxes/shared/workspaceDirs.js';
import { lastJson, sandboxProcesses, waitFor } from './sandboxTestUtils.js';

/*
 * Hostile programs. Each must be contained and reported with a clear status. Network isolation is shown by the
 * interfaces the sandbox sees and by a host loopback service it cannot reach; nothing here sends traffic off-host.
 */

const repoRoot = process.cwd();
let workRoot: string;
const sandboxes: HostSandbox[] = [];

async function sandbox(options: BubblewrapSandboxOptions = {}): Promise<HostSandbox> {
  const sb = await createBubblewrapSandbox({ workRoot, ...options });
  sandboxes.push(sb);
  return sb;
}

beforeAll(async () => {
  workRoot = await mkdtemp(join(tmpdir(), 'mappa-sec-'));
  // As root the sandbox runs as uid 65534, which must be able to traverse the work root.
  await chmod(workRoot, 0o711);
});
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.dispose()));
  // The process the "dies with its parent" test SIGKILLs leaves its workspace tmpfs mounted; the next start sweeps it.
  await sweepStaleWorkspaces(workRoot);
  await rm(workRoot, { recursive: true, force: true });
});

describe('bubblewrap security: network', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('host secret service'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sees only its own loopback interface and no route or resolver', async () => {
    const sb = await sandbox();
    const r = await sb.run({
      language: 'python',
      code: `import json, os, socket
dev = [l.split(':')[0].strip() for l in open('/proc/net/dev').read().splitlines()[2:]]
routes = open('/proc/net/route').read().splitlines()[1:]
print(json.dumps({'ifaces': [n for _, n in socket.if_nameindex()], 'dev': dev, 'routes': routes, 'resolv': os.path.exists('/etc/resolv.conf')}))`,
    });
    expect(r.runResult?.status).toBe('Finished');
    expect(lastJson(r)).toEqual({ ifaces: ['lo'], dev: ['lo'], routes: [], resolv: false });
  });

  it('cannot reach a service on the host loopback (the host can)', async () => {
    const fromHost = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(fromHost).toBe('host secret service');
    const sb = await sandbox();
    const r = await sb.run({
      language: 'python',
      code: `import json, socket
out = {}
for host in ['127.0.0.1', '::1']:
    try:
        socket.create_connection((host, ${port}), timeout=2).close(); out[host] = 'connected'
    except OSError as e:
        out[host] = type(e).__name__
print(json.dumps(out))`,
    });
    const out = lastJson(r);
    expect(out['127.0.0.1']).toBe('ConnectionRefusedError');
    expect(out['::1']).not.toBe('connected');
  });
});

describe('bubblewrap security: filesystem', () => {
  it('cannot read /etc/shadow, /root, home directories or the repository', async () => {
    const sb = await sandbox();
    const r = await sb.run({
      language: 'python',
      code: `import json, os
out = {}
for p in ['/etc/shadow', '/root', '/home', ${JSON.stringify(repoRoot)}, ${JSON.stringify(join(repoRoot, 'package.json'))}, '/work', '/var', '/etc/ssh']:
    try:
        (os.listdir if os.path.isdir(p) else (lambda q: open(q).read()))(p); out[p] = 'READ'
    except OSError as e:
        out[p] = type(e).__name__
out['etc'] = sorted(os.listdir('/etc'))
print(json.dumps(out))`,
    });
    const out = lastJson(r);
    for (const p of ['/etc/shadow', '/root', '/home', repoRoot, join(repoRoot, 'package.json'), '/work', '/var', '/etc/ssh']) {
      expect(out[p], p).toBe('FileNotFoundError');
    }
    expect(out.etc).toEqual(['alternatives', 'group', 'hosts', 'ld.so.cache', 'passwd']);
  });

  it('cannot write outside the workspace; /tmp is private', async () => {
    const sb = await sandbox();
    const marker = `mappa-escape-${process.pid}-${Date.now()}`;
    const r = await sb.run({
      language: 'python',
      code: `import json
out = {}
for p in ['/${marker}', '/usr/${marker}', '/etc/${marker}', '/code/${marker}', '/proc/sys/kernel/hostname', '/tmp/${marker}', '/workspace/ok.txt']:
    try:
        open(p, 'w').write('x'); out[p] = 'written'
    except OSError as e:
        out[p] = type(e).__name__
print(json.dumps(out))`,
      fetchFiles: ['ok.txt'],
    });
    const out = lastJson(r);
    for (const p of [`/${marker}`, `/usr/${marker}`, `/etc/${marker}`, `/code/${marker}`, '/proc/sys/kernel/hostname']) expect(out[p], p).not.toBe('written');
    expect(out[`/tmp/${marker}`]).toBe('written');
    expect(out['/workspace/ok.txt']).toBe('written');
    await expect(readFile(join(tmpdir(), marker))).rejects.toThrow();
    await expect(readFile(join('/', marker))).rejects.toThrow();
    expect(Buffer.from(r.files['ok.txt'] ?? '', 'base64').toString()).toBe('x');
  });

  it('a symlink planted in the workspace leads nowhere, inside or on the host side', async () => {
    const hostDir = await mkdtemp(join(tmpdir(), 'mappa-victim-'));
    const victim = join(hostDir, 'victim.txt');
    await writeFile(victim, 'host-only');
    try {
      const sb = await sandbox();
      const ws = await sb.openWorkspace();
      const plant = await ws.run({
        language: 'python',
        code: `import os
os.symlink('/etc/shadow', 'shadow')
os.symlink(${JSON.stringify(victim)}, 'victim.txt')
os.symlink(${JSON.stringify(hostDir)}, 'victimdir')
os.symlink('/', 'hostroot')
os.mkfifo('fifo')
open('real.txt', 'w').write('mine')`,
      });
      expect(plant.runResult?.status).toBe('Finished');
      const inside = await ws.run({
        language: 'python',
        code: `import json
out = {}
for p in ['shadow', 'victim.txt', 'victimdir/victim.txt', 'hostroot/etc/shadow']:
    try:
        out[p] = open(p).read()
    except OSError as e:
        out[p] = type(e).__name__
print(json.dumps(out))`,
      });
      expect(lastJson(inside)).toEqual({ shadow: 'FileNotFoundError', 'victim.txt': 'FileNotFoundError', 'victimdir/victim.txt': 'FileNotFoundError', 'hostroot/etc/shadow': 'FileNotFoundError' });
      // Host side (as root): reading, listing and writing never follow the planted links.
      expect(await safeReadFile(ws.hostDir, 'victim.txt')).toBeUndefined();
      expect(await safeReadFile(ws.hostDir, 'victimdir/victim.txt')).toBeUndefined();
      expect(await safeReadFile(ws.hostDir, 'fifo')).toBeUndefined();
      expect((await listWorkspaceFiles(ws.hostDir)).map((f) => f.path)).toEqual(['real.txt']);
      const fetched = await collectFiles(ws.hostDir, ['victim.txt', 'victimdir/*', 'hostroot/etc/shadow', '**'], 1 << 20);
      expect(Object.keys(fetched.files)).toEqual(['real.txt']);
      await safeWriteFile(ws.hostDir, 'victim.txt', Buffer.from('replaced'));
      await expect(safeWriteFile(ws.hostDir, 'victimdir/new.txt', Buffer.from('x'))).rejects.toThrow(/not a directory/);
      expect(await readFile(victim, 'utf8')).toBe('host-only');
      expect(await readdir(hostDir)).toEqual(['victim.txt']);
      expect((await safeReadFile(ws.hostDir, 'victim.txt'))?.toString()).toBe('replaced');
      await ws.close();
    } finally {
      await rm(hostDir, { recursive: true, force: true });
    }
  });

  it('stateless runs do not return symlinked files', async () => {
    const sb = await sandbox();
    const r = await sb.run({ language: 'bash', code: 'ln -s /etc/passwd out.txt; echo hi > real.txt', fetchFiles: ['out.txt', '*.txt'] });
    expect(Object.keys(r.files)).toEqual(['real.txt']);
    expect(r.message).toContain('out.txt');
  });
});

describe('bubblewrap security: resources', () => {
  it('a fork bomb stops at the process limit without starving another sandbox', async () => {
    const bomb = await sandbox({ maxProcesses: 16 });
    const other = await sandbox({ maxProcesses: 16 });
    const [b, o] = await Promise.all([
      bomb.run({
        language: 'python',
        runTimeout: 8,
        code: `import os, time, json
n = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(30); os._exit(0)
        n += 1
except OSError as e:
    err = e.errno
time.sleep(1.5)
print(json.dumps({'forks': n, 'errno': err}))`,
      }),
      new Promise((r) => setTimeout(r, 400)).then(() =>
        other.run({ language: 'python', code: 'import os\nfor i in range(8):\n    pid = os.fork()\n    if pid == 0: os._exit(0)\n    os.waitpid(pid, 0)\nprint("forked 8")' }),
      ),
    ]);
    expect(b.runResult?.status).toBe('Finished');
    const out = lastJson(b);
    expect(out.errno).toBe(11);
    expect(out.forks).toBeLessThan(16);
    expect(o.runResult?.stdout.trim()).toBe('forked 8');
    expect(await waitFor(() => sandboxProcesses(bomb.instanceId).length === 0, 3000)).toBe(true);
  });

  it('a memory bomb gets MemoryError at the address-space limit', async () => {
    const sb = await sandbox({ memoryLimitMb: 256 });
    const r = await sb.run({ language: 'python', code: 'chunks = []\nwhile True:\n    chunks.append(bytearray(32 * 1024 * 1024))' });
    expect(r.status).toBe('Success');
    expect(r.runResult?.status).toBe('Error');
    expect(r.runResult?.stderr).toContain('MemoryError');
    const big = await sb.run({ language: 'python', code: 'x = bytearray(2 * 1024**3)', memoryLimitMb: 128 });
    expect(big.runResult?.stderr).toContain('MemoryError');
  });

  it('a CPU spin is stopped by the CPU-time limit', async () => {
    const sb = await sandbox({ cpuTimeLimit: 1, runTimeout: 20 });
    const t0 = Date.now();
    const r = await sb.run({ language: 'python', code: 'while True:\n    pass' });
    expect(r.runResult?.status).toBe('TimeLimitExceeded');
    expect(r.runResult?.limitExceeded).toBe('cpuTime');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('sleeping past the timeout with grandchildren and setsid children: killed promptly, nothing left', async () => {
    const sb = await sandbox();
    const t0 = Date.now();
    const r = await sb.run({
      language: 'python',
      runTimeout: 2,
      code: `import os, subprocess, time
subprocess.Popen(['sleep', '60'])
subprocess.Popen(['sleep', '60'], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(60)
    os._exit(0)
print('spawned')
time.sleep(60)`,
    });
    const elapsed = Date.now() - t0;
    expect(r.runResult?.status).toBe('TimeLimitExceeded');
    expect(r.runResult?.limitExceeded).toBe('wallTime');
    expect(r.runResult?.stdout).toContain('spawned');
    expect(elapsed).toBeLessThan(6000);
    expect(await waitFor(() => sandboxProcesses(sb.instanceId).length === 0, 2000)).toBe(true);
  });

  it('an output flood is capped with a visible marker', async () => {
    const sb = await sandbox({ maxOutputBytes: 4096 });
    const r = await sb.run({ language: 'python', code: "import sys\nsys.stdout.write('A' * 20_000_000 + 'END')\nsys.stderr.write('E' * 5_000_000 + 'ERR')" });
    expect(r.runResult?.status).toBe('Finished');
    expect(r.runResult?.stdoutTruncated).toBe(true);
    expect(r.runResult?.stderrTruncated).toBe(true);
    expect(r.runResult!.stdout.length).toBeLessThan(4200);
    expect(r.runResult?.stdout).toMatch(/output truncated: \d+ bytes omitted/);
    expect(r.runResult?.stdout.endsWith('END')).toBe(true);
    expect(r.runResult?.stderr.endsWith('ERR')).toBe(true);
  });

  it('disk fill: file size limit, size-capped /tmp and the workspace quota', async () => {
    const sb = await sandbox({ maxFileSizeMb: 1, tmpSizeMb: 4, maxWorkspaceMb: 3 });
    const files = await sb.run({
      language: 'python',
      code: `import json
out = {}
for p in ['big.bin', '/tmp/big.bin']:
    try:
        with open(p, 'wb') as f:
            for _ in range(64): f.write(b'x' * 65536)
        out[p] = 'ok'
    except OSError as e:
        out[p] = e.errno
try:
    for i in range(8):
        with open(f'/tmp/f{i}', 'wb') as f: f.write(b'x' * 900_000)
    out['tmpfill'] = 'ok'
except OSError as e:
    out['tmpfill'] = e.errno
print(json.dumps(out))`,
    });
    expect(lastJson(files)).toEqual({ 'big.bin': 27, '/tmp/big.bin': 27, tmpfill: 28 });
    const t0 = Date.now();
    const quota = await sb.run({ language: 'python', code: "import time\nfor i in range(8):\n    open(f'f{i}.bin', 'wb').write(b'x' * 900_000)\ntime.sleep(30)" });
    expect(quota.runResult?.status).toBe('Error');
    expect(quota.runResult?.limitExceeded).toBe('workspaceQuota');
    expect(quota.runResult?.stderr).toContain('quota');
    expect(Date.now() - t0).toBeLessThan(8000);
  });
});

describe('bubblewrap security: environment and processes', () => {
  it('sees no host secrets in its environment; only passEnv variables pass', async () => {
    process.env.MAPPA_TEST_SECRET_TOKEN = 'sk-secret-value-123';
    process.env.MAPPA_TEST_ALLOWED = 'allowed-value';
    try {
      const sb = await sandbox({ passEnv: ['MAPPA_TEST_ALLOWED'], env: { EXTRA: '1' } });
      const r = await sb.run({ language: 'python', code: 'import os, json\nprint(json.dumps(dict(os.environ)))' });
      const env = lastJson(r);
      expect(env.MAPPA_TEST_SECRET_TOKEN).toBeUndefined();
      expect(JSON.stringify(env)).not.toContain('sk-secret-value-123');
      expect(env.MAPPA_TEST_ALLOWED).toBe('allowed-value');
      expect(env.EXTRA).toBe('1');
      for (const key of Object.keys(process.env)) {
        if (!['PATH', 'HOME', 'LANG', 'LC_ALL', 'USER', 'LOGNAME', 'TMPDIR', 'PWD', 'MAPPA_TEST_ALLOWED'].includes(key) && !/_THREADS$|^PYTHON|^MPL/.test(key)) {
          expect(env[key], key).toBeUndefined();
        }
      }
    } finally {
      delete process.env.MAPPA_TEST_SECRET_TOKEN;
      delete process.env.MAPPA_TEST_ALLOWED;
    }
  });

  it('sees only its own processes in /proc and inherits no host descriptors', async () => {
    const sb = await sandbox();
    const r = await sb.run({
      language: 'python',
      code: `import json, os
procs = {p: open(f'/proc/{p}/cmdline').read().replace('\\0', ' ') for p in os.listdir('/proc') if p.isdigit()}
fds = {}
for f in os.listdir('/proc/self/fd'):
    try: fds[f] = os.readlink('/proc/self/fd/' + f)
    except OSError: pass
print(json.dumps({'procs': procs, 'fds': fds, 'uid': os.getuid()}))`,
    });
    const out = lastJson(r);
    expect(Object.keys(out.procs).length).toBeLessThanOrEqual(3);
    expect(Object.values(out.procs).join(' ')).not.toMatch(/vitest|node /);
    for (const [fd, target] of Object.entries(out.fds)) if (Number(fd) > 2) expect(target, `fd ${fd}`).toMatch(/^\/dev\/null$|^\/proc\//);
    expect(out.uid).not.toBe(0);
  });

  it('trying to kill its parent, init or everything leaves the host untouched', async () => {
    const sb = await sandbox();
    const r = await sb.run({
      language: 'python',
      code: `import os, signal, json
out = {}
for name, pid in [('parent', os.getppid()), ('init', 1), ('host', ${process.pid}), ('all', -1)]:
    try:
        os.kill(pid, signal.SIGKILL); out[name] = 'sent'
    except OSError as e:
        out[name] = type(e).__name__
print(json.dumps(out))`,
    });
    expect(r.runResult?.status).toBe('Finished');
    const out = lastJson(r);
    expect(out.host).toBe('ProcessLookupError');
    expect(out.parent).toBeDefined();
    const again = await sb.run({ language: 'bash', code: 'echo still-working' });
    expect(again.runResult?.stdout.trim()).toBe('still-working');
  });

  it('dies with its parent: killing the Node process that started it leaves no sandbox process', async () => {
    const { spawn } = await import('node:child_process');
    const script = join(import.meta.dirname, 'fixtures', 'runForever.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, MAPPA_WORK_ROOT: workRoot } });
    try {
      const instanceId = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout!.on('data', (c: Buffer) => {
          buf += c.toString();
          const m = /instance (\S+)/.exec(buf);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
      });
      expect(await waitFor(() => sandboxProcesses(instanceId).length >= 3, 15_000)).toBe(true);
      child.kill('SIGKILL');
      expect(await waitFor(() => sandboxProcesses(instanceId).length === 0, 5000)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('bubblewrap: a burst of concurrent executions', () => {
  it('50 concurrent runs succeed and leave no orphan process and no temp directory', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mappa-burst-'));
    await chmod(root, 0o711);
    try {
      const sb = await createBubblewrapSandbox({ workRoot: root });
      const runs = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          sb.run({
            language: i % 5 === 0 ? 'bash' : 'python',
            code: i % 5 === 0 ? `sleep 30 & echo run-${i}` : `import subprocess\nsubprocess.Popen(['sleep', '30'])\nprint('run-${i}')`,
            files: { 'in.txt': Buffer.from(String(i)).toString('base64') },
          }),
        ),
      );
      runs.forEach((r, i) => expect(r.runResult?.stdout.trim(), `run ${i}`).toBe(`run-${i}`));
      expect(await waitFor(() => sandboxProcesses(sb.instanceId).length === 0, 3000)).toBe(true);
      expect(await readdir(root)).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
