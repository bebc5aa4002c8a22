import { join, resolve } from 'node:path';
import { latestCheckpoint } from '../../core/runner/checkpointDirs.js';
import { createRun, runArtifacts } from '../../core/runner/createRun.js';
import type { RunLoggerEnd } from '../../core/contracts/RunLogger.js';
import { MappaError } from '../../core/util/MappaError.js';
import { writeSecretFree } from '../../core/util/writeSecretFree.js';
import { createCliProgress } from '../CliProgress.js';
import { loadPipelineForCli, loadPipelineFromRunDir, promptHashes } from '../loadPipelineForCli.js';
import { afterRunHooks } from '../runHooks.js';
import { interruptSignal } from '../interrupt.js';
import { childProcessWarmStartExecutor } from '../childProcessWarmStartExecutor.js';
import { childProcessUpdateExecutor } from '../childProcessUpdateExecutor.js';

export interface RunPipelineOptions {
  readonly file?: string;
  readonly resume?: string;
  readonly runDir?: string;
  readonly set?: string[];
  readonly train: boolean;
  readonly quiet?: boolean;
}

/** `mappa train` and `mappa run`: validate, build the run, roll out (and train), write outputs, run after-run hooks. */
export async function runPipeline(options: RunPipelineOptions): Promise<number> {
  const resumeDir = options.resume ? resolve(options.resume) : undefined;
  if (resumeDir && options.file) {
    throw new MappaError(`--resume continues ${resumeDir} with the pipeline saved in it; a pipeline file cannot be given as well`, {
      hint: 'drop the file to resume (--set run.steps=N runs longer), or drop --resume to start a new run from the file',
    });
  }
  const loaded = resumeDir ? await loadPipelineFromRunDir(resumeDir, options.set ?? []) : await loadPipelineForCli(options.file!, options.set ?? []);
  const progress = createCliProgress();
  const signal = interruptSignal((line) => progress.log(line));
  const runDir = resumeDir ?? (options.runDir ? resolve(options.runDir) : undefined);
  const run = await createRun({
    pipeline: loaded.pipeline,
    ...(runDir ? { runDir } : {}),
    signal,
    progress,
    rawPipeline: loaded.raw,
    logLevel: options.quiet ? 'warn' : 'info',
    warmStartExecutor: ({ runDir }) => childProcessWarmStartExecutor({ runDir, signal }),
    updateExecutor: ({ runDir, logger }) => childProcessUpdateExecutor({ runDir, logger }),
    logWrite: (line) => progress.log(line),
  }).catch((err) => {
    progress.close();
    signal.dispose();
    throw err;
  });
  await writeSecretFree(
    join(run.store.dir, 'resume.json'),
    JSON.stringify(
      { file: loaded.pipeline.file, baseDir: loaded.pipeline.baseDir, raw: loaded.raw, promptHashes: 'promptHashes' in loaded ? loaded.promptHashes : promptHashes(loaded.pipeline) },
      null,
      2,
    ),
  );
  for (const w of loaded.warnings) if (options.train || w.path !== 'trainer') run.logger.warn(`${w.path}: ${w.message}`);
  run.logger.info(`run directory: ${run.store.dir}`);
  let checkpoint: string | undefined;
  if (resumeDir) {
    checkpoint = latestCheckpoint(resumeDir);
    if (!checkpoint) {
      // Stopped before its first checkpoint (e.g. killed during the warm start, whose finished parts are cached).
      run.logger.warn(`${resumeDir} has no checkpoint yet: starting the run again from step 0`);
      await run.store.truncateAfter(-1);
    }
  }
  let code = 0;
  let status: RunLoggerEnd['status'] = 'failed';
  let lastStep = 0;
  try {
    const summary = await run.runner.train({ train: options.train, ...(checkpoint ? { resumeFrom: checkpoint } : {}) });
    status = summary.interrupted ? 'interrupted' : 'finished';
    lastStep = summary.step;
    const last = summary.metrics.at(-1);
    const first = summary.metrics.find((m) => m['eval/accuracy'] !== undefined || m['eval/success_rate'] !== undefined);
    const finalEval = [...summary.metrics].reverse().find((m) => m['eval/accuracy'] !== undefined || m['eval/success_rate'] !== undefined);
    progress.close();
    const out = process.stdout;
    out.write(`\n${summary.interrupted ? 'Interrupted' : 'Finished'} after ${summary.step} step(s). Run directory: ${summary.runDir}\n`);
    if (first && finalEval) {
      const key = first['eval/accuracy'] !== undefined ? 'eval/accuracy' : 'eval/success_rate';
      out.write(`${key}: ${Number(first[key]).toFixed(3)} (step ${first.step}) → ${Number(finalEval[key]).toFixed(3)} (step ${finalEval.step})\n`);
    }
    if (last) run.logger.debug('last metrics', last as Record<string, unknown>);
    if (summary.interrupted) code = 130;
  } finally {
    progress.close();
    for (const hook of afterRunHooks) {
      try {
        await hook(run.store.dir, run.logger);
      } catch (err) {
        run.logger.error(`after-run step failed: ${(err as Error).message}`);
      }
    }
    // After the report exists, so trackers receive it as an artifact; bounded by run.loggerFlushTimeout.
    const stats = await run.loggers.finish({ status, step: lastStep, artifacts: runArtifacts(run.store.dir) });
    const lost = stats.filter((s) => s.failed || s.unsent);
    if (lost.length) process.stderr.write(`loggers: ${lost.map((s) => `${s.logger} lost ${s.failed + s.unsent} call(s)`).join(', ')} (details in logs/run.log)\n`);
    await run.dispose();
    signal.dispose();
  }
  return code;
}
