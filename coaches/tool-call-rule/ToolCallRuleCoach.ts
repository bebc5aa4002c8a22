import type { Coach, CoachInput } from '../../core/contracts/Coach.js';
import type { CoachEvaluation } from '../../core/model/CoachEvaluation.js';
import { toolCallFacts } from '../../core/tools/toolCallFacts.js';

export interface ToolCallRuleScores {
  /** A call that did not parse, named no tool, or broke the tool's schema. */
  readonly invalidCall: number;
  /** A valid call the tool failed on (threw, timed out, reported an error). */
  readonly failedCall: number;
  /** A call whose result is the task's answer. */
  readonly usefulCall: number;
  /** A call that ran but whose result is not the answer (wrong arguments). */
  readonly wrongCall: number;
  /** A call that ran, when there is no ground truth to check it against. */
  readonly uncheckedCall: number;
  /** A correct final answer. */
  readonly correctAnswer: number;
  /** A wrong answer that faithfully repeats the agent's last tool result (the call is blamed, not the answer). */
  readonly faithfulAnswer: number;
  /** A wrong answer that contradicts the tool result, or comes without any tool call. */
  readonly wrongAnswer: number;
  /** No tool call and no answer. */
  readonly nothing: number;
}

export const TOOL_CALL_RULE_SCORES: ToolCallRuleScores = {
  invalidCall: 1,
  failedCall: 3,
  usefulCall: 10,
  wrongCall: 4,
  uncheckedCall: 7,
  correctAnswer: 10,
  faithfulAnswer: 5,
  wrongAnswer: 1,
  nothing: 0,
};

const asNumber = (s: string | undefined): number | undefined => {
  const t = s?.replace(/,/g, '').trim();
  return t !== undefined && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : undefined;
};
const same = (a: string | undefined, b: unknown) => {
  const x = asNumber(a);
  const y = typeof b === 'number' ? b : asNumber(typeof b === 'string' ? b : undefined);
  if (x !== undefined && y !== undefined) return Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(y));
  return a !== undefined && b !== undefined && a.trim() === String(b).trim();
};

/**
 * Scores tool-using actions 0–10 from typed facts about their function tool calls (`toolCallFacts`): whether each call
 * was valid, whether the tool ran, whether its result is the answer; and for answers, whether they are right or at
 * least faithful to what the tool returned (so a wrong call, not the copying, takes the blame). Deterministic.
 */
export class ToolCallRuleCoach implements Coach {
  readonly name = 'tool-call-rule';
  readonly scope = 'action' as const;
  readonly #answer: RegExp;

  constructor(private readonly o: { readonly answerPattern: string; readonly scores: ToolCallRuleScores }) {
    this.#answer = new RegExp(o.answerPattern, 'g');
  }

  async evaluate(input: CoachInput): Promise<CoachEvaluation> {
    const s = this.o.scores;
    const facts = toolCallFacts(input.actionRecord);
    const truth = input.groundTruth;
    const known = truth !== undefined && truth !== null;
    const done = (score: number, rationale: string, details: Record<string, unknown> = {}): CoachEvaluation => ({
      score,
      rationale,
      raw: '',
      flags: { repaired: false, fallback: false, cached: false },
      coach: this.name,
      details: { ...details, validCalls: facts.validCalls, invalidCalls: facts.invalidCalls },
    });
    if (facts.calls.length > 0) {
      const scored = facts.calls.map((c) => {
        if (!c.valid) return { score: s.invalidCall, why: `${c.name || 'call'}: invalid (${c.errorKind})` };
        if (!c.ok) return { score: s.failedCall, why: `${c.name}: the tool failed (${c.errorKind})` };
        if (!known) return { score: s.uncheckedCall, why: `${c.name}: ran` };
        return same(c.output, truth) ? { score: s.usefulCall, why: `${c.name}: returned the answer` } : { score: s.wrongCall, why: `${c.name}: ran, but its result is not the answer` };
      });
      const score = scored.reduce((a, b) => a + b.score, 0) / scored.length;
      return done(score, scored.map((x) => x.why).join('; '));
    }
    const answer = [...input.action.matchAll(this.#answer)].at(-1)?.[1];
    const lastResult = input.previousActions
      .filter((a) => a.agentId === input.agent.id)
      .flatMap((a) => toolCallFacts(a).calls)
      .filter((c) => c.ok)
      .at(-1)?.output;
    if (answer === undefined) return done(s.nothing, 'no tool call and no answer');
    if (known && same(answer, truth)) return done(s.correctAnswer, 'correct answer', { answer });
    if (lastResult !== undefined && same(answer, lastResult)) {
      return done(known ? s.faithfulAnswer : s.correctAnswer, known ? 'wrong answer, but it repeats the tool result faithfully' : 'answer matches the tool result', { answer });
    }
    return done(s.wrongAnswer, lastResult === undefined ? 'answered without using a tool' : 'the answer contradicts the tool result', { answer });
  }
}
