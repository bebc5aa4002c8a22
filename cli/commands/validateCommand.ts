import type { Command } from 'commander';
import { checkPipelinePlugins } from '../../core/pipeline/checkPipelinePlugins.js';
import { PipelineValidationError } from '../../core/util/PipelineValidationError.js';
import { loadPipelineForCli } from '../loadPipelineForCli.js';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check a pipeline file and list every problem by path (exit 2 when invalid)')
    .argument('<file>', 'pipeline file (.yaml, .json or .ts)')
    .option('--set <path=value...>', 'override fields, e.g. --set run.steps=3')
    .option('--deep', 'also create every plugin and check it against its contract (loads models, reads API key variables)')
    .action(async (file: string, opts: { set?: string[]; deep?: boolean }) => {
      const { pipeline, warnings } = await loadPipelineForCli(file, opts.set ?? []);
      for (const w of warnings) process.stderr.write(`warning: ${w.path}: ${w.message}\n`);
      if (opts.deep) {
        const issues = await checkPipelinePlugins(pipeline);
        if (issues.length > 0) throw new PipelineValidationError(issues, pipeline.file);
      }
      const order = pipeline.agents.map((a) => `${a.id} (${a.role}, policy ${a.policyId})`).join(' → ');
      process.stdout.write(`${pipeline.file}: valid${opts.deep ? ' (every plugin created and checked)' : ''}\nagents: ${order}\n`);
    });
}
