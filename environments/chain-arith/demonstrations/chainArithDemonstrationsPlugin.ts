import { z } from 'zod';
import type { DemonstrationSource } from '../../../core/contracts/DemonstrationSource.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { MappaError } from '../../../core/util/MappaError.js';

export const ChainArithDemonstrationsConfig = z.strictObject({
  split: z.string().default('train').describe('Split of the pipeline’s chain-arith-tasks to draw tasks from (never the evaluation split)'),
  count: z.number().int().min(1).optional().describe('At most this many tasks (each gives one demonstration per agent)'),
  baseSuccess: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.3)
    .describe('Without mistakeRates: every agent slips at 1 − baseSuccess^(1/k), so the demonstrated chain ends right this often'),
  mistakeRates: z.array(z.number().min(0).max(1)).optional().describe('Per agent, in execution order: how often its demonstrated answer is wrong'),
  correlation: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('0 = independent slips; c > 0: after a visible upstream slip an agent slips at p + c·(1 − p)'),
  slipMarker: z.string().default('?').describe('Appended to a slipped answer so the next agent can see it; "" = none'),
});
export type ChainArithDemonstrationsConfig = z.output<typeof ChainArithDemonstrationsConfig>;

/** Deliberately imperfect chain-arith demonstrations, rendered with the pipeline's own prompts. */
export function createChainArithDemonstrations(config: z.input<typeof ChainArithDemonstrationsConfig> = {}): DemonstrationSource {
  const c = ChainArithDemonstrationsConfig.parse(config);
  return {
    name: 'chain-arith-demonstrations',
    async demonstrations({ pipeline, seed }) {
      const { use: taskPlugin, ...taskConfig } = pipeline.spec.tasks;
      if (taskPlugin !== 'chain-arith-tasks') {
        throw new MappaError(`chain-arith demonstrations need tasks from chain-arith-tasks, not "${taskPlugin}"`, {
          hint: 'set `tasks: { use: chain-arith-tasks, stages: <number of agents> }`',
        });
      }
      const { createChainArithTasks } = await import('../tasks/chainArithTasksPlugin.js');
      const { generateChainArithDemonstrations, uniformMistakeRate } = await import('./generateChainArithDemonstrations.js');
      const k = pipeline.agents.length;
      const rates = c.mistakeRates ?? pipeline.agents.map(() => uniformMistakeRate(c.baseSuccess, k));
      if (rates.length !== k) {
        throw new MappaError(`warmStart.demonstrations.mistakeRates has ${rates.length} rates for ${k} agents`, { hint: 'give one rate per agent, in execution order' });
      }
      const tasks = (await createChainArithTasks(taskConfig as never).tasks(c.split)).slice(0, c.count);
      const set = await generateChainArithDemonstrations({
        tasks,
        agents: pipeline.agents,
        mistakeRates: rates,
        correlation: c.correlation,
        slipMarker: c.slipMarker,
        seed,
      });
      return { demonstrations: set.demonstrations, stats: set.stats };
    },
  };
}

export const chainArithDemonstrationsPlugin = definePlugin({
  kind: 'demonstrations',
  name: 'chain-arith-demonstrations',
  description: 'Chain-arith demonstrations with deliberate slips at per-agent rates (optionally correlated along the chain) for the SFT warm start.',
  configSchema: ChainArithDemonstrationsConfig,
  create: (config) => createChainArithDemonstrations(config),
});
