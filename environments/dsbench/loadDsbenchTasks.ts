import { existsSync } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Task } from '../../core/model/Task.js';
import { MappaError } from '../../core/util/MappaError.js';
import { packageRoot } from '../../core/util/packageRoot.js';
import type { DsbenchTaskFiles, DsbenchTaskMetadata, TaskType } from './DsbenchTaskMeta.js';
import { detectDataType } from './grading/detectDataType.js';
import { detectMetricFromText, higherIsBetter, normalizeMetricName, taskTypeOfMetric } from './grading/metricNames.js';
import { column, parseCsv } from './grading/parseCsv.js';

/** The bundled dsbench-mini data root. */
export function dsbenchMiniRoot(): string {
  return join(packageRoot(), 'examples', 'dsbench', 'dsbench-mini');
}

export interface LoadDsbenchTasksOptions {
  /** Folder holding `data/task`, `data/data_resplit` and `data/answers` (default: the bundled dsbench-mini). */
  readonly root?: string | undefined;
  /** JSONL task lists by split (the reference code's format or dsbench-mini's `tasks.jsonl`). */
  readonly lists?: Readonly<Record<string, string>> | undefined;
  /** Base folder for relative `train_file` / `test_file` / `answer_dir` paths in the lists (default: each list's folder). */
  readonly listPathsBase?: string | undefined;
  /** The reference code's `dsbench_modeling_cleaned_prompts.json` (task id → cleaned prompt, metric, task type, columns). */
  readonly cleanedPrompts?: string | undefined;
  /** Task names per split; overrides the split written in the lists. */
  readonly names?: Readonly<Record<string, readonly string[]>> | undefined;
  /** Split of tasks whose list row names none. */
  readonly defaultSplit?: string | undefined;
  /** Read the answers to decide classification vs regression when neither the metric nor a curated type says. */
  readonly detectDataType?: boolean | undefined;
  /** Relative paths in these options resolve against this folder (the pipeline file's folder). */
  readonly baseDir?: string | undefined;
}

interface CleanedPrompt {
  readonly cleaned_prompt?: string;
  readonly metric?: string;
  readonly task_type?: string;
  readonly target_column?: string | string[];
  readonly id_column?: string;
}

