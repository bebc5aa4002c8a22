import { availableParallelism } from 'node:os';
import { writeFile, rm, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { WarmStartExecutor, WarmStartJobResult } from '../core/runner/WarmStartExecutor.js';
import { MappaError } from '../core/util/MappaError.js';
import { packageRoot } from '../core/util/packageRoot.js';
import { ownedTempPrefix, sweepStaleTempDirs } from '../core/util/staleTempDirs.js';

/**
 * Runs each policy's warm start in its own `mappa internal-warm-start` child process, as many at once as there are
 * CPU cores (TensorFlow.js's wasm backend trains on one thread per process). `MAPPA_WARMSTART_PARALLEL` overrides.
 * The child reports progress and its result as JSON lines on stdout.
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
        const child = execa(process.execPath, [join(packageRoot(), 'bin', 'mappa.js'), 'internal-warm-start', '--run-dir', o.runDir, '--job', jobFile], {
          // The child watches its stdin: when this process dies (even by SIGKILL) the pipe closes and it exits.
          stdin: 'pipe',
          env: { MAPPA_WARMSTART_CHILD: '1' },
          cancelSignal: o.signal,
          forceKillAfterDelay: 5000,
          reject: false,
          // The last lines of stderr go into the error message; the whole of it is not kept.
          maxBuffer: { stdout: 1024 * 1024, stderr: 64 * 1024 },
          lines: false,
        });
        child.stdin?.on('error', () => undefined);
        let result: WarmStartJobResult | undefined;
        for await (const line of child.iterable({ from: 'stdout' })) {
          try {
            const msg = JSON.parse(line) as { done?: number; total?: number; result?: WarmStartJobResult };
            if (msg.result) result = msg.result;
            else if (msg.done !== undefined && msg.total !== undefined) onProgress(msg.done, msg.total);
          } catch {
            /* not a protocol line */
          }
        }
        const done = await child;
        if (done.exitCode === 0 && result) return result;
        const how = done.isCanceled ? 'cancelled' : done.signal ? done.signal : `exit ${done.exitCode}`;
        const tail = String(done.stderr ?? '').trim().split('\n').slice(-5).join(' | ');
        throw new MappaError(`warm start of policy "${job.policyId}" failed in its child process (${how}): ${tail}`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
