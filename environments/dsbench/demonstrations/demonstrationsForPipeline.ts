import type { DemonstrationPipeline } from '../../../core/contracts/DemonstrationSource.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { DsbenchEnvironmentConfig } from '../DsbenchEnvironmentConfig.js';
import { createDsbenchTasks } from '../dsbenchTasksPlugin.js';
import type { DemonstrationRatesInput } from './DemonstrationRates.js';
import { type DsbenchDemonstrationSet, generateDsbenchDemonstrations } from './generateDsbenchDemonstrations.js';

export interface PipelineDemonstrationOptions {
  /** Split of the pipeline's task source to demonstrate on (default `train`; never the evaluation split in practice). */
  readonly split?: string;
  /** Demonstrated episodes per task (default 25). */
  readonly perTask?: number;
  readonly rates?: DemonstrationRatesInput;
  /** Default: the pipeline's seed. */
  readonly seed?: number;
}

/**
 * Demonstrations for a validated DSBench pipeline: tasks from its `dsbench` task source, prompts from its agents'
 * templates, file lists and warnings as its `dsbench` environment (with `helperModule: true`) shows them.
 */
export async function demonstrationsForPipeline(pipeline: DemonstrationPipeline, options: PipelineDemonstrationOptions = {}): Promise<DsbenchDemonstrationSet> {
  const { use: taskPlugin, ...taskConfig } = pipeline.spec.tasks;
  if (taskPlugin !== 'dsbench') {
    throw new MappaError(`DSBench demonstrations need DSBench tasks, but tasks use "${taskPlugin}"`, { hint: 'use `tasks: { use: dsbench }`' });
  }
  const { use: envPlugin, ...envConfig } = pipeline.spec.environment;
  if (envPlugin !== 'dsbench') {
    throw new MappaError(`DSBench demonstrations are made for the dsbench environment, not "${envPlugin}"`, { hint: 'set `environment: { use: dsbench, helperModule: true }`' });
  }
  const env = DsbenchEnvironmentConfig.parse(envConfig);
  if (!env.helperModule) {
    throw new MappaError('DSBench demonstrations are dsb.py programs, but the environment has helperModule: false', {
      hint: 'set `environment: { helperModule: true }` (the helper keeps small policies\' programs short)',
    });
  }
  const split = options.split ?? 'train';
  const tasks = await createDsbenchTasks(taskConfig, pipeline.baseDir).tasks(split);
  if (tasks.length === 0) throw new MappaError(`no DSBench tasks in split "${split}" to demonstrate on`, { hint: 'check warmStart.demonstrations.split and the task source' });
  return generateDsbenchDemonstrations({
    tasks,
    agents: pipeline.agents,
    seed: options.seed ?? pipeline.spec.seed,
    environment: { submissionFile: env.submissionFile, copySampleSubmission: env.copySampleSubmission, ...(env.stages ? { stages: env.stages } : {}) },
    ...(options.perTask !== undefined ? { perTask: options.perTask } : {}),
    ...(options.rates ? { rates: options.rates } : {}),
  });
}
