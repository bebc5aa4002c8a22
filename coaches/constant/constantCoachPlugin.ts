import { z } from 'zod';
import type { Coach } from '../../core/contracts/Coach.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';

export const ConstantCoachConfig = z.strictObject({
  score: z.number().min(0).max(10).default(5).describe('Score given to every action'),
});

/** Gives every action the same score: for dry runs of a pipeline, never for training signal. */
export function createConstantCoach(config: z.input<typeof ConstantCoachConfig> = {}): Coach {
  const { score } = ConstantCoachConfig.parse(config);
  return {
    name: 'constant',
    scope: 'action',
    evaluate: async () => ({
      score,
      rationale: `constant coach: every action scores ${score}`,
      raw: '',
      coach: 'constant',
      flags: { repaired: false, fallback: false, cached: false },
    }),
  };
}

export const constantCoachPlugin = definePlugin({
  kind: 'coach',
  name: 'constant',
  description: 'Gives every action the same score (dry runs and smoke tests; carries no learning signal).',
  configSchema: ConstantCoachConfig,
  create: (config) => createConstantCoach(config),
});
