import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRun, runArtifacts } from '../../core/runner/createRun.js';
import type { RunLoggerEnd } from '../../core/contracts/RunLogger.js';
import { MappaError } from '../../core/util/MappaError.js';
import { atomicWriteFile } from '../../core/util/atomicWrite.js';
import { createCliProgress } from '../CliProgress.js';
import { loadPipelineForCli, loadPipelineFromRunDir } from '../loadPipelineForCli.js';
import { afterRunHooks } from '../runHooks.js';
import { interruptSignal } from '../interrupt.js';
import { childProcessWarmStartExecutor } from '../childProcessWarmStartExecutor.js';

export interface RunPipelineOptions {
  readonly file?: string;
  readonly resume?: string;
  readonly runDir?: string;
  readonly set?: string[];
  readonly train: boolean;
  readonly quiet?: boolean;
}

function latestCheckpoint(runDir: string): string | undefined {
  const dir = join(runDir, 'checkpoints');
  if (!existsSync(dir)) return undefined;
  const steps = readdirSync(dir).filter((d) => /^step-\d+$/.test(d)).sort();
  return steps.length ? join(dir, steps.at(-1)!) : undefined;
}

/** `mappa train` and `mappa run`: validate, build the run, roll out (and train), write outputs, run after-run hooks. */
export async function runPipeline(options: RunPipelineOptions): Promise<number> {
  const resumeDir = options.resume ? resolve(options.resume) : undefined;
  const loaded = resumeDir ? await loadPipelineFromRunDir(resumeDir) : await loadPipelineForCli(options.file!, options.set ?? []);
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
    logWrite: (line) => progress.log(line),
  }).catch((err) => {
    progress.close();
    signal.dispose();
    throw err;
  });
  await atomicWriteFile(
    join(run.store.dir, 'resume.json'),
    JSON.stringify({ file: loaded.pipeline.file, baseDir: loaded.pipeline.baseDir, raw: loaded.raw }, null, 2),
  );
  for (const w of loaded.warnings) if (options.train || w.path !== 'trainer') run.logger.warn(`${w.path}: ${w.message}`);
  run.logger.info(`run directory: ${run.store.dir}`);
  let checkpoint: string | undefined;
  if (resumeDir) {
    checkpoint = latestCheckpoint(resumeDir);
    if (!checkpoint) throw new MappaError(`${resumeDir} has no checkpoint to resume from`, { hint: 'checkpoints are written every run.checkpointEvery steps' });
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
