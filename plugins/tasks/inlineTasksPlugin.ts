import { z } from 'zod';
import type { TaskSource } from '../../core/contracts/TaskSource.js';
import type { Task } from '../../core/model/Task.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { TaskInputSchema, toTask } from './taskFields.js';

export const InlineTasksConfig = z.strictObject({
  tasks: z.array(TaskInputSchema).min(1),
  /** Split for tasks that do not name one. */
  split: z.string().default('train'),
});

export function createInlineTasks(config: z.input<typeof InlineTasksConfig>): TaskSource {
  const c = InlineTasksConfig.parse(config);
  const all: Task[] = c.tasks.map((t, i) => toTask(t, i, c.split));
  return { name: 'inline', tasks: async (split) => all.filter((t) => t.split === split) };
}

export const inlineTasksPlugin = definePlugin({
  kind: 'tasks',
  name: 'inline',
  description: 'Tasks written directly in the pipeline file ({ id, split, prompt, answer, metadata }).',
  configSchema: InlineTasksConfig,
  create: (config) => createInlineTasks(config),
});
