import { z } from 'zod';

export const ConsoleLoggerConfigSchema = z.strictObject({
  /** Print every N-th step (evaluation steps are always printed). */
  every: z.number().int().min(1).default(1),
});
export type ConsoleLoggerConfig = z.output<typeof ConsoleLoggerConfigSchema>;
