import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import type { RunContext } from '../../core/contracts/RunContext.js';
import { PluginFactory } from '../../core/plugins/PluginFactory.js';
import { runWarmStartJob } from '../../core/runner/runWarmStartJob.js';
import type { WarmStartJob } from '../../core/runner/WarmStartExecutor.js';
import { createLogger } from '../../core/util/createLogger.js';
import { loadPipelineFromRunDir } from '../loadPipelineForCli.js';

/**
 * Hidden: trains one warm-start job for `mappa train`'s child-process executor. Prints progress and the result as
 * JSON lines on stdout; everything else goes to stderr.
 */
export function registerInternalWarmStartCommand(program: Command): void {
  program
    .command('internal-warm-start', { hidden: true })
    .requiredOption('--run-dir <dir>')
    .requiredOption('--job <file>')
    .action(async (opts: { runDir: string; job: string }) => {
      const job = JSON.parse(await readFile(opts.job, 'utf8')) as WarmStartJob;
      const { pipeline } = await loadPipelineFromRunDir(opts.runDir);
      const controller = new AbortController();
      process.once('SIGTERM', () => controller.abort());
      // The parent holds our stdin open; EOF means it died (possibly by SIGKILL): stop at once rather than train on.
      process.stdin.on('end', () => {
        process.stderr.write('warm-start child: the parent process is gone; exiting\n');
        process.exit(1);
      });
      process.stdin.resume();
      // Watching must not keep this process alive once its work is done.
      (process.stdin as { unref?: () => void }).unref?.();
      const spec = pipeline.spec;
      const run: RunContext = {
        runDir: resolve(opts.runDir),
        cacheDir: isAbsolute(spec.run.cacheDir) ? spec.run.cacheDir : resolve(pipeline.baseDir, spec.run.cacheDir),
        baseDir: pipeline.baseDir,
        seed: spec.seed,
        signal: controller.signal,
      };
      const logger = createLogger({ level: 'warn', write: (line) => process.stderr.write(line + '\n') });
      const plugins = new PluginFactory(pipeline.registry, run, logger);
      const ref = pipeline.policies[job.policyId];
      if (!ref) throw new Error(`no policy "${job.policyId}" in the run's pipeline`);
      const policy = await plugins.create('policy', ref, pipeline.policyPaths[job.policyId] ?? `policies.${job.policyId}`, job.policyId);
      try {
        let last = 0;
        const result = await runWarmStartJob(job, policy, {
          pipeline,
          plugins,
          run,
          onProgress: (done, total) => {
            const now = Date.now();
            if (done === total || now - last > 250) {
              last = now;
              process.stdout.write(JSON.stringify({ done, total }) + '\n');
            }
          },
        });
        process.stdout.write(JSON.stringify({ result }) + '\n');
      } finally {
        await policy.dispose?.();
      }
    });
}
