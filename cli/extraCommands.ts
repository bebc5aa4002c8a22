import type { Command } from 'commander';
import { registerModelCommand } from './commands/modelCommand.js';

/** Commands contributed by plugin areas (sandbox, coach, model, dsbench, report). */
export const extraCommands: Array<(program: Command) => void> = [registerModelCommand];
