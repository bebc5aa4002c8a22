import { z } from 'zod';
import type { DemonstrationSource } from '../../../core/contracts/DemonstrationSource.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { DemonstrationRatesSchema } from './DemonstrationRates.js';

export const DsbenchDemonstrationsConfig = z.strictObject({
  /** Split of the pipeline's `dsbench` task source to demonstrate on (never the evaluation split). */
  split: z.string().default('train'),
  /** Demonstrated episodes per task (each gives one demonstration per agent). */
  perTask: z.number().int().min(1).default(25),
  /** How often each realistic bug appears (see environments/dsbench/demonstrations/DemonstrationRates.ts). */
  rates: DemonstrationRatesSchema.optional(),
});

/** DSBench demonstrations (dsb.py programs with realistic bugs), rendered with the pipeline's own prompts. */
export function createDsbenchDemonstrations(config: z.input<typeof DsbenchDemonstrationsConfig> = {}): DemonstrationSource {
  const c = DsbenchDemonstrationsConfig.parse(config);
  return {
    name: 'dsbench-demonstrations',
    async demonstrations({ pipeline, seed }) {
      const { demonstrationsForPipeline } = await import('./demonstrationsForPipeline.js');
      const set = await demonstrationsForPipeline(pipeline, { split: c.split, perTask: c.perTask, seed, ...(c.rates ? { rates: c.rates } : {}) });
      return { demonstrations: set.demonstrations, stats: set.stats };
    },
  };
}

export const dsbenchDemonstrationsPlugin = definePlugin({
  kind: 'demonstrations',
  name: 'dsbench-demonstrations',
  description:
    'DSBench demonstrations for the SFT warm start: short dsb.py programs per agent, with realistic bugs (forgetting X_test.pkl, fitting on test data, wrong target column, forgetting model.pkl) at configurable rates.',
  configSchema: DsbenchDemonstrationsConfig,
  create: (config) => createDsbenchDemonstrations(config),
});
