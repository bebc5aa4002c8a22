import type { Command } from 'commander';
import { registerCoachCommand } from './commands/coachCommand.js';
import { registerDsbenchCommand } from './commands/dsbenchCommand.js';
import { registerModelCommand } from './commands/modelCommand.js';
import { registerReportCommand } from './commands/reportCommand.js';
import { registerSandboxCommand } from './commands/sandboxCommand.js';
import { registerServeCommand } from './commands/serveCommand.js';

/** Commands contributed by plugin areas (sandbox, coach, model, dsbench, report, serve). */
export const extraCommands: Array<(program: Command) => void> = [
  registerReportCommand,
  registerCoachCommand,
  registerDsbenchCommand,
  registerSandboxCommand,
  registerModelCommand,
  registerServeCommand,
];
