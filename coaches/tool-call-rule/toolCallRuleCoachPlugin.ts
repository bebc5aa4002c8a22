import { z } from 'zod';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { TOOL_CALL_RULE_SCORES, ToolCallRuleCoach, type ToolCallRuleScores } from './ToolCallRuleCoach.js';

const score = z.number().min(0).max(10).optional();
export const ToolCallRuleCoachConfig = z.strictObject({
  answerPattern: z.string().default('ANSWER:\\s*([-+]?[\\d.,]+)').describe('Regex (first group) of the final answer in an action'),
  scores: z
    .strictObject(Object.fromEntries(Object.keys(TOOL_CALL_RULE_SCORES).map((k) => [k, score])) as Record<keyof ToolCallRuleScores, typeof score>)
    .default({})
    .describe('Overrides of the rule scores (0–10)'),
});

/** Plain factory for users without DI. */
export function createToolCallRuleCoach(config: z.input<typeof ToolCallRuleCoachConfig> = {}): ToolCallRuleCoach {
  const c = ToolCallRuleCoachConfig.parse(config);
  const overrides = Object.fromEntries(Object.entries(c.scores).filter(([, v]) => v !== undefined)) as Partial<ToolCallRuleScores>;
  return new ToolCallRuleCoach({ answerPattern: c.answerPattern, scores: { ...TOOL_CALL_RULE_SCORES, ...overrides } });
}

export const toolCallRuleCoachPlugin = definePlugin({
  kind: 'coach',
  name: 'tool-call-rule',
  description: 'Deterministic coach for function-tool agents: scores each call (valid? ran? returned the answer?) and each answer (right? faithful to the tool result?).',
  configSchema: ToolCallRuleCoachConfig,
  create: (config) => createToolCallRuleCoach(config),
});
