import { z } from 'zod';

export const MlflowLoggerConfigSchema = z.strictObject({
  /** The tracking server (`mlflow server` listens on http://127.0.0.1:5000 by default). */
  baseURL: z.string().url().default('http://127.0.0.1:5000'),
  /** Experiment name (created when missing). Default: the pipeline's name. */
  experiment: z.string().min(1).optional(),
  /** Run name shown in the UI. Default: the run directory's name. */
  runName: z.string().min(1).optional(),
  /** Environment variable holding a bearer token for servers behind auth (never written in the pipeline). */
  apiKeyEnv: z.string().default('MLFLOW_TRACKING_TOKEN'),
  /** Extra run tags. */
  tags: z.record(z.string(), z.string()).default({}),
  /** Upload report.html and config.resolved.yaml through the server's artifact proxy (`mlflow-artifacts:` stores). */
  artifacts: z.boolean().default(true),
  /** Per-request timeout, milliseconds. */
  timeoutMs: z.number().int().min(100).default(10_000),
});
export type MlflowLoggerConfig = z.output<typeof MlflowLoggerConfigSchema>;
