import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { startFakeServer } from '../fakes/fakeOpenAIServer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mappa-cli-sbx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI in-process, returning its exit code and what it printed. */
async function cli(args: string[]) {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

describe('mappa sandbox exec', () => {
  it('prints the JSON response and exits 0 whatever the code did', async () => {
    await writeFile(join(dir, 'ok.py'), 'import sys\nprint(input()[::-1])\nsys.exit(5)');
    await writeFile(join(dir, 'in.txt'), 'abc\n');
    await writeFile(join(dir, 'data.csv'), '1,2\n');
    const r = await cli(['sandbox', 'exec', '--language', 'python', '--stdin', join(dir, 'in.txt'), '--file', `d.csv=${join(dir, 'data.csv')}`, join(dir, 'ok.py')]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({ status: 'Success', runResult: { status: 'Error', returnCode: 5, stdout: 'cba\n' } });
  });

  it('applies the limit flags and fetches files', async () => {
    await writeFile(join(dir, 'slow.py'), 'import time\nopen("o.txt", "w").write("x")\nprint("x" * 5000)\ntime.sleep(20)');
    const r = await cli(['sandbox', 'exec', '--timeout', '2', '--max-output', '1000', '--fetch', '*.txt', '--fetch', 'none.bin', '--compact', join(dir, 'slow.py')]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.runResult).toMatchObject({ status: 'TimeLimitExceeded', limitExceeded: 'wallTime', stdoutTruncated: true });
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(Buffer.from(json.files['o.txt'], 'base64').toString()).toBe('x');
  });

  it('exits 1 on a sandbox error and 2 on an invalid sandbox config', async () => {
    await writeFile(join(dir, 'x.py'), 'print(1)');
    const server = await startFakeServer(() => ({ status: 500, body: 'broken' }));
    try {
      const down = await cli(['sandbox', 'exec', '--sandbox', 'sandboxfusion', '--base-url', server.url, join(dir, 'x.py')]);
      expect(down.code).toBe(1);
      expect(JSON.parse(down.out)).toMatchObject({ status: 'SandboxError', message: expect.stringContaining('500') });
    } finally {
      await server.close();
    }
    const unsafe = await cli(['sandbox', 'exec', '--sandbox', 'local-unsafe', join(dir, 'x.py')]);
    expect(unsafe.code).toBe(2);
    expect(unsafe.err).toContain('isolation');
    const ok = await cli(['sandbox', 'exec', '--sandbox', 'local-unsafe', '--isolation', 'none', join(dir, 'x.py')]);
    expect(JSON.parse(ok.out).runResult.stdout).toBe('1\n');
    expect(ok.err).toContain('WITHOUT isolation');
  });

  it('reads the code from stdin with -', async () => {
    const entry = "import('./cli/main.ts').then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })";
    const child = promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', entry, '--', 'sandbox', 'exec', '-l', 'bash', '--compact', '-'], { cwd: process.cwd() });
    child.child.stdin!.end('echo from-stdin; exit 3\n');
    const { stdout } = await child;
    expect(JSON.parse(stdout)).toMatchObject({ status: 'Success', runResult: { status: 'Error', returnCode: 3, stdout: 'from-stdin\n' } });
  });
});
