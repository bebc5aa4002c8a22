import type { Task } from '../model/Task.js';

/** Provides tasks by split. Must return the same tasks in the same order for the same configuration. */
export interface TaskSource {
  readonly name: string;
  tasks(split: string): Promise<readonly Task[]>;
}
