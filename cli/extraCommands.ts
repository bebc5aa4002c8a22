import type { Command } from 'commander';
import { registerDsbenchCommand } from './commands/dsbenchCommand.js';

/** Commands contributed by plugin areas (sandbox, coach, model, dsbench, report). */
export const extraCommands: Array<(program: Command) => void> = [registerDsbenchCommand];
