import { z } from 'zod';
import { GrpoConfig } from '../grpo/grpoTrainerPlugin.js';
import { ReinforcePPBaselineConfig, ReinforcePPConfig } from '../reinforce-pp/reinforcePPConfig.js';

const ALGORITHMS = { 'reinforce++': ReinforcePPConfig, 'reinforce++-baseline': ReinforcePPBaselineConfig, grpo: GrpoConfig } as const;
export type ExternalAlgorithm = keyof typeof ALGORITHMS;

const command = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .describe('A command (string split on spaces, or an argv list; no shell) with placeholders {meta} {records} {batch} {weights} {out} {state} {step} {policy} {version}');

export const ExternalTrainerConfig = z
  .strictObject({
    command: command
      .optional()
      .describe(
        'The trainer to run once per step and policy, e.g. "python3 examples/external-trainer/reinforce_pp.py --meta {meta} --weights {weights} --out {out}". Placeholders: {meta} batch meta JSON, {records} records JSONL, {batch} batch folder, {weights} current weights, {out} where to write the new weights (a Hugging Face checkpoint or PEFT adapter), {state} state folder, {step}, {policy}, {version} (current)',
      ),
    endpoint: z
      .string()
      .url()
      .optional()
      .describe('Instead of a command: POST {meta_path, meta, weights_dir, out_dir, state_dir} to this URL; it answers 2xx once the new weights are written'),
    timeoutS: z.number().positive().default(3600).describe('Longest a trainer step may take (seconds); the run stops with an error after it'),
    algorithm: z
      .enum(Object.keys(ALGORITHMS) as [ExternalAlgorithm, ...ExternalAlgorithm[]])
      .default('reinforce++')
      .describe('The update the external trainer runs (written to the batch meta as trainer.estimator)'),
    settings: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("The algorithm's settings, as mappa's trainer of that name takes them (lr, klCoef, epochs, …); defaults filled in and written to the batch meta"),
    reloadCommand: command
      .optional()
      .describe(
        'Instead of the policy server\'s reload endpoint: a command that makes the server serve {weights} as {version} (placeholders {weights} {version} {policy}); exit 0 when it does',
      ),
    reloadTimeoutS: z.number().positive().default(600).describe('Longest a reload command may take (seconds)'),
    concurrency: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe('Policies trained at once, each by its own trainer process (raise it when the trainers do not share one GPU)'),
  })
  .superRefine((c, ctx) => {
    if ((c.command === undefined) === (c.endpoint === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'give exactly one of `command` (a program run per step) or `endpoint` (an HTTP trainer)' });
    }
    const parsed = ALGORITHMS[c.algorithm].safeParse(c.settings);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['settings', ...issue.path.map(String)], message: issue.message });
    }
  });

export type ExternalTrainerConfig = z.output<typeof ExternalTrainerConfig>;

/** The settings with the algorithm's defaults filled in, as the batch meta's `trainer` field carries them. */
export function resolvedSettings(c: Pick<ExternalTrainerConfig, 'algorithm' | 'settings'>): { estimator: string } & Record<string, unknown> {
  return { estimator: c.algorithm, ...(ALGORITHMS[c.algorithm].parse(c.settings) as Record<string, unknown>) };
}
