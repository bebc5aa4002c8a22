import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createRun } from '../../core/runner/createRun.js';
import { createCliProgress } from '../CliProgress.js';
import { interruptSignal } from '../interrupt.js';
import { loadPipelineForCli } from '../loadPipelineForCli.js';

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('evaluate a checkpoint on the evaluation split and print the metrics as JSON')
    .argument('<file>', 'pipeline file')
    .requiredOption('--checkpoint <dir>', 'checkpoint directory (RUN_DIR/checkpoints/step-NNNN)')
    .option('--run-dir <dir>', 'write evaluation episodes here')
    .option('--set <path=value...>', 'override fields, e.g. --set run.eval.tasks=50')
    .action(async (file: string, opts: { checkpoint: string; runDir?: string; set?: string[] }) => {
      const { pipeline, raw } = await loadPipelineForCli(file, opts.set ?? []);
      const progress = createCliProgress();
      const signal = interruptSignal((l) => progress.log(l));
      const run = await createRun({
        pipeline,
        ...(opts.runDir ? { runDir: opts.runDir } : {}),
        signal,
        progress,
        rawPipeline: raw,
        logWrite: (l) => progress.log(l),
      });
      try {
        const step = await run.runner.loadCheckpoint(resolve(opts.checkpoint), false);
        const metrics = await run.runner.evaluate(step);
        await run.store.appendMetrics({ step, ...metrics });
        progress.close();
        process.stdout.write(JSON.stringify({ checkpoint: resolve(opts.checkpoint), step, runDir: run.store.dir, metrics }, null, 2) + '\n');
      } finally {
        progress.close();
        signal.dispose();
        await run.dispose();
      }
    });
}
