import { z } from 'zod';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { ScriptedPolicy, type ScriptedPolicyOptions } from './ScriptedPolicy.js';

export const ScriptedPolicyConfig = z.strictObject({
  replies: z.array(z.string()).default([]).describe('Reply for the n-th action of a turn; the last one repeats'),
  rules: z.array(z.strictObject({ match: z.string(), reply: z.string() })).default([]).describe('First rule whose regex matches the last message wins'),
});

export function createScriptedPolicy(options: Omit<ScriptedPolicyOptions, 'id'> & { id?: string }): ScriptedPolicy {
  return new ScriptedPolicy({ ...options, id: options.id ?? 'scripted' });
}

export const scriptedPolicyPlugin = definePlugin({
  kind: 'policy',
  name: 'scripted',
  description: 'Replays scripted replies (demos, tests, debugging a pipeline without a model).',
  configSchema: ScriptedPolicyConfig,
  capabilities: { trainable: false, notTrainableReason: 'it replays fixed text and has no weights' },
  create: (config, deps) => new ScriptedPolicy({ ...config, id: deps.id }),
});
