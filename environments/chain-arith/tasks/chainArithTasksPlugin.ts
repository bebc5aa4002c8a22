import { z } from 'zod';
import type { TaskSource } from '../../../core/contracts/TaskSource.js';
import type { Task } from '../../../core/model/Task.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { Rng } from '../../../core/util/Rng.js';
import { chainValues } from '../chainArithmetic.js';

export const ChainArithTasksConfig = z.strictObject({
  stages: z.number().int().min(1).max(32).describe('Agents in the chain: one operand per agent (must equal the number of agents)'),
  digits: z.number().int().min(1).max(6).default(3).describe('Digits of a value (the start code and every agent’s answer)'),
  train: z.number().int().min(0).default(500).describe('Tasks in the train split'),
  test: z.number().int().min(0).default(100).describe('Tasks in the test split (start codes disjoint from train while the space allows)'),
  modulus: z.number().int().min(2).max(10).default(10).describe('Each stage adds its operand to every digit modulo this'),
  operands: z
    .array(z.number().int().min(1))
    .optional()
    .describe('Operand of each stage (default: drawn from the task seed, 1…modulus−1; the same for every task)'),
  seed: z.number().int().default(0).describe('Seed of the task set (independent of the run seed, so every run sees the same tasks)'),
});
export type ChainArithTasksConfig = z.output<typeof ChainArithTasksConfig>;

/**
 * Seeded chain-arith tasks: a start code of `digits` digits; stage i adds operand i to every digit (mod m); the
 * answer is the last stage's code. Operands belong to the stages (each agent always applies its own), so an agent
 * learns one digit map and a slip is a wrong digit.
 */
export function createChainArithTasks(config: z.input<typeof ChainArithTasksConfig>): TaskSource {
  const c = ChainArithTasksConfig.parse(config);
  let cache: Map<string, Task[]> | undefined;
  const build = () => {
    const rng = Rng.fromSeed(deriveSeed(c.seed, 'chain-arith-tasks', c.stages, c.modulus, c.digits));
    const operands = c.operands ?? Array.from({ length: c.stages }, () => rng.int(1, c.modulus - 1));
    const space = c.modulus ** c.digits;
    const seen = new Set<string>();
    const out = new Map<string, Task[]>();
    for (const [split, n] of [['test', c.test], ['train', c.train]] as const) {
      const tasks: Task[] = [];
      for (let i = 0; i < n; i++) {
        let start = '';
        for (let tries = 0; tries < 100; tries++) {
          start = Array.from({ length: c.digits }, () => String(rng.int(0, c.modulus - 1))).join('');
          if (!seen.has(start) || seen.size >= space) break;
        }
        seen.add(start);
        const answer = chainValues(start, operands, c.modulus).at(-1)!;
        tasks.push({
          id: `${split}-${i}`,
          split,
          prompt: `${start} ${operands.map((a) => `+${a}`).join(' ')} (each digit, mod ${c.modulus})`,
          groundTruth: answer,
          metadata: { start, operands, modulus: c.modulus, stages: c.stages },
        });
      }
      out.set(split, tasks);
    }
    return out;
  };
  return {
    name: 'chain-arith-tasks',
    tasks: async (split) => (cache ??= build()).get(split) ?? [],
  };
}

export const chainArithTasksPlugin = definePlugin({
  kind: 'tasks',
  name: 'chain-arith-tasks',
  description: 'Seeded chain-arith tasks: a start code; each of k stages adds its operand to every digit (mod m); answer = the last code.',
  configSchema: ChainArithTasksConfig,
  create: (config) => createChainArithTasks(config),
});
