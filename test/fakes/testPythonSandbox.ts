/**
 * TEST-ONLY sandbox: runs /usr/bin/python3 in a temporary folder with a wall-clock limit. When bubblewrap is installed
 * (CI installs it) the code runs inside `bwrap` with only /usr, /etc and the workspace visible, so tests can check
 * that agent code cannot reach files outside the workspace. It is not a security boundary for real runs: pipelines
 * use the `bubblewrap` sandbox plugin.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { RunCodeRequest, RunCodeResponse, Sandbox, SandboxWorkspace } from '../../core/contracts/Sandbox.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';

export const PYTHON = '/usr/bin/python3';
export const BWRAP = '/usr/bin/bwrap';
export const hasBwrap = existsSync(BWRAP);

export interface TestPythonSandboxOptions {
  /** Run inside bubblewrap (default: when /usr/bin/bwrap exists). */
  readonly isolate?: boolean;
  /** Hide `openWorkspace` to exercise the stateless upload/fetch path. */
  readonly stateless?: boolean;
}

function exec(dir: string, code: string, timeoutS: number, isolate: boolean, stdin?: string): Promise<RunCodeResponse> {
  const env = { PATH: '/usr/bin:/bin', HOME: '/tmp', PYTHONDONTWRITEBYTECODE: '1', OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MPLBACKEND: 'Agg' };
  const [cmd, args] = isolate
    ? [
        BWRAP,
        [
          '--unshare-all', '--die-with-parent', '--new-session',
          '--ro-bind', '/usr', '/usr', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/bin', '/bin',
          '--ro-bind', '/etc', '/etc', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
          '--bind', dir, '/workspace', '--chdir', '/workspace',
          PYTHON, '-c', code,
        ],
      ]
    : [PYTHON, ['-c', code]];
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd as string, args as string[], { cwd: dir, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Kill the whole process group: grandchildren holding the pipes would otherwise keep us waiting.
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutS * 1000);
    child.stdin.end(stdin ?? '');
    child.on('close', (code) => {
      clearTimeout(timer);
      const executionTime = (performance.now() - t0) / 1000;
      const status = timedOut ? 'TimeLimitExceeded' : code === 0 ? 'Finished' : 'Error';
      resolve({ status: 'Success', message: '', runResult: { status, returnCode: timedOut ? null : code, stdout, stderr, executionTime }, files: {} });
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ status: 'SandboxError', message: err.message, files: {} });
    });
  });
}

async function fetch(dir: string, patterns: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  for (const p of patterns) {
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    for (const n of names) if (re.test(n)) out[n] = (await readFile(join(dir, n))).toString('base64');
  }
  return out;
}

class TestPythonSandboxImpl {
  readonly name = 'test-python';
  readonly #isolate: boolean;
  readonly #dirs = new Set<string>();

  constructor(options: TestPythonSandboxOptions) {
    this.#isolate = options.isolate ?? hasBwrap;
  }

  async #tmp(): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'mappa-testsb-'));
    this.#dirs.add(d);
    return d;
  }

  async run(req: RunCodeRequest): Promise<RunCodeResponse> {
    const dir = await this.#tmp();
    try {
      for (const [rel, b64] of Object.entries(req.files ?? {})) {
        await mkdir(dirname(join(dir, rel)), { recursive: true });
        await writeFile(join(dir, rel), Buffer.from(b64, 'base64'));
      }
      const res = await exec(dir, req.code, req.runTimeout ?? 30, this.#isolate, req.stdin);
      return { ...res, files: await fetch(dir, req.fetchFiles ?? []) };
    } finally {
      await rm(dir, { recursive: true, force: true });
      this.#dirs.delete(dir);
    }
  }

  async openWorkspace(options?: { readonly seedFiles?: Readonly<Record<string, Uint8Array>> }): Promise<SandboxWorkspace> {
    const seed = options?.seedFiles ?? {};
    const dir = await this.#tmp();
    for (const [rel, bytes] of Object.entries(seed)) await writeFile(join(dir, rel), bytes);
    return {
      hostDir: dir,
      run: (req) => exec(dir, req.code, req.runTimeout ?? 30, this.#isolate, req.stdin),
      close: async () => {
        await rm(dir, { recursive: true, force: true });
        this.#dirs.delete(dir);
      },
    };
  }

  async dispose(): Promise<void> {
    for (const d of this.#dirs) await rm(d, { recursive: true, force: true });
    this.#dirs.clear();
  }
}

/** Creates the test-only sandbox; `stateless: true` leaves out `openWorkspace`. */
export function createTestPythonSandbox(options: TestPythonSandboxOptions = {}): Sandbox {
  const impl = new TestPythonSandboxImpl(options);
  return {
    name: impl.name,
    run: (req) => impl.run(req),
    dispose: () => impl.dispose(),
    ...(options.stateless ? {} : { openWorkspace: (o?: { readonly seedFiles?: Readonly<Record<string, Uint8Array>> }) => impl.openWorkspace(o) }),
  };
}

/** The test sandbox as a plugin (`sandbox: { use: test-python }`), for pipelines run in tests. */
export const testPythonSandboxPlugin = definePlugin({
  kind: 'sandbox',
  name: 'test-python',
  description: 'TEST ONLY: /usr/bin/python3 in a temp folder (inside bwrap when available).',
  configSchema: z.strictObject({ isolate: z.boolean().optional(), stateless: z.boolean().default(false) }),
  create: (c) => createTestPythonSandbox({ ...(c.isolate !== undefined ? { isolate: c.isolate } : {}), stateless: c.stateless }),
});
