import { z } from 'zod';
import type { Coach, CoachInput } from '../../core/contracts/Coach.js';
import type { CoachEvaluation } from '../../core/model/CoachEvaluation.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { DSBENCH_STAGES } from '../../environments/dsbench/coachFacts.js';
import { dsbenchEvidence } from './dsbenchEvidence.js';
import { scoreDsbenchAction } from './scoreDsbenchAction.js';

export const DsbenchRuleCoachConfig = z.strictObject({
  checkLeakage: z.boolean().default(true).describe('Cap actions that fit on the test set (DE at 5, later agents at 3)'),
  checkTargetColumn: z.boolean().default(true).describe('Cap a Data Engineer whose labels come from a column other than the target (at 3)'),
  outlierRatio: z.number().positive().default(4).describe('Target range / IQR above which regression caps use RMSE % of IQR'),
  majorityAccuracy: z.number().min(0).max(1).default(0.7).describe('With accuracy at least this and F1 below majorityF1, the Analyst is capped at 4'),
  majorityF1: z.number().min(0).max(1).default(0.3),
  stages: z.record(z.string(), z.enum(DSBENCH_STAGES)).optional().describe('Agent id → stage (default: from the environment, else the agent id and role)'),
});
export type DsbenchRuleCoachConfig = z.input<typeof DsbenchRuleCoachConfig>;

/** Deterministic DSBench coach scoring each action from environment evidence (no network). */
export function createDsbenchRuleCoach(config: DsbenchRuleCoachConfig = {}): Coach {
  const c = DsbenchRuleCoachConfig.parse(config);
  return {
    name: 'dsbench-rule',
    scope: 'action',
    evaluate: async (input: CoachInput): Promise<CoachEvaluation> => {
      const r = scoreDsbenchAction(dsbenchEvidence(input, c.stages), c);
      return {
        score: r.score,
        rationale: r.rationale,
        raw: '',
        coach: 'dsbench-rule',
        flags: { repaired: false, fallback: false, cached: false },
        ...(typeof input.extras.submissionValid === 'boolean' ? { outcome: { name: 'SUBMISSION_VALID', value: input.extras.submissionValid ? 1 : 0 } } : {}),
        details: { verdict: r.verdict, ...(r.blame ? { blame: r.blame } : {}), ...(r.cap ? { cap: r.cap } : {}) },
      };
    },
  };
}

export const dsbenchRuleCoachPlugin = definePlugin({
  kind: 'coach',
  name: 'dsbench-rule',
  description: 'DSBench rule coach: code ran?, files saved, blame for missing upstream files, Analyst caps from ground-truth metrics. Deterministic.',
  configSchema: DsbenchRuleCoachConfig,
  create: (config) => createDsbenchRuleCoach(config),
});
