import { z } from 'zod';
import type { Coach, CoachInput } from '../../core/contracts/Coach.js';
import type { CoachEvaluation } from '../../core/model/CoachEvaluation.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { chainArithFacts } from '../../environments/chain-arith/coachFacts.js';
import { judgeChainAction } from './judgeChainAction.js';

export const ChainArithRuleCoachConfig = z.strictObject({
  right: z.number().min(0).max(10).default(10).describe('Score of an action that computed its stage right from its input'),
  wrong: z.number().min(0).max(10).default(0).describe('Score of a wrong value, or of an action with no value'),
  badInput: z.number().min(0).max(10).default(5).describe('Score of an action whose input had no value (not its fault)'),
});

/**
 * The per-action process coach of chain-arith: each action is judged on its own stage only (did it shift the value it
 * was given by its operand?), so a downstream agent that computed right from a wrong input is not blamed. Uses only
 * the task's public facts and the upstream action, never the final answer — so it works inside `hindsight` too.
 */
export function createChainArithRuleCoach(options: z.input<typeof ChainArithRuleCoachConfig> = {}): Coach {
  const c = ChainArithRuleCoachConfig.parse(options);
  const counts = { calls: 0, right: 0, wrong: 0, no_value: 0, bad_input: 0 };
  return {
    name: 'chain-arith-rule',
    scope: 'action',
    evaluate: async (input: CoachInput): Promise<CoachEvaluation> => {
      counts.calls++;
      const facts = chainArithFacts(input.task.metadata, `task ${input.task.id}`);
      const stage = input.agent.position;
      const upstream = stage === 0 ? undefined : input.previousActions.at(-1)?.text;
      const v = judgeChainAction(facts, stage, upstream, input.action);
      const score = v.verdict === 'right' ? c.right : v.verdict === 'bad-input' ? c.badInput : c.wrong;
      counts[v.verdict === 'no-value' ? 'no_value' : v.verdict === 'bad-input' ? 'bad_input' : v.verdict]++;
      const rationale =
        v.verdict === 'right'
          ? `stage ${stage + 1}: ${v.input} shifted by ${facts.operands[stage]} is ${v.expected}, right`
          : v.verdict === 'wrong'
            ? `stage ${stage + 1}: wrote ${v.wrote}, but ${v.input} shifted by ${facts.operands[stage]} is ${v.expected}`
            : v.verdict === 'no-value'
              ? `stage ${stage + 1}: wrote no value`
              : `stage ${stage + 1}: its input had no value, not its fault`;
      return {
        score,
        rationale,
        outcome: { name: 'STAGE_RIGHT', value: v.verdict === 'right' ? 1 : 0 },
        raw: '',
        flags: { repaired: false, fallback: false, cached: false },
        coach: 'chain-arith-rule',
        details: { stage, verdict: v.verdict, ...(v.expected !== undefined ? { expected: v.expected } : {}), ...(v.wrote !== undefined ? { wrote: v.wrote } : {}) },
      };
    },
    stats: () => ({ ...counts }),
  };
}

export const chainArithRuleCoachPlugin = definePlugin({
  kind: 'coach',
  name: 'chain-arith-rule',
  description: 'Deterministic chain-arith coach: 10 when an action shifted the value it was given by its operand, 0 otherwise (blame stays with the culprit).',
  configSchema: ChainArithRuleCoachConfig,
  create: (config) => createChainArithRuleCoach(config),
});
