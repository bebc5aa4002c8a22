import type { DemonstrationPipeline } from '../../../core/contracts/DemonstrationSource.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { MathChatEnvironmentConfig } from '../mathchatEnvironmentPlugin.js';
import { problemToTask } from '../tasks/generateProblemSet.js';
import { createMathChatGenerator } from '../tasks/mathchatGeneratorPlugin.js';
import type { DemonstrationRatesInput } from './DemonstrationRates.js';
import { type DemonstrationSet, generateMathChatDemonstrations } from './generateMathChatDemonstrations.js';

export interface PipelineDemonstrationOptions {
  /** Split of the generator to draw problems from (default `train`; never the test split in practice). */
  readonly split?: string;
  /** At most this many problems (default: all of the split). */
  readonly count?: number;
  readonly rates?: DemonstrationRatesInput;
  /** See DemonstrationOptions.solverStatesResult. */
  readonly solverStatesResult?: boolean;
  /** Default: the pipeline's seed. */
  readonly seed?: number;
}

/**
 * Demonstrations for a validated MathChat pipeline: problems from its `mathchat-generator` task source, prompts from
 * its agents' templates, tool responses in its environment's format. For the SFT warm start of the built-in default.
 */
export async function demonstrationsForPipeline(pipeline: DemonstrationPipeline, options: PipelineDemonstrationOptions = {}): Promise<DemonstrationSet> {
  const { use: taskPlugin, ...taskConfig } = pipeline.spec.tasks;
  if (taskPlugin !== 'mathchat-generator') {
    throw new MappaError(`demonstrations need problems with known solutions, but tasks use "${taskPlugin}"`, {
      hint: 'use `tasks: { use: mathchat-generator }`, or call generateMathChatDemonstrations with your own problems and solutions',
    });
  }
  const { use: envPlugin, ...envConfig } = pipeline.spec.environment;
  if (envPlugin !== 'mathchat') {
    throw new MappaError(`demonstrations are made for the mathchat environment, not "${envPlugin}"`, { hint: 'set `environment: { use: mathchat }`' });
  }
  const env = MathChatEnvironmentConfig.parse(envConfig);
  const split = options.split ?? 'train';
  const problems = createMathChatGenerator(taskConfig)
    .problems(split)
    .slice(0, options.count)
    .map((p, i) => ({ task: problemToTask(p, split, i), solution: p.solution }));
  return generateMathChatDemonstrations({
    problems,
    agents: pipeline.agents,
    seed: options.seed ?? pipeline.spec.seed,
    toolName: env.toolName,
    toolFormat: env,
    roleOverrides: env.roles,
    ...(options.rates ? { rates: options.rates } : {}),
    ...(options.solverStatesResult !== undefined ? { solverStatesResult: options.solverStatesResult } : {}),
  });
}
