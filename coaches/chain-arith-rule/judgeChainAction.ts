import { applyStage, parseChainValue } from '../../environments/chain-arith/coachFacts.js';
import type { ChainArithFacts } from '../../environments/chain-arith/coachFacts.js';

export interface ChainVerdict {
  readonly verdict: 'right' | 'wrong' | 'no-value' | 'bad-input';
  readonly input?: string;
  readonly expected?: string;
  readonly wrote?: string;
}

/**
 * Whether one chain-arith action did its own job: stage `stage` must write its input with every digit shifted by its operand (mod m); input is
 * the upstream agent's value (the start value for stage 0). An agent whose input has no value cannot be blamed.
 */
export function judgeChainAction(facts: ChainArithFacts, stage: number, upstreamText: string | undefined, actionText: string): ChainVerdict {
  const input = stage === 0 ? facts.start : upstreamText === undefined ? undefined : parseChainValue(upstreamText);
  const wrote = parseChainValue(actionText);
  if (input === undefined) return { verdict: 'bad-input', ...(wrote !== undefined ? { wrote } : {}) };
  const expected = applyStage(input, facts.operands[stage] ?? 0, facts.modulus);
  if (wrote === undefined) return { verdict: 'no-value', input, expected };
  return { verdict: wrote === expected ? 'right' : 'wrong', input, expected, wrote };
}
