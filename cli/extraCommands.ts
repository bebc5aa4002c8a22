import type { Command } from 'commander';
import { registerSandboxCommand } from './commands/sandboxCommand.js';

/** Commands contributed by plugin areas (sandbox, coach, model, dsbench, report). */
export const extraCommands: Array<(program: Command) => void> = [registerSandboxCommand];
