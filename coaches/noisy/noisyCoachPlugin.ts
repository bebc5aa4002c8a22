import { z } from 'zod';
import type { Coach } from '../../core/contracts/Coach.js';
import { pluginRef } from '../../core/plugins/pluginRef.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { NoisyCoach, type NoiseMode } from './NoisyCoach.js';

export const NoisyCoachConfig = z.strictObject({
  coach: pluginRef('coach').describe('The action-scope coach whose scores are corrupted'),
  rate: z.number().min(0).max(1).describe('Share of actions whose score is corrupted'),
  mode: z.enum(['random', 'shift-blame']).default('random').describe('random: a uniform 0–10 score; shift-blame: the upstream neighbour’s score'),
  seed: z.number().int().default(0).describe('Combined with the run seed; give ensemble members different seeds for independent noise'),
});

/** Plain factory: wrap a coach you built yourself. */
export function createNoisyCoach(options: { coach: Coach; rate: number; mode?: NoiseMode; seed?: number; runSeed?: number }): Coach {
  return new NoisyCoach({ inner: options.coach, rate: options.rate, mode: options.mode ?? 'random', seed: options.seed ?? 0, runSeed: options.runSeed ?? 0 });
}

export const noisyCoachPlugin = definePlugin({
  kind: 'coach',
  name: 'noisy',
  description: 'Corrupts another coach’s scores at a rate (random score or blame moved to the upstream neighbour), deterministic under the run seed — an imperfect coach for experiments.',
  configSchema: NoisyCoachConfig,
  create: async (config, deps) => {
    const coach = await deps.plugins.create('coach', config.coach, `${deps.path}.coach`);
    return createNoisyCoach({ coach, rate: config.rate, mode: config.mode, seed: config.seed, runSeed: deps.run.seed });
  },
});
