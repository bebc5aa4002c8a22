import { z } from 'zod';

export const WandbLoggerConfigSchema = z.strictObject({
  /** W&B project (created on first use). */
  project: z.string().min(1),
  /** Team or user; default: the API key's default entity. */
  entity: z.string().min(1).optional(),
  /** API host (W&B Cloud, or a self-hosted server). */
  baseURL: z.string().url().default('https://api.wandb.ai'),
  /** Environment variable holding the API key (never written in the pipeline). */
  apiKeyEnv: z.string().default('WANDB_API_KEY'),
  /** Display name. Default: the run directory's name. */
  runName: z.string().min(1).optional(),
  group: z.string().min(1).optional(),
  tags: z.array(z.string()).default([]),
  /** Upload report.html and config.resolved.yaml as run files. */
  files: z.boolean().default(true),
  timeoutMs: z.number().int().min(100).default(10_000),
});
export type WandbLoggerConfig = z.output<typeof WandbLoggerConfigSchema>;
