import { z } from 'zod';

export const TensorboardLoggerConfigSchema = z.strictObject({
  /** Directory of the event file, relative to the run directory unless absolute (`tensorboard --logdir runs/`). */
  logDir: z.string().min(1).default('tensorboard'),
});
export type TensorboardLoggerConfig = z.output<typeof TensorboardLoggerConfigSchema>;
