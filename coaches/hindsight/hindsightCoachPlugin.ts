import { z } from 'zod';
import type { Coach } from '../../core/contracts/Coach.js';
import { pluginRef } from '../../core/plugins/pluginRef.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { HindsightCoach, type HindsightBlame } from './HindsightCoach.js';

export const HindsightCoachConfig = z.strictObject({
  judge: pluginRef('coach').describe('Action-scope coach that re-scores each action after the episode: a rule coach, or an LLM coach with template builtin:hindsight'),
  blame: z
    .enum(['outcome-anchored', 'judge'])
    .default('outcome-anchored')
    .describe('outcome-anchored: reconcile the judge with the outcome (right episode → at least successFloor; wrong and nobody blamed → at most failScore); judge: its scores as they are'),
  threshold: z.number().min(0).max(10).default(5).describe('A judge score below this blames the action'),
  successFloor: z.number().min(0).max(10).default(10).describe('Lowest score of an action in a right episode'),
  failScore: z.number().min(0).max(10).default(0).describe('Highest score of an action in a wrong episode the judge blamed nobody for'),
  laterActionLimit: z.number().int().min(0).default(2000).describe('Characters of each later action shown to the judge (0 = all)'),
});

/** Plain factory: give the judge coach you built. */
export function createHindsightCoach(options: {
  judge: Coach;
  blame?: HindsightBlame;
  threshold?: number;
  successFloor?: number;
  failScore?: number;
  laterActionLimit?: number;
}): Coach {
  return new HindsightCoach({
    judge: options.judge,
    blame: options.blame ?? 'outcome-anchored',
    threshold: options.threshold ?? 5,
    successFloor: options.successFloor ?? 10,
    failScore: options.failScore ?? 0,
    laterActionLimit: options.laterActionLimit ?? 2000,
  });
}

export const hindsightCoachPlugin = definePlugin({
  kind: 'coach',
  name: 'hindsight',
  description: 'Episode-scope coach: after the episode, a judge re-scores every action knowing the outcome and the later actions; blame flows back from the outcome.',
  configSchema: HindsightCoachConfig,
  create: async (config, deps) => {
    const { judge: ref, ...rest } = config;
    const judge = await deps.plugins.create('coach', ref, `${deps.path}.judge`);
    return createHindsightCoach({ judge, ...rest });
  },
});
