import { z } from 'zod';
import type { TaskSource } from '../../core/contracts/TaskSource.js';
import type { Task } from '../../core/model/Task.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { loadDsbenchTasks, type LoadDsbenchTasksOptions } from './loadDsbenchTasks.js';

export const DsbenchTasksConfig = z.strictObject({
  root: z.string().optional().describe('DSBench data root holding data/task, data/data_resplit and data/answers (default: the bundled dsbench-mini)'),
  lists: z.record(z.string(), z.string()).optional().describe("Task lists by split: JSONL like the reference code's dsbench_modeling_{train,eval}.json or dsbench-mini's tasks.jsonl"),
  listPathsBase: z.string().optional().describe("Folder for relative train_file/test_file/answer_dir paths in the lists (default: the list's folder)"),
  cleanedPrompts: z.string().optional().describe("The reference code's dsbench_modeling_cleaned_prompts.json (cleaned task text, metric, task type, columns)"),
  names: z.record(z.string(), z.array(z.string()).min(1)).optional().describe('Task names per split (overrides the split written in the list)'),
  defaultSplit: z.string().default('train').describe('Split of tasks whose row names none'),
  detectDataType: z.boolean().default(true).describe('Read the answers to tell classification from regression when the metric does not'),
  limit: z.number().int().min(1).optional().describe('At most this many tasks per split'),
});
export type DsbenchTasksConfig = z.input<typeof DsbenchTasksConfig>;

/** A TaskSource over DSBench modeling tasks; loads once, then serves splits in list order. */
export function createDsbenchTasks(config: DsbenchTasksConfig = {}, baseDir = process.cwd()): TaskSource {
  const c = DsbenchTasksConfig.parse(config);
  let all: Promise<Task[]> | undefined;
  const options: LoadDsbenchTasksOptions = {
    root: c.root,
    lists: c.lists,
    listPathsBase: c.listPathsBase,
    cleanedPrompts: c.cleanedPrompts,
    names: c.names,
    defaultSplit: c.defaultSplit,
    detectDataType: c.detectDataType,
    baseDir,
  };
  return {
    name: 'dsbench',
    tasks: async (split) => {
      all ??= loadDsbenchTasks(options);
      const tasks = (await all).filter((t) => t.split === split);
      return c.limit ? tasks.slice(0, c.limit) : tasks;
    },
  };
}

export const dsbenchTasksPlugin = definePlugin({
  kind: 'tasks',
  name: 'dsbench',
  description: 'DSBench data-modeling tasks (real DSBench layout, reference task lists, or the bundled dsbench-mini).',
  configSchema: DsbenchTasksConfig,
  create: (config, deps) => createDsbenchTasks(config, deps.run.baseDir),
});
