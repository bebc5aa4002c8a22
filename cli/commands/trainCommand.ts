import type { Command } from 'commander';
import { runPipeline } from './runPipeline.js';

export function registerTrainCommands(program: Command): void {
  program
    .command('train')
    .description('roll out, coach every action, train each agent and evaluate on schedule')
    .argument('[file]', 'pipeline file')
    .option('--resume <runDir>', 'continue a run from its latest checkpoint')
    .option('--run-dir <dir>', 'write the run here instead of <run.outputDir>/<name>-<time>')
    .option('--set <path=value...>', 'override fields, e.g. --set run.steps=3 seed=2')
    .option('-q, --quiet', 'only warnings and errors on the console')
    .action(async (file: string | undefined, opts: { resume?: string; runDir?: string; set?: string[]; quiet?: boolean }) => {
      if (!file && !opts.resume) throw new Error('give a pipeline file, or --resume RUN_DIR');
      process.exitCode = await runPipeline({ ...opts, ...(file ? { file } : {}), train: true });
    });
  program
    .command('run')
    .description('roll out and evaluate without training (coach scores are still recorded)')
    .argument('<file>', 'pipeline file')
    .option('--run-dir <dir>', 'write the run here')
    .option('--set <path=value...>', 'override fields')
    .option('-q, --quiet', 'only warnings and errors on the console')
    .action(async (file: string, opts: { runDir?: string; set?: string[]; quiet?: boolean }) => {
      process.exitCode = await runPipeline({ ...opts, file, train: false });
    });
}
