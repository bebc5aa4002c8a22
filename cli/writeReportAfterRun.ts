import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { AfterRunHook } from './runHooks.js';

/** The run's `run.report` flag from its config.resolved.yaml (true when absent, as in the pipeline schema). */
export async function reportEnabled(runDir: string): Promise<boolean> {
  const file = join(runDir, 'config.resolved.yaml');
  if (!existsSync(file)) return true;
  const config = parseYaml(await readFile(file, 'utf8')) as { run?: { report?: unknown } } | null;
  return config?.run?.report !== false;
}

/** After `mappa train` / `mappa run` ends (also on Ctrl-C): RUN_DIR/report.html and RUN_DIR/report-plots/*.svg. */
export const writeReportAfterRun: AfterRunHook = async (runDir, logger) => {
  if (!(await reportEnabled(runDir))) {
    logger.debug('run.report is false: no HTML report written');
    return;
  }
  // Loaded only when a run ends, so other commands do not pay for it.
  const { writeReport } = await import('../plugins/exporters/report/writeReport.js');
  const t0 = performance.now();
  const result = await writeReport({ runDirs: [runDir], out: join(runDir, 'report.html') });
  logger.info(`report: ${result.out} (${(result.bytes / 1024).toFixed(0)} KB, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
};