type Row = Record<string, unknown>;
interface SourcedRow {
  readonly row: Row;
  readonly split: string;
  readonly base: string;
  readonly where: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
const isTaskType = (v: unknown): v is TaskType => v === 'classification' || v === 'regression';

async function readJsonRows(file: string): Promise<Row[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MappaError(`cannot read DSBench task list ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { hint: 'check tasks.lists in the pipeline file' });
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as Row[];
  return trimmed
    .split('\n')
    .map((l, i) => [l.trim(), i] as const)
    .filter(([l]) => l !== '')
    .map(([l, i]) => {
      try {
        return JSON.parse(l) as Row;
      } catch (err) {
        throw new MappaError(`${file}:${i + 1}: invalid JSON (${(err as Error).message})`);
      }
    });
}

/** The header of a CSV file, reading only its first 64 KB. */
async function readHeader(file: string): Promise<string[] | undefined> {
  if (!existsSync(file)) return undefined;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    return parseCsv(text.split(/\r?\n/)[0] ?? '').header;
  } finally {
    await fh.close();
  }
}

function requireFile(file: string, what: string, taskId: string): void {
  if (!existsSync(file)) {
    throw new MappaError(`DSBench task ${taskId}: ${what} not found at ${file}`, {
      hint: 'point tasks.root at the folder holding data/data_resplit and data/answers (DSBench data.zip), or fix the paths in the task list',
    });
  }
}

async function toTask(s: SourcedRow, root: string, cleaned: Record<string, CleanedPrompt>, detect: boolean): Promise<Task> {
  const meta: Row = { ...s.row, ...((s.row.metadata as Row | undefined) ?? {}) };
  const id = str(meta.task_id) ?? str(meta.name) ?? str(meta.id);
  if (!id) throw new MappaError(`${s.where}: task row has no task_id (or name)`, { hint: 'each row needs task_id, or metadata.task_id as in the reference lists' });
  const c = cleaned[id];
  const at = (p: unknown) => (typeof p === 'string' ? (isAbsolute(p) ? p : resolve(s.base, p)) : undefined);
  const dataDir = join(root, 'data', 'data_resplit', id);
  const trainFile = at(meta.train_file) ?? join(dataDir, 'train.csv');
  const testFile = at(meta.test_file) ?? join(dataDir, 'test.csv');
  const answerFile = at(meta.answer_file) ?? join(at(meta.answer_dir) ?? join(root, 'data', 'answers', id), 'test_answer.csv');
  const sampleSubmission = at(meta.sample_submission_file) ?? join(dirname(trainFile), 'sample_submission.csv');
  requireFile(trainFile, 'train.csv', id);
  requireFile(testFile, 'test.csv', id);
  requireFile(answerFile, 'test_answer.csv', id);
  const taskTextFile = join(root, 'data', 'task', `${id}.txt`);
  const prompt = c?.cleaned_prompt ?? str(meta.prompt) ?? (existsSync(taskTextFile) ? await readFile(taskTextFile, 'utf8') : undefined);
  if (prompt === undefined) throw new MappaError(`DSBench task ${id}: no prompt in the list and no ${taskTextFile}`);
  const sampleHeader = await readHeader(sampleSubmission);
  const testHeader = (await readHeader(testFile)) ?? [];
  const targetRaw = meta.target ?? meta.target_column ?? c?.target_column ?? (sampleHeader && sampleHeader.length >= 2 ? (sampleHeader.length === 2 ? sampleHeader[1] : sampleHeader.slice(1)) : undefined);
  const target = Array.isArray(targetRaw) ? targetRaw.map(String) : str(targetRaw);
  if (!target || (Array.isArray(target) && target.length === 0)) {
    throw new MappaError(`DSBench task ${id}: cannot tell the target column`, { hint: 'add target (or target_column) to the task row, or provide sample_submission.csv' });
  }
  const idColumn = str(meta.id_column) ?? c?.id_column ?? sampleHeader?.[0] ?? testHeader[0];
  if (!idColumn) throw new MappaError(`DSBench task ${id}: cannot tell the id column`, { hint: 'add id_column to the task row' });
  const metric = normalizeMetricName(str(meta.metric) ?? c?.metric ?? detectMetricFromText(prompt));
  const listed = str(meta.data_type);
  const curated = isTaskType(c?.task_type) ? c.task_type : isTaskType(meta.taskType) ? meta.taskType : undefined;
  let taskType: TaskType | undefined = taskTypeOfMetric(metric);
  let source: DsbenchTaskMetadata['dataTypeSource'] = 'metric';
  if (!taskType && curated) [taskType, source] = [curated, 'curated'];
  if (!taskType && detect) {
    const answers = parseCsv(await readFile(answerFile, 'utf8'));
    const values = column(answers, Array.isArray(target) ? target[0]! : (target as string));
    if (values) [taskType, source] = [detectDataType(values), 'detected'];
  }
  if (!taskType && isTaskType(listed)) [taskType, source] = [listed, 'list'];
  if (!taskType) throw new MappaError(`DSBench task ${id}: cannot tell classification from regression`, { hint: 'add data_type or metric to the task row' });
  const hib = higherIsBetter(metric);
  const baselineScore = num(meta.baseline_score);
  const gtScore = num(meta.gt_score);
  const metadata: DsbenchTaskMetadata = {
    name: id,
    taskType,
    dataType: taskType,
    dataTypeSource: source,
    ...(listed !== undefined && listed !== taskType ? { listedDataType: listed } : {}),
    metric,
    ...(hib !== undefined ? { higherIsBetter: hib } : {}),
    target,
    idColumn,
    ...(baselineScore !== undefined ? { baselineScore } : {}),
    ...(gtScore !== undefined ? { gtScore } : {}),
    ...(str(meta.url) ? { url: str(meta.url)! } : {}),
  };
  const files: DsbenchTaskFiles = {
    kind: 'dsbench',
    trainFile,
    testFile,
    ...(existsSync(sampleSubmission) ? { sampleSubmissionFile: sampleSubmission } : {}),
    answerFile,
  };
  return { id, split: s.split, prompt, groundTruth: files, metadata };
}

/**
 * Loads DSBench modeling tasks, in order, from (first that applies): explicit task lists; the root's `tasks.jsonl`
 * (dsbench-mini); or every `data/task/<name>.txt` under the root. File paths, target and id columns come from the
 * list, the cleaned prompts or the files themselves (`sample_submission.csv`'s header). The task type is decided by
 * the metric, then a curated type, then the answers (string multiclass → classification), then the list's
 * `data_type` (which the reference lists sometimes get wrong; the disagreement is kept as `listedDataType`).
 */
export async function loadDsbenchTasks(options: LoadDsbenchTasksOptions = {}): Promise<Task[]> {
  const baseDir = options.baseDir ?? process.cwd();
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const root = options.root ? abs(options.root) : dsbenchMiniRoot();
  const defaultSplit = options.defaultSplit ?? 'train';
  const sourced: SourcedRow[] = [];
  if (options.lists && Object.keys(options.lists).length > 0) {
    for (const [split, list] of Object.entries(options.lists)) {
      const file = abs(list);
      const base = options.listPathsBase ? abs(options.listPathsBase) : dirname(file);
      (await readJsonRows(file)).forEach((row, i) => sourced.push({ row, split, base, where: `${file}:${i + 1}` }));
    }
  } else if (existsSync(join(root, 'tasks.jsonl'))) {
    const file = join(root, 'tasks.jsonl');
    (await readJsonRows(file)).forEach((row, i) => sourced.push({ row, split: str(row.split) ?? defaultSplit, base: root, where: `${file}:${i + 1}` }));
  } else {
    const taskDir = join(root, 'data', 'task');
    let names: string[];
    try {
      names = (await readdir(taskDir)).filter((n) => n.endsWith('.txt')).map((n) => basename(n, '.txt')).sort();
    } catch {
      throw new MappaError(`no DSBench tasks under ${root}: neither tasks.jsonl nor ${taskDir}`, { hint: 'set tasks.root to the DSBench data folder or give tasks.lists' });
    }
    for (const name of names) sourced.push({ row: { task_id: name }, split: defaultSplit, base: root, where: join(taskDir, `${name}.txt`) });
  }
  let selected = sourced;
  if (options.names) {
    const byId = new Map(sourced.map((s) => [str(s.row.task_id) ?? str((s.row.metadata as Row | undefined)?.task_id) ?? str(s.row.name) ?? '', s]));
    selected = [];
    for (const [split, names] of Object.entries(options.names)) {
      for (const name of names) {
        const s = byId.get(name);
        if (!s) throw new MappaError(`DSBench task "${name}" (tasks.names.${split}) is not in the task list`, { hint: `known tasks: ${[...byId.keys()].join(', ')}` });
        selected.push({ ...s, split });
      }
    }
  }
  let cleaned: Record<string, CleanedPrompt> = {};
  if (options.cleanedPrompts) {
    const file = abs(options.cleanedPrompts);
    try {
      cleaned = JSON.parse(await readFile(file, 'utf8')) as Record<string, CleanedPrompt>;
    } catch (err) {
      throw new MappaError(`cannot read cleaned prompts ${file}: ${(err as Error).message}`);
    }
  }
  const detect = options.detectDataType ?? true;
  const tasks: Task[] = [];
  for (const s of selected) tasks.push(await toTask(s, root, cleaned, detect));
  return tasks;
}
