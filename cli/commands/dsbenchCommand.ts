import { constants, existsSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { MappaError } from '../../core/util/MappaError.js';
import type { DsbenchTaskMetadata } from '../../environments/dsbench/DsbenchTaskMeta.js';
import { isDsbenchTaskFiles } from '../../environments/dsbench/DsbenchTaskMeta.js';
import { createDsbenchDemonstrations, DsbenchDemonstrationsConfig } from '../../environments/dsbench/demonstrations/dsbenchDemonstrationsPlugin.js';
import { gradeSubmission } from '../../environments/dsbench/grading/gradeSubmission.js';
import { parseCsv } from '../../environments/dsbench/grading/parseCsv.js';
import { loadDsbenchTasks } from '../../environments/dsbench/loadDsbenchTasks.js';
import { loadPipelineForCli } from '../loadPipelineForCli.js';

interface GradeOpts {
  task: string;
  submission: string;
  name?: string;
  answers?: string;
  target?: string;
  idColumn?: string;
  metric?: string;
  taskType?: 'classification' | 'regression';
  lenient?: boolean;
}

/** Answers file and grading options for `--task DIR`: a data_resplit/<name> folder, a DSBench root with --name, or a folder with test_answer.csv. */
async function resolveTask(o: GradeOpts): Promise<{ name: string; answerFile: string; meta: Partial<DsbenchTaskMetadata> }> {
  const dir = resolve(o.task);
  if (!existsSync(dir)) throw new MappaError(`--task ${o.task}: no such folder`);
  const direct = o.answers ? resolve(o.answers) : join(dir, 'test_answer.csv');
  if (existsSync(direct) && !o.name) {
    const header = parseCsv((await readFile(direct, 'utf8')).split('\n')[0] ?? '').header;
    return { name: basename(dir), answerFile: direct, meta: { idColumn: header[0] ?? 'id', target: header.length === 2 ? header[1]! : header.slice(1) } };
  }
  const [root, name] = o.name ? [dir, o.name] : basename(dirname(dir)) === 'data_resplit' ? [resolve(dir, '..', '..', '..'), basename(dir)] : [undefined, undefined];
  if (!root || !name) {
    throw new MappaError(`--task ${o.task} is neither data/data_resplit/<name> of a DSBench layout nor a folder with test_answer.csv`, {
      hint: 'pass the task folder (e.g. examples/dsbench/dsbench-mini/data/data_resplit/titanic-mini), or the DSBench root with --name',
    });
  }
  const [task] = await loadDsbenchTasks({ root, names: { cli: [name] } });
  if (!task || !isDsbenchTaskFiles(task.groundTruth)) throw new MappaError(`task ${name} not found under ${root}`);
  return { name, answerFile: o.answers ? resolve(o.answers) : task.groundTruth.answerFile, meta: task.metadata as DsbenchTaskMetadata };
}

const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : undefined);

