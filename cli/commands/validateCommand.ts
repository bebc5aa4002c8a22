import type { Command } from 'commander';
import { loadPipelineForCli } from '../loadPipelineForCli.js';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check a pipeline file and list every problem by path (exit 2 when invalid)')
    .argument('<file>', 'pipeline file (.yaml, .json or .ts)')
    .option('--set <path=value...>', 'override fields, e.g. --set run.steps=3')
    .action(async (file: string, opts: { set?: string[] }) => {
      const { pipeline, warnings } = await loadPipelineForCli(file, opts.set ?? []);
      for (const w of warnings) process.stderr.write(`warning: ${w.path}: ${w.message}\n`);
      const order = pipeline.agents.map((a) => `${a.id} (${a.role}, policy ${a.policyId})`).join(' → ');
      process.stdout.write(`${pipeline.file}: valid\nagents: ${order}\n`);
    });
}
