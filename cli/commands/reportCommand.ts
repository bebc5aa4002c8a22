import { resolve } from 'node:path';
import type { Command } from 'commander';
import { MappaError } from '../../core/util/MappaError.js';
import { writeReportAfterRun } from '../writeReportAfterRun.js';
import { afterRunHooks } from '../runHooks.js';

interface ReportCommandOptions {
  out?: string;
  labels?: string;
  title?: string;
  maxEpisodes: string;
  maxText: string;
  taskTypeKey?: string;
  plotsDir?: string;
  plots: boolean;
}

function positiveInt(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new MappaError(`${flag} must be a whole number ≥ ${min}, got "${value}"`, { hint: `e.g. ${flag} 500` });
  return n;
}

/** `mappa report RUN_DIR [RUN_DIR ...]`, and the after-run hook that writes the report when `mappa train` ends. */
export function registerReportCommand(program: Command): void {
  if (!afterRunHooks.includes(writeReportAfterRun)) afterRunHooks.push(writeReportAfterRun);
  program
    .command('report')
    .description('write one self-contained HTML report (curves, coach view, episode inspector) for one or more runs, plus SVG plots')
    .argument('<runDirs...>', 'run directories; several are drawn side by side on the same axes')
    .option('--out <file>', 'HTML file to write (default: RUN_DIR/report.html for one run, ./mappa-report.html for several)')
    .option('--labels <names>', 'comma-separated names for the runs, in order (default: directory names)')
    .option('--title <title>', 'page title')
    .option('--max-episodes <n>', 'episodes per run embedded for the inspector (a fixed sample beyond that)', '500')
    .option('--max-text <chars>', 'longest text kept per field; longer ones are cut in the middle, visibly', '12000')
    .option('--task-type-key <field>', 'task metadata field for the per-task-type coach view (default: taskType, type, category, …)')
    .option('--plots-dir <dir>', 'where the SVG plots go (default: next to the HTML file, in <name>-plots/)')
    .option('--no-plots', 'do not write SVG plots')
    .action(async (runDirs: string[], opts: ReportCommandOptions) => {
      const { writeReport } = await import('../../plugins/exporters/report/writeReport.js');
      const out = opts.out ?? (runDirs.length === 1 ? resolve(runDirs[0]!, 'report.html') : resolve('mappa-report.html'));
      const labels = opts.labels?.split(',').map((l) => l.trim());
      if (labels && labels.length !== runDirs.length) {
        throw new MappaError(`--labels names ${labels.length} run(s) but ${runDirs.length} run director${runDirs.length === 1 ? 'y was' : 'ies were'} given`, {
          hint: 'give one name per run directory, comma-separated, e.g. --labels process,outcome',
        });
      }
      const result = await writeReport({
        runDirs,
        out,
        ...(labels ? { labels } : {}),
        ...(opts.title ? { title: opts.title } : {}),
        maxEpisodes: positiveInt(opts.maxEpisodes, '--max-episodes', 0),
        maxTextChars: positiveInt(opts.maxText, '--max-text', 100),
        ...(opts.taskTypeKey ? { taskTypeKey: opts.taskTypeKey } : {}),
        ...(opts.plots ? (opts.plotsDir ? { plotsDir: opts.plotsDir } : {}) : { plotsDir: false as const }),
      });
      for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
      process.stdout.write(`report: ${result.out} (${(result.bytes / 1024).toFixed(0)} KB)\n`);
      if (result.plots.length) process.stdout.write(`plots: ${result.plots.join('\n       ')}\n`);
    });
}
