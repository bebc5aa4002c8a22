import { z } from 'zod';
import type { Coach, CoachInput } from '../../core/contracts/Coach.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { FakeEnvironment } from './testPlugins.js';

/**
 * Plugins for running real trainers through the runner and the CLI (`plugins: [<this file>]` in a pipeline):
 * the tiny tfjs language model as a trainable policy, the fake environment, and a coach that scores the first digit
 * (or a checksum) of an action. With MAPPA_TEST_KILL_AT_STEP=N the coach SIGKILLs its own process when step N's
 * rollouts end, before that step is trained (the resume tests' crash).
 */
export const tinyLmPolicyPlugin = definePlugin({
  kind: 'policy',
  name: 'tiny-lm',
  description: 'Tiny deterministic tfjs language model (tests and benchmarks only).',
  configSchema: z.strictObject({
    vocabSize: z.number().int().min(16).default(64),
    dim: z.number().int().min(2).default(16),
    layers: z.number().int().min(0).default(0),
    seed: z.number().int().default(0),
    eosBias: z.number().default(2),
    maxNewTokens: z.number().int().min(1).default(6),
  }),
  capabilities: { trainable: true },
  create: async (config, deps) => {
    const [{ loadTf }, { TinyLmPolicy }] = await Promise.all([import('../../plugins/tfjs/loadTf.js'), import('./TinyLmPolicy.js')]);
    const { tf } = await loadTf();
    return new TinyLmPolicy(tf, { ...config, id: deps.id });
  },
});

export const testEnvPlugin = definePlugin({
  kind: 'environment',
  name: 'test-env',
  description: 'Fake environment (tests only).',
  configSchema: z.strictObject({}),
  create: () => new FakeEnvironment(),
});

/**
 * `digit`: the action's first digit (0 without one). `checksum`: the sum of the action's code points mod 11, so
 * random text from an untrained model still gets varied rewards.
 */
export function createDigitCoach(mode: 'digit' | 'checksum' = 'digit'): Coach {
  return {
    name: 'digit-coach',
    scope: 'action',
    async evaluate(input: CoachInput) {
      const score =
        mode === 'digit' ? Number(/(\d)/.exec(input.action)?.[1] ?? 0) : [...input.action].reduce((s, ch) => s + ch.codePointAt(0)!, 0) % 11;
      return { score, rationale: `${mode} ${score}`, raw: `PROCESS_SCORE: ${score}`, coach: 'digit-coach', flags: { repaired: false, fallback: false, cached: false } };
    },
    async onStepEnd(step: number) {
      if (Number(process.env['MAPPA_TEST_KILL_AT_STEP']) === step) process.kill(process.pid, 'SIGKILL');
      return {};
    },
  };
}

export const digitCoachPlugin = definePlugin({
  kind: 'coach',
  name: 'digit-coach',
  description: 'Scores the first digit of an action, or a checksum of it (tests only).',
  configSchema: z.strictObject({ mode: z.enum(['digit', 'checksum']).default('digit') }),
  create: (config) => createDigitCoach(config.mode),
});
