import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { TaskSource } from '../../core/contracts/TaskSource.js';
import type { Task } from '../../core/model/Task.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { MappaError } from '../../core/util/MappaError.js';

export const JsonlTasksConfig = z.strictObject({
  /** One JSONL file per split, relative to the pipeline file. */
  splits: z.record(z.string(), z.string()).refine((s) => Object.keys(s).length > 0, 'name at least one split'),
  idField: z.string().default('id'),
  promptField: z.string().default('prompt'),
  answerField: z.string().default('answer'),
  /** Other fields copied into task metadata (default: all remaining fields). */
  metadataFields: z.array(z.string()).optional(),
  limit: z.number().int().min(1).optional(),
});
export type JsonlTasksConfig = z.output<typeof JsonlTasksConfig>;

/** Reads a JSONL file into tasks; errors name the file and line. */
export async function readJsonlTasks(file: string, split: string, c: JsonlTasksConfig): Promise<Task[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MappaError(`cannot read task file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const tasks: Task[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      throw new MappaError(`${file}:${i + 1}: invalid JSON (${(err as Error).message})`);
    }
    const prompt = row[c.promptField];
    if (typeof prompt !== 'string') throw new MappaError(`${file}:${i + 1}: field "${c.promptField}" is missing or not a string`, { hint: 'set promptField' });
    const metadata: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (k === c.idField || k === c.promptField || k === c.answerField) continue;
      if (!c.metadataFields || c.metadataFields.includes(k)) metadata[k] = v;
    }
    tasks.push({
      id: row[c.idField] !== undefined ? String(row[c.idField]) : `${split}-${tasks.length}`,
      split,
      prompt,
      ...(row[c.answerField] !== undefined ? { groundTruth: row[c.answerField] } : {}),
      metadata,
    });
    if (c.limit && tasks.length >= c.limit) break;
  }
  return tasks;
}

export function createJsonlTasks(config: z.input<typeof JsonlTasksConfig>, baseDir = process.cwd()): TaskSource {
  const c = JsonlTasksConfig.parse(config);
  const cache = new Map<string, Promise<Task[]>>();
  return {
    name: 'jsonl',
    tasks: (split) => {
      const file = c.splits[split];
      if (!file) return Promise.resolve([]);
      const abs = isAbsolute(file) ? file : resolve(baseDir, file);
      if (!cache.has(split)) cache.set(split, readJsonlTasks(abs, split, c));
      return cache.get(split)!;
    },
  };
}

export const jsonlTasksPlugin = definePlugin({
  kind: 'tasks',
  name: 'jsonl',
  description: 'Tasks from JSONL files, one per split ({ id, prompt, answer, ... } with configurable field names).',
  configSchema: JsonlTasksConfig,
  create: (config, deps) => createJsonlTasks(config, deps.run.baseDir),
});
