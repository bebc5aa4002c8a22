import { z } from 'zod';
import type { Task } from '../../core/model/Task.js';

export const TaskInputSchema = z.strictObject({
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  split: z.string().optional(),
  prompt: z.string(),
  answer: z.unknown().optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});

export function toTask(input: z.output<typeof TaskInputSchema>, index: number, defaultSplit: string): Task {
  return {
    id: input.id ?? `task-${index}`,
    split: input.split ?? defaultSplit,
    prompt: input.prompt,
    ...(input.answer !== undefined ? { groundTruth: input.answer } : {}),
    metadata: input.metadata,
  };
}