export function registerDsbenchCommand(program: Command): void {
  const dsbench = program.command('dsbench').description('DSBench data-science tasks: grading and demonstrations');

  dsbench
    .command('grade')
    .description('grade a submission CSV against a task\'s hidden answers and print the metrics as JSON')
    .requiredOption('--task <dir>', 'task folder: data/data_resplit/<name> of a DSBench layout, or a folder holding test_answer.csv')
    .requiredOption('--submission <file>', 'submission CSV (id column + prediction column)')
    .option('--name <name>', 'task name when --task is the DSBench root')
    .option('--answers <file>', 'answers CSV (default: the task\'s test_answer.csv)')
    .option('--target <column>', 'target column (default: from the task)')
    .option('--id-column <column>', 'id column (default: from the task)')
    .option('--metric <name>', 'task metric, e.g. accuracy, roc_auc, rmse, rmsle (default: from the task)')
    .option('--task-type <type>', 'classification or regression (default: from the task or detected)')
    .option('--lenient', 'match rows by order and take the second column when the id/target columns are missing (reference-code behaviour)')
    .action(async (opts: GradeOpts) => {
      const { name, answerFile, meta } = await resolveTask(opts);
      const submissionPath = resolve(opts.submission);
      const submission = await readSubmission(submissionPath);
      if (opts.taskType && opts.taskType !== 'classification' && opts.taskType !== 'regression') throw new MappaError(`--task-type ${opts.taskType}: use classification or regression`);
      const target = opts.target ?? meta.target;
      const idColumn = opts.idColumn ?? meta.idColumn;
      if (!target || !idColumn) throw new MappaError(`task ${name}: target or id column unknown`, { hint: 'pass --target and --id-column' });
      const taskType = opts.taskType ?? meta.taskType;
      const metric = opts.metric ?? (meta.metric !== 'unknown' ? meta.metric : undefined);
      const g = gradeSubmission(await readFile(answerFile, 'utf8'), submission, {
        target,
        idColumn,
        ...(taskType ? { taskType } : {}),
        ...(metric ? { metric } : {}),
        ...(meta.baselineScore !== undefined ? { baselineScore: meta.baselineScore } : {}),
        ...(meta.gtScore !== undefined ? { gtScore: meta.gtScore } : {}),
        columnMatching: opts.lenient ? 'lenient' : 'strict',
      });
      const report = {
        task: name,
        submission: submissionPath,
        valid: g.valid,
        ...(g.error ? { error: g.error } : {}),
        taskType: g.taskType,
        detectedType: g.detectedType,
        metric: g.metric,
        ...(g.score !== undefined ? { score: g.score } : {}),
        ...(finite(g.rpg) !== undefined ? { rpg: g.rpg } : {}),
        ...(meta.baselineScore !== undefined ? { baselineScore: meta.baselineScore } : {}),
        ...(meta.gtScore !== undefined ? { gtScore: meta.gtScore } : {}),
        metrics: Object.fromEntries(Object.entries(g.metrics).filter(([, v]) => Number.isFinite(v))),
        fair: g.fair,
      };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    });

  dsbench
    .command('demos')
    .description("print the SFT demonstrations a pipeline's warm start trains on (JSONL: agentId, messages, response, variant), per-agent counts on stderr")
    .argument('<pipeline>', 'pipeline file (its warmStart.demonstrations config is used when it is dsbench-demonstrations)')
    .option('--set <key=value...>', 'override pipeline fields, as for mappa train')
    .option('--out <file>', 'write the JSONL here instead of stdout')
    .action(async (file: string, opts: { set?: string[]; out?: string }) => {
      const { pipeline } = await loadPipelineForCli(file, opts.set ?? []);
      const ref = pipeline.spec.warmStart?.demonstrations;
      const { use, ...config } = ref?.use === 'dsbench-demonstrations' ? ref : { use: 'dsbench-demonstrations' };
      const source = createDsbenchDemonstrations(DsbenchDemonstrationsConfig.parse(config));
      const { demonstrations, stats } = await source.demonstrations({ pipeline, seed: pipeline.spec.seed });
      const jsonl = demonstrations.map((d) => JSON.stringify(d)).join('\n') + '\n';
      if (opts.out) await writeFile(resolve(opts.out), jsonl);
      else process.stdout.write(jsonl);
      process.stderr.write(`${use}: ${demonstrations.length} demonstrations ${JSON.stringify(stats)}\n`);
    });
}

/**
 * Reads the submission without following a symlink and only if it is a regular file, so the grader (often run as
 * root on agent output) never reads, and quotes in its errors, a file the submission merely points to.
 */
async function readSubmission(path: string): Promise<string | undefined> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new MappaError(`--submission ${path} is a symlink; refusing to follow it`, { hint: 'pass the CSV file itself' });
    throw new MappaError(`cannot read --submission ${path}: ${(err as Error).message}`);
  }
  try {
    if (!(await fh.stat()).isFile()) throw new MappaError(`--submission ${path} is not a regular file`, { hint: 'pass a CSV file' });
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}
