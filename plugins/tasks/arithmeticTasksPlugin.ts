import { z } from 'zod';
import type { TaskSource } from '../../core/contracts/TaskSource.js';
import type { Task } from '../../core/model/Task.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { Rng } from '../../core/util/Rng.js';

export const ArithmeticTasksConfig = z.strictObject({
  train: z.number().int().min(0).default(1000),
  test: z.number().int().min(0).default(100),
  seed: z.number().int().default(1).describe('Seed of the generated problems (the same seed gives the same tasks)'),
  digits: z.number().int().min(1).max(6).default(3).describe('Digits of the two factors (the product is too long to guess)'),
});

/**
 * Seeded arithmetic problems `a*b+c` with the exact answer, made to need a calculator: a tiny model cannot multiply
 * three-digit numbers in its head, but it can learn to hand the expression to a tool.
 */
export function createArithmeticTasks(config: z.input<typeof ArithmeticTasksConfig> = {}): TaskSource {
  const c = ArithmeticTasksConfig.parse(config);
  const make = (split: string, n: number, salt: number): Task[] => {
    const rng = Rng.fromSeed(c.seed * 7919 + salt);
    const lo = 10 ** (c.digits - 1);
    const hi = 10 ** c.digits - 1;
    return Array.from({ length: n }, (_, i) => {
      const a = rng.int(lo, hi);
      const b = rng.int(lo, hi);
      const add = rng.int(1, 99);
      const expression = `${a}*${b}+${add}`;
      return { id: `${split}-${i}`, split, prompt: expression, groundTruth: a * b + add, metadata: { expression } };
    });
  };
  const tasks = [...make('train', c.train, 1), ...make('test', c.test, 2)];
  return { name: 'arithmetic', tasks: async (split) => tasks.filter((t) => t.split === split) };
}

export const arithmeticTasksPlugin = definePlugin({
  kind: 'tasks',
  name: 'arithmetic',
  description: 'Seeded a*b+c problems with exact answers (train/test splits), for agents that learn to use a calculator tool.',
  configSchema: ArithmeticTasksConfig,
  create: (config) => createArithmeticTasks(config),
});
