import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { Coach } from '../../core/contracts/Coach.js';
import type { Logger } from '../../core/contracts/Logger.js';
import { pluginRef } from '../../core/plugins/pluginRef.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import type { CalibrationItem, NormalizeBy } from './BiasMonitorCoach.js';

export const BiasMonitorConfig = z.strictObject({
  coach: pluginRef('coach').describe('The coach being watched'),
  taskTypeKey: z.string().default('taskType').describe('Task metadata field that holds the task type'),
  normalize: z.enum(['none', 'agent', 'task-type', 'agent-task-type']).default('none').describe('Normalize scores per stratum'),
  normalizeMethod: z.enum(['center', 'zscore']).default('center'),
  minCount: z.number().int().min(1).default(20).describe('Scores a stratum needs (from earlier steps) before it is normalized'),
  calibration: z.string().optional().describe('JSON file of fixed actions (action-file format, plus optional id and expectedScore)'),
  calibrationEvery: z.number().int().min(1).default(10).describe('Re-score the calibration set every N training steps'),
  driftWarnAbove: z.number().min(0).default(1).describe('Warn when the mean absolute calibration drift exceeds this'),
});

export interface BiasMonitorFactoryOptions {
  readonly coach: Coach;
  readonly taskTypeKey?: string;
  readonly normalize?: NormalizeBy;
  readonly normalizeMethod?: 'center' | 'zscore';
  readonly minCount?: number;
  /** Calibration file (path) or items. */
  readonly calibration?: string | readonly CalibrationItem[];
  readonly calibrationEvery?: number;
  readonly driftWarnAbove?: number;
  readonly stateFile?: string;
  readonly logger?: Logger;
}

/** Plain factory: wraps a coach with the bias monitor. */
export async function createBiasMonitorCoach(o: BiasMonitorFactoryOptions): Promise<Coach> {
  const [{ BiasMonitorCoach }, { readCalibrationSet }] = await Promise.all([import('./BiasMonitorCoach.js'), import('./readCalibrationSet.js')]);
  const items = typeof o.calibration === 'string' ? await readCalibrationSet(o.calibration) : o.calibration;
  return new BiasMonitorCoach({
    inner: o.coach,
    taskTypeKey: o.taskTypeKey ?? 'taskType',
    normalize: o.normalize ?? 'none',
    normalizeMethod: o.normalizeMethod ?? 'center',
    minCount: o.minCount ?? 20,
    calibration: items ? { items, every: o.calibrationEvery ?? 10, warnAbove: o.driftWarnAbove ?? 1 } : undefined,
    stateFile: o.stateFile,
    logger: o.logger,
  });
}

export const biasMonitorPlugin = definePlugin({
  kind: 'coach',
  name: 'bias-monitor',
  description: 'Wraps a coach: running mean score per agent and task type, calibration drift every N steps, optional per-stratum normalization.',
  configSchema: BiasMonitorConfig,
  create: async (config, deps) => {
    const coach = await deps.plugins.create('coach', config.coach, `${deps.path}.coach`);
    const { coach: _ref, calibration, ...settings } = config;
    return createBiasMonitorCoach({
      ...settings,
      coach,
      ...(calibration ? { calibration: isAbsolute(calibration) ? calibration : resolve(deps.run.baseDir, calibration) } : {}),
      stateFile: join(deps.run.runDir, 'coach-bias-monitor.json'),
      logger: deps.logger,
    });
  },
});
