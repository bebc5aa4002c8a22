import { z } from 'zod';
import type { DemonstrationSource } from '../../../core/contracts/DemonstrationSource.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { DemonstrationRatesSchema } from './DemonstrationRates.js';

export const MathChatDemonstrationsConfig = z.strictObject({
  /** Split of the pipeline's `mathchat-generator` to draw problems from (never the evaluation split). */
  split: z.string().default('train'),
  /** At most this many problems (each gives one demonstration per agent action). */
  count: z.number().int().min(1).optional(),
  /** How often each deliberate mistake appears (see environments/mathchat/demonstrations/DemonstrationRates.ts). */
  rates: DemonstrationRatesSchema.optional(),
  /**
   * The Problem Solver's draft states the result (`12+3*4=24`) or only sets the problem up (`12+3*4`, for tiny models
   * that cannot do arithmetic; the Code Executor computes it).
   */
  solverStatesResult: z.boolean().default(true),
});

/** Deliberately imperfect MathChat demonstrations, rendered with the pipeline's own prompts and tool format. */
export function createMathChatDemonstrations(config: z.input<typeof MathChatDemonstrationsConfig> = {}): DemonstrationSource {
  const c = MathChatDemonstrationsConfig.parse(config);
  return {
    name: 'mathchat-demonstrations',
    async demonstrations({ pipeline, seed }) {
      const { demonstrationsForPipeline } = await import('./demonstrationsForPipeline.js');
      const set = await demonstrationsForPipeline(pipeline, {
        split: c.split,
        seed,
        solverStatesResult: c.solverStatesResult,
        ...(c.count !== undefined ? { count: c.count } : {}),
        ...(c.rates ? { rates: c.rates } : {}),
      });
      return { demonstrations: set.demonstrations, stats: set.stats };
    },
  };
}

export const mathchatDemonstrationsPlugin = definePlugin({
  kind: 'demonstrations',
  name: 'mathchat-demonstrations',
  description: 'Deliberately imperfect MathChat demonstrations (wrong operators, copy slips, missing print, unboxed answers) for the SFT warm start.',
  configSchema: MathChatDemonstrationsConfig,
  create: (config) => createMathChatDemonstrations(config),
});
