import { z } from 'zod';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { MathChatRuleCoach } from './MathChatRuleCoach.js';
import { MATHCHAT_RULE_SCORES, type MathChatRuleScores, MathChatRuleScoresSchema } from './mathchatRuleScores.js';

export const MathChatRuleCoachConfig = z.strictObject({
  useToolOutput: z.boolean().default(true).describe('Use what the code printed and whether it failed; false = the "coach without tool output" ablation'),
  useGroundTruth: z.boolean().default(true).describe('Check answers against the ground truth for agents whose coachSeesGroundTruth is on'),
  solveArithmetic: z.boolean().default(true).describe('Work out plain arithmetic problems (What is 37+45?) when there is no ground truth'),
  checkCopySlips: z.boolean().default(true).describe('Penalise short code that uses numbers found in neither the problem nor the draft'),
  roles: z
    .record(z.string(), z.enum(['solver', 'coder', 'verifier']))
    .default({})
    .describe('Role names mapped to MathChat roles when the names are not recognised'),
  scores: MathChatRuleScoresSchema,
});

/** Plain factory for users without DI. */
export function createMathChatRuleCoach(config: z.input<typeof MathChatRuleCoachConfig> = {}): MathChatRuleCoach {
  const c = MathChatRuleCoachConfig.parse(config);
  const overrides = Object.fromEntries(Object.entries(c.scores).filter(([, v]) => v !== undefined)) as Partial<MathChatRuleScores>;
  const scores: MathChatRuleScores = { ...MATHCHAT_RULE_SCORES, ...overrides };
  return new MathChatRuleCoach({
    useToolOutput: c.useToolOutput,
    useGroundTruth: c.useGroundTruth,
    solveArithmetic: c.solveArithmetic,
    checkCopySlips: c.checkCopySlips,
    roles: c.roles,
    scores,
  });
}

export const mathchatRuleCoachPlugin = definePlugin({
  kind: 'coach',
  name: 'mathchat-rule',
  description: 'Deterministic MathChat coach: scores each action 0–10 from the code it ran, what it printed, the boxed answer and (where allowed) the ground truth.',
  configSchema: MathChatRuleCoachConfig,
  create: (config) => createMathChatRuleCoach(config),
});
