import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { writeFile, rm, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { WarmStartExecutor, WarmStartJobResult } from '../core/runner/WarmStartExecutor.js';
import { MappaError } from '../core/util/MappaError.js';
import { packageRoot } from '../core/util/packageRoot.js';
import { ownedTempPrefix, sweepStaleTempDirs } from '../core/util/staleTempDirs.js';

/**
 * Runs each policy's warm start in its own `mappa internal-warm-start` child process, as many at once as there are
 * CPU cores (TensorFlow.js's wasm backend trains on one thread per process). `MAPPA_WARMSTART_PARALLEL` overrides.
 */
export function childProcessWarmStartExecutor(o: { runDir: string; signal: AbortSignal }): WarmStartExecutor {
  // Job folders of runs that were killed (SIGKILL runs no cleanup).
  void sweepStaleTempDirs('warmjob');
  const fromEnv = Number(process.env['MAPPA_WARMSTART_PARALLEL']);
  const parallelism = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.max(1, availableParallelism());
  return {
    parallelism,
    async run(job, onProgress) {
      const dir = await mkdtemp(ownedTempPrefix('warmjob'));
      const jobFile = join(dir, 'job.json');
      await writeFile(jobFile, JSON.stringify(job));
      try {
        return await new Promise<WarmStartJobResult>((resolve, reject) => {
          const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'mappa.js'), 'internal-warm-start', '--run-dir', o.runDir, '--job', jobFile], {
            // The child watches its stdin: when this process dies (even by SIGKILL) the pipe closes and it exits.
            stdio: ['pipe', 'pipe', 'pipe'],
            env: { ...process.env, MAPPA_WARMSTART_CHILD: '1' },
          });
          const onAbort = () => child.kill('SIGTERM');
          o.signal.addEventListener('abort', onAbort, { once: true });
          let result: WarmStartJobResult | undefined;
          let stderr = '';
          child.stderr.on('data', (c: Buffer) => {
            stderr = (stderr + c.toString()).slice(-4000);
          });
          createInterface({ input: child.stdout }).on('line', (line) => {
            try {
              const msg = JSON.parse(line) as { done?: number; total?: number; result?: WarmStartJobResult };
              if (msg.result) result = msg.result;
              else if (msg.done !== undefined && msg.total !== undefined) onProgress(msg.done, msg.total);
            } catch {
              /* not a protocol line */
            }
          });
          child.stdin.on('error', () => undefined);
          child.on('error', (err) => reject(err));
          child.on('close', (code, sig) => {
            o.signal.removeEventListener('abort', onAbort);
            if (code === 0 && result) resolve(result);
            else reject(new MappaError(`warm start of policy "${job.policyId}" failed in its child process (${sig ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
          });
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
