import type { Command } from 'commander';

/** Commands contributed by plugin areas (sandbox, coach, model, dsbench, report). */
export const extraCommands: Array<(program: Command) => void> = [];
