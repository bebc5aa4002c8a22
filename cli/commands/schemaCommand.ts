import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { pipelineJsonSchema } from '../../core/pipeline/pipelineJsonSchema.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of pipeline files (for editor completion)')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (opts: { out?: string }) => {
      const text = JSON.stringify(pipelineJsonSchema(createBuiltinRegistry()), null, 2) + '\n';
      if (opts.out) await writeFile(opts.out, text);
      else process.stdout.write(text);
    });
}
