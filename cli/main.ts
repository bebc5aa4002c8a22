import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { PipelineValidationError } from '../core/util/PipelineValidationError.js';
import { MappaError } from '../core/util/MappaError.js';
import { redactString } from '../core/util/redactSecrets.js';
import { registerEvalCommand } from './commands/evalCommand.js';
import { registerExportCommand } from './commands/exportCommand.js';
import { registerInternalTrainerCommand } from './commands/internalTrainerCommand.js';
import { registerInternalWarmStartCommand } from './commands/internalWarmStartCommand.js';
import { registerPluginsCommand } from './commands/pluginsCommand.js';
import { registerSchemaCommand } from './commands/schemaCommand.js';
import { registerTrainCommands } from './commands/trainCommand.js';
import { registerValidateCommand } from './commands/validateCommand.js';
import { extraCommands } from './extraCommands.js';

export function buildProgram(): Command {
  const program = new Command('mappa')
    .description('Train multiagent LLM systems with per-action process rewards from a coach')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerValidateCommand(program);
  registerTrainCommands(program);
  registerEvalCommand(program);
  registerPluginsCommand(program);
  registerSchemaCommand(program);
  registerExportCommand(program);
  registerInternalWarmStartCommand(program);
  registerInternalTrainerCommand(program);
  for (const register of extraCommands) register(program);
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 invalid input). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof PipelineValidationError) {
      process.stderr.write(`error: ${redactString(err.message)}\n`);
      return 2;
    }
    if (err instanceof MappaError) {
      process.stderr.write(`error: ${redactString(err.message)}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      return 1;
    }
    const sys = systemErrorLine(err);
    if (sys) {
      process.stderr.write(`error: ${redactString(sys.message)}\nhint: ${sys.hint}\n`);
      return 1;
    }
    process.stderr.write(`error: ${redactString((err as Error)?.stack ?? String(err))}\n`);
    return 1;
  }
}

const ERRNO_HINTS: Record<string, string> = {
  ENOSPC: 'free disk space (or point run.outputDir / run.cacheDir elsewhere), then resume with mappa train --resume RUN_DIR',
  EDQUOT: 'the disk quota is used up: free space, then resume with mappa train --resume RUN_DIR',
  EACCES: 'check the permissions of that path',
  EPERM: 'check the permissions of that path',
  EROFS: 'that file system is read-only: choose a writable directory',
  ENOENT: 'check that the path exists',
  EISDIR: 'a directory is where a file was expected',
  ENOTDIR: 'a file is where a directory was expected',
  EMFILE: 'too many open files: raise the limit (ulimit -n) or lower run.concurrency',
};

/** Operating-system errors (a full disk, a missing file) as one line with a hint instead of a stack trace. */
function systemErrorLine(err: unknown): { message: string; hint: string } | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e || typeof e.code !== 'string' || !/^E[A-Z]+$/.test(e.code) || (e.syscall === undefined && e.errno === undefined)) return undefined;
  const where = e.path ? ` (${e.path})` : '';
  return { message: `${e.message}${e.path && !e.message.includes(e.path) ? where : ''}`, hint: ERRNO_HINTS[e.code] ?? `the operating system refused ${e.syscall ?? 'an operation'} (${e.code})` };
}
