import { z } from 'zod';

export const JsonlLoggerConfigSchema = z.strictObject({});
export type JsonlLoggerConfig = z.output<typeof JsonlLoggerConfigSchema>;
