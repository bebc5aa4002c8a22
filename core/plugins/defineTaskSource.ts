import { z } from 'zod';
import type { TaskSource } from '../contracts/TaskSource.js';
import type { Task } from '../model/Task.js';
import { MappaError } from '../util/MappaError.js';
import { definePlugin } from './definePlugin.js';
import type { PluginDeps, PluginDefinition } from './PluginDefinition.js';

/** A task as a task source writes it: `split` and `metadata` may be left out. */
export type TaskInput = Omit<Task, 'metadata' | 'split'> & { readonly split?: string; readonly metadata?: Task['metadata'] };

export interface DefineTaskSourceOptions<S extends z.ZodType> {
  readonly name: string;
  readonly description: string;
  /** Config schema (everything next to `use:`). Default: no fields. */
  readonly config?: S;
  /**
   * All tasks, in a fixed order for a fixed config (the runner samples from them with the pipeline seed).
   * Tasks without a `split` go to `train`.
   */
  tasks(config: z.output<S>, deps: PluginDeps): readonly TaskInput[] | Promise<readonly TaskInput[]>;
}

/** Declares a task source: list the tasks once; splitting, defaults and duplicate-id checks are done here. */
export function defineTaskSource<S extends z.ZodType = z.ZodObject<{}, z.core.$strict>>(options: DefineTaskSourceOptions<S>): PluginDefinition<'tasks', z.output<S>> {
  return definePlugin({
    kind: 'tasks',
    name: options.name,
    description: options.description,
    configSchema: (options.config ?? z.strictObject({})) as unknown as z.ZodType<z.output<S>>,
    create: (config, deps): TaskSource => {
      let all: Promise<Task[]> | undefined;
      const load = async (): Promise<Task[]> => {
        const tasks = (await options.tasks(config, deps)).map((t) => ({ ...t, split: t.split ?? 'train', metadata: t.metadata ?? {} }));
        const seen = new Set<string>();
        for (const t of tasks) {
          if (seen.has(t.id)) throw new MappaError(`task source "${options.name}" has two tasks with id "${t.id}"`, { hint: 'task ids must be unique' });
          seen.add(t.id);
        }
        return tasks;
      };
      return {
        name: options.name,
        async tasks(split) {
          all ??= load();
          return (await all).filter((t) => t.split === split);
        },
      };
    },
  });
}
