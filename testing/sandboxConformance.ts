import { describe, expect, it } from 'vitest';
import { contractProblems } from '../core/plugins/pluginContracts.js';
import type { Sandbox } from '../core/contracts/Sandbox.js';

export interface SandboxConformanceOptions {
  readonly create: () => Promise<Sandbox>;
  /** Languages to check (default: python). */
  readonly languages?: ReadonlyArray<'python' | 'node' | 'bash'>;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function describeSandboxConformance(name: string, o: SandboxConformanceOptions): void {
  describe(`Sandbox conformance: ${name}`, () => {
    it('runs python and reports stdout, stderr and the return code', async () => {
      const sb = await o.create();
      expect(contractProblems('sandbox', sb)).toEqual([]);
      const ok = await sb.run({ code: 'print(6*7)', language: 'python' });
      expect(ok.status).toBe('Success');
      expect(ok.runResult?.status).toBe('Finished');
      expect(ok.runResult?.stdout.trim()).toBe('42');
      expect(ok.runResult?.returnCode).toBe(0);
      const bad = await sb.run({ code: 'import sys\nprint("oops", file=sys.stderr)\nsys.exit(3)', language: 'python' });
      expect(bad.status).toBe('Success');
      expect(bad.runResult?.status).toBe('Error');
      expect(bad.runResult?.returnCode).toBe(3);
      expect(bad.runResult?.stderr).toContain('oops');
      await sb.dispose?.();
    });

    it('reports a time limit', async () => {
      const sb = await o.create();
      const r = await sb.run({ code: 'import time\ntime.sleep(30)', language: 'python', runTimeout: 1 });
      expect(r.runResult?.status).toBe('TimeLimitExceeded');
      expect(r.runResult!.executionTime).toBeLessThan(10);
      await sb.dispose?.();
    });

    it('takes input files and fetches output files', async () => {
      const sb = await o.create();
      const r = await sb.run({
        code: 'data = open("in.txt").read()\nopen("out.txt", "w").write(data.upper())',
        language: 'python',
        files: { 'in.txt': b64('hello') },
        fetchFiles: ['out.txt'],
      });
      expect(r.runResult?.status).toBe('Finished');
      expect(Buffer.from(r.files['out.txt'] ?? '', 'base64').toString()).toBe('HELLO');
      await sb.dispose?.();
    });

    it('reports a syntax error as the code failing, not the sandbox', async () => {
      const sb = await o.create();
      const r = await sb.run({ code: 'def broken(:\n  pass', language: 'python' });
      expect(r.status).toBe('Success');
      expect(r.runResult?.status).toBe('Error');
      expect(r.runResult?.returnCode).not.toBe(0);
      expect(r.runResult?.stderr).toContain('SyntaxError');
      await sb.dispose?.();
    });

    it('places input files in subdirectories and fetches files from them', async () => {
      const sb = await o.create();
      const r = await sb.run({
        code: 'import os\nos.makedirs("out", exist_ok=True)\nopen("out/r.txt", "w").write(open("data/in.txt").read() * 2)',
        language: 'python',
        files: { 'data/in.txt': b64('ab') },
        fetchFiles: ['out/r.txt'],
      });
      expect(r.runResult?.status).toBe('Finished');
      expect(Buffer.from(r.files['out/r.txt'] ?? '', 'base64').toString()).toBe('abab');
      await sb.dispose?.();
    });

    it('passes stdin', async () => {
      const sb = await o.create();
      const r = await sb.run({ code: 'print(input()[::-1])', language: 'python', stdin: 'abc\n' });
      expect(r.runResult?.stdout.trim()).toBe('cba');
      await sb.dispose?.();
    });

    it('keeps files across calls in a workspace', async () => {
      const sb = await o.create();
      if (!sb.openWorkspace) return;
      const ws = await sb.openWorkspace();
      try {
        await ws.run({ code: 'open("a.txt", "w").write("1")', language: 'python' });
        const r = await ws.run({ code: 'print(open("a.txt").read())', language: 'python' });
        expect(r.runResult?.stdout.trim()).toBe('1');
        // The host side sees the same files without a base64 round-trip.
        const { readFile } = await import('node:fs/promises');
        const { join } = await import('node:path');
        expect(await readFile(join(ws.hostDir, 'a.txt'), 'utf8')).toBe('1');
      } finally {
        await ws.close();
        await sb.dispose?.();
      }
    });

    for (const lang of o.languages ?? []) {
      if (lang === 'python') continue;
      it(`runs ${lang}`, async () => {
        const sb = await o.create();
        const code = lang === 'node' ? 'console.log(6*7)' : 'echo $((6*7))';
        const r = await sb.run({ code, language: lang });
        expect(r.runResult?.stdout.trim()).toBe('42');
        await sb.dispose?.();
      });
    }
  });
}
