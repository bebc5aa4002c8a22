import { z } from 'zod';
import type { TaskSource } from '../../../core/contracts/TaskSource.js';
import type { Task } from '../../../core/model/Task.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import type { GeneratedProblem } from './generateMathProblem.js';
import { generateProblemSet, problemToTask } from './generateProblemSet.js';

export const MathChatGeneratorConfig = z.strictObject({
  train: z.number().int().min(0).default(1000).describe('Problems in the train split'),
  test: z.number().int().min(0).default(100).describe('Problems in the test split (disjoint from train)'),
  seed: z.number().int().default(0).describe('Seed of the problem set (independent of the run seed, so every run sees the same tasks)'),
  difficultyMix: z
    .tuple([z.number().min(0), z.number().min(0), z.number().min(0)])
    .default([0.3, 0.4, 0.3])
    .describe('Weights of difficulty 1 (a+b, a-b), 2 (two operations), 3 (word problems, fractions, division)'),
  maxOperand: z
    .tuple([z.number().int().min(2), z.number().int().min(2), z.number().int().min(2)])
    .default([20, 12, 20])
    .describe('Largest operand at each difficulty level'),
  level3: z
    .strictObject({ word: z.number().min(0).default(0.6), fraction: z.number().min(0).default(0.4) })
    .default({ word: 0.6, fraction: 0.4 })
    .describe('Weights of word problems and fraction/division problems within level 3'),
});
export type MathChatGeneratorConfig = z.output<typeof MathChatGeneratorConfig>;

/** A task source that also hands out the generated problems with their solutions (for SFT demonstrations). */
export interface MathChatGenerator extends TaskSource {
  problems(split: string): readonly GeneratedProblem[];
}

/** Seeded arithmetic and word problems with exact answers; `train` and `test` splits never share a problem. */
export function createMathChatGenerator(config: z.input<typeof MathChatGeneratorConfig> = {}): MathChatGenerator {
  const c = MathChatGeneratorConfig.parse(config);
  let cache: Map<string, GeneratedProblem[]> | undefined;
  const all = () =>
    (cache ??= generateProblemSet({
      seed: c.seed,
      counts: { train: c.train, test: c.test },
      difficultyMix: c.difficultyMix,
      maxOperand: c.maxOperand,
      level3: c.level3,
    }));
  const taskCache = new Map<string, Task[]>();
  return {
    name: 'mathchat-generator',
    problems: (split) => all().get(split) ?? [],
    tasks: async (split) => {
      let tasks = taskCache.get(split);
      if (!tasks) {
        tasks = (all().get(split) ?? []).map((p, i) => problemToTask(p, split, i));
        taskCache.set(split, tasks);
      }
      return tasks;
    },
  };
}

export const mathchatGeneratorPlugin = definePlugin({
  kind: 'tasks',
  name: 'mathchat-generator',
  description: 'Seeded arithmetic, fraction and short word problems with exact answers; disjoint train/test splits, difficulty levels 1–3.',
  configSchema: MathChatGeneratorConfig,
  create: (config) => createMathChatGenerator(config),
});
