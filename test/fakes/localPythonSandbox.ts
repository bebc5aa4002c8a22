import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { RunCodeRequest, RunCodeResponse, Sandbox } from '../../core/contracts/Sandbox.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';

/**
 * TEST ONLY, no isolation: runs `/usr/bin/python3` in a temporary directory with a wall-clock timeout that kills the
 * process group. Stands in for the bubblewrap sandbox (another branch) in MathChat tests; counts its runs.
 */
export class LocalPythonSandbox implements Sandbox {
  readonly name = 'test-python';
  runs = 0;
  readonly codes: string[] = [];

  async run(req: RunCodeRequest): Promise<RunCodeResponse> {
    this.runs++;
    this.codes.push(req.code);
    if (req.language !== 'python') return { status: 'SandboxError', message: `test sandbox runs python only, not ${req.language}`, files: {} };
    const dir = await mkdtemp(join(tmpdir(), 'mappa-testpy-'));
    try {
      await writeFile(join(dir, 'main.py'), req.code);
      const t0 = performance.now();
      const child = spawn('/usr/bin/python3', ['main.py'], { cwd: dir, detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin.end(req.stdin ?? '');
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, (req.runTimeout ?? 10) * 1000);
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      clearTimeout(timer);
      const executionTime = (performance.now() - t0) / 1000;
      const status = timedOut ? 'TimeLimitExceeded' : code === 0 ? 'Finished' : 'Error';
      return { status: 'Success', message: '', runResult: { status, returnCode: timedOut ? null : code, stdout, stderr, executionTime }, files: {} };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** Plugin wrapper so pipelines in tests can say `sandbox: { use: test-python }`. */
export function localPythonSandboxPlugin(shared: LocalPythonSandbox = new LocalPythonSandbox()) {
  return definePlugin({
    kind: 'sandbox',
    name: 'test-python',
    description: 'test only: unsandboxed /usr/bin/python3 with a timeout',
    configSchema: z.strictObject({}),
    create: () => shared,
  });
}
