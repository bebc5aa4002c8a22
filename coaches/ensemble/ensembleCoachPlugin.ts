import { z } from 'zod';
import type { Coach } from '../../core/contracts/Coach.js';
import { pluginRef } from '../../core/plugins/pluginRef.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';

export const EnsembleCoachConfig = z.strictObject({
  members: z.array(pluginRef('coach')).min(1).describe('Coaches asked for every action'),
  aggregate: z.enum(['mean', 'median', 'trimmed-mean']).default('mean'),
  trim: z.number().min(0).lt(0.5).default(0.2).describe('Share of scores dropped from each end for trimmed-mean'),
  escalate: pluginRef('coach').optional().describe('Expensive coach asked only when the members disagree'),
  escalateAbove: z.number().min(0).max(10).default(3).describe('Spread (max - min) of member scores above which `escalate` is asked'),
  escalateMode: z.enum(['join', 'replace']).default('join').describe('join: its score joins the aggregate; replace: it decides alone'),
  fallbackScore: z.number().min(0).max(10).default(5),
});

/** Plain factory for users who build the member coaches themselves. */
export async function createEnsembleCoach(options: {
  members: readonly Coach[];
  escalate?: Coach;
  aggregate?: 'mean' | 'median' | 'trimmed-mean';
  trim?: number;
  escalateAbove?: number;
  escalateMode?: 'join' | 'replace';
  fallbackScore?: number;
}): Promise<Coach> {
  const { EnsembleCoach } = await import('./EnsembleCoach.js');
  return new EnsembleCoach({
    members: options.members,
    escalate: options.escalate,
    aggregate: options.aggregate ?? 'mean',
    trim: options.trim ?? 0.2,
    escalateAbove: options.escalateAbove ?? 3,
    escalateMode: options.escalateMode ?? 'join',
    fallbackScore: options.fallbackScore ?? 5,
  });
}

export const ensembleCoachPlugin = definePlugin({
  kind: 'coach',
  name: 'ensemble',
  description: 'Several coaches per action aggregated by mean/median/trimmed mean; optional expensive coach only on disagreement.',
  configSchema: EnsembleCoachConfig,
  create: async (config, deps) => {
    const members = await Promise.all(config.members.map((ref, i) => deps.plugins.create('coach', ref, `${deps.path}.members[${i}]`)));
    const escalate = config.escalate ? await deps.plugins.create('coach', config.escalate, `${deps.path}.escalate`) : undefined;
    const { escalate: _ref, members: _refs, ...settings } = config;
    return createEnsembleCoach({ ...settings, members, ...(escalate ? { escalate } : {}) });
  },
});
