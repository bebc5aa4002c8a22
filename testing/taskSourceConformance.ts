import { describe, expect, it } from 'vitest';
import { contractProblems } from '../core/plugins/pluginContracts.js';
import type { TaskSource } from '../core/contracts/TaskSource.js';

export interface TaskSourceConformanceOptions {
  /** Creates a fresh task source; called once per test. */
  readonly create: () => Promise<TaskSource>;
  /** Splits that must have tasks (default: train). */
  readonly splits?: readonly string[];
}

export function describeTaskSourceConformance(name: string, o: TaskSourceConformanceOptions): void {
  const splits = o.splits ?? ['train'];
  describe(`TaskSource conformance: ${name}`, () => {
    it('gives tasks with unique ids, the asked split, a prompt and metadata', async () => {
      const source = await o.create();
      expect(contractProblems('tasks', source)).toEqual([]);
      for (const split of splits) {
        const tasks = await source.tasks(split);
        expect(tasks.length, `tasks in split "${split}"`).toBeGreaterThan(0);
        expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
        for (const t of tasks) {
          expect(t.split).toBe(split);
          expect(typeof t.prompt).toBe('string');
          expect(typeof t.metadata).toBe('object');
        }
      }
    });

    it('gives the same tasks in the same order for the same configuration', async () => {
      const [a, b] = [await o.create(), await o.create()];
      for (const split of splits) expect(await b.tasks(split)).toEqual(await a.tasks(split));
    });

    it('gives no tasks for an unknown split', async () => {
      const source = await o.create();
      expect(await source.tasks('no-such-split-xyz')).toHaveLength(0);
    });
  });
}
