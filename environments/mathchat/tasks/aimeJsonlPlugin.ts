import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { TaskSource } from '../../../core/contracts/TaskSource.js';
import type { Task } from '../../../core/model/Task.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { Rng } from '../../../core/util/Rng.js';

export const AimeJsonlConfig = z.strictObject({
  splits: z
    .record(z.string(), z.string())
    .refine((s) => Object.keys(s).length > 0, 'name at least one split')
    .describe('One file per split, relative to the pipeline file: JSONL (one problem per line) or a JSON array'),
  problemField: z.string().default('problem'),
  answerField: z.string().default('answer'),
  /** Used for the task id when present; otherwise `year-problem_number` or the line number. */
  idField: z.string().default('id'),
  taskType: z.string().default('competition').describe('metadata.taskType of every task (coach statistics are grouped by it)'),
  /** Fields never copied into task metadata (worked solutions would leak the answer to coach templates). */
  excludeFields: z.array(z.string()).default(['solution', 'solutions']),
  /** Random subset per split, e.g. `{ train: 512 }` (the paper trains on 512 of 933 AIME problems, seed 42). */
  sample: z.record(z.string(), z.number().int().min(1)).default({}),
  sampleSeed: z.number().int().default(42),
});
export type AimeJsonlConfig = z.output<typeof AimeJsonlConfig>;

function rowsOf(text: string, file: string): Array<{ row: Record<string, unknown>; line: number }> {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(text);
    } catch (err) {
      throw new MappaError(`${file}: invalid JSON (${(err as Error).message})`);
    }
    return (arr as unknown[]).map((row, i) => {
      if (row === null || typeof row !== 'object') throw new MappaError(`${file}: item ${i} is not an object`);
      return { row: row as Record<string, unknown>, line: i + 1 };
    });
  }
  const out: Array<{ row: Record<string, unknown>; line: number }> = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    try {
      out.push({ row: JSON.parse(line) as Record<string, unknown>, line: i + 1 });
    } catch (err) {
      throw new MappaError(`${file}:${i + 1}: invalid JSON (${(err as Error).message})`);
    }
  }
  return out;
}

/** Reads AIME/AMC-style problems (`problem`, `answer`, optional `id`, `year`, …) into tasks. */
export async function readAimeFile(file: string, split: string, c: AimeJsonlConfig): Promise<Task[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MappaError(`cannot read problem file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      hint: `check splits.${split} (paths are relative to the pipeline file)`,
    });
  }
  const tasks = rowsOf(text, file).map(({ row, line }) => {
    const problem = row[c.problemField];
    if (typeof problem !== 'string' || !problem.trim()) {
      throw new MappaError(`${file}:${line}: field "${c.problemField}" is missing or empty`, { hint: 'set problemField to the name your file uses' });
    }
    const answer = row[c.answerField];
    if (answer === undefined || answer === null || answer === '') {
      throw new MappaError(`${file}:${line}: field "${c.answerField}" is missing`, { hint: 'set answerField to the name your file uses' });
    }
    const id =
      row[c.idField] !== undefined
        ? String(row[c.idField])
        : row['year'] !== undefined && row['problem_number'] !== undefined
          ? `${String(row['year'])}-${String(row['problem_number'])}`
          : `${split}-${line}`;
    const metadata: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (k === c.problemField || k === c.answerField || k === c.idField || c.excludeFields.includes(k)) continue;
      metadata[k] = v;
    }
    if (metadata['difficulty'] === undefined && row['level'] !== undefined) metadata['difficulty'] = row['level'];
    metadata['taskType'] = c.taskType;
    return { id, split, prompt: problem, groundTruth: String(answer).trim(), metadata } satisfies Task;
  });
  const ids = new Set<string>();
  for (const t of tasks) {
    if (ids.has(t.id)) throw new MappaError(`${file}: duplicate task id "${t.id}"`, { hint: 'give every problem a unique id, or set idField' });
    ids.add(t.id);
  }
  const n = c.sample[split];
  if (n === undefined || n >= tasks.length) return tasks;
  return Rng.fromSeed(deriveSeed(c.sampleSeed, 'aime-jsonl', split)).shuffle(tasks).slice(0, n);
}

export function createAimeJsonlTasks(config: z.input<typeof AimeJsonlConfig>, baseDir = process.cwd()): TaskSource {
  const c = AimeJsonlConfig.parse(config);
  const cache = new Map<string, Promise<Task[]>>();
  return {
    name: 'aime-jsonl',
    tasks: (split) => {
      const file = c.splits[split];
      if (!file) return Promise.resolve([]);
      let p = cache.get(split);
      if (!p) {
        p = readAimeFile(isAbsolute(file) ? file : resolve(baseDir, file), split, c);
        cache.set(split, p);
      }
      return p;
    },
  };
}

export const aimeJsonlPlugin = definePlugin({
  kind: 'tasks',
  name: 'aime-jsonl',
  description: 'AIME/AMC-style problem files (JSONL or a JSON array of { problem, answer, id?, year? }) per split, optional seeded subset.',
  configSchema: AimeJsonlConfig,
  create: (config, deps) => createAimeJsonlTasks(config, deps.run.baseDir),
});
