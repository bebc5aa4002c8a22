import type { Coach, CoachInput } from '../../core/contracts/Coach.js';
import type { CoachEvaluation } from '../../core/model/CoachEvaluation.js';
import { collectMathChatFacts, type MathChatFacts, inferMathChatRole, type MathChatRole } from '../../environments/mathchat/coachFacts.js';
import type { MathChatRuleScores } from './mathchatRuleScores.js';
import { problemValue } from './problemValue.js';
import { type Reference, scoreMathChatAction } from './scoreMathChatAction.js';

export interface MathChatRuleCoachOptions {
  /** Look at code results (what the code printed, errors). `false` is the "coach without tool output" ablation. */
  readonly useToolOutput: boolean;
  /** Check answers against `CoachInput.groundTruth` when the pipeline shows it to the coach for that agent. */
  readonly useGroundTruth: boolean;
  /** Work out plain arithmetic problems (`What is 37+45?`) as a reference when there is no ground truth. */
  readonly solveArithmetic: boolean;
  /** Penalise short code that uses numbers found in neither the problem nor the draft. */
  readonly checkCopySlips: boolean;
  readonly roles: Readonly<Record<string, MathChatRole>>;
  readonly scores: MathChatRuleScores;
}

function isFacts(extras: Readonly<Record<string, unknown>>): boolean {
  return Array.isArray(extras['codeBlocks']) && Array.isArray(extras['toolOutputs']) && typeof extras['codeErrors'] === 'number';
}

/**
 * Scores MathChat actions 0–10 from environment evidence, with no network and no randomness (table of rules in
 * `mathchatRuleScores.ts`). Reads the facts the `mathchat` environment puts in `extras`, or collects them from the
 * action records when another environment ran the episode.
 */
export class MathChatRuleCoach implements Coach {
  readonly name = 'mathchat-rule';
  readonly scope = 'action' as const;
  readonly #counts = { calls: 0, withGroundTruth: 0, withProblemValue: 0, unchecked: 0 };

  constructor(private readonly o: MathChatRuleCoachOptions) {}

  async evaluate(input: CoachInput): Promise<CoachEvaluation> {
    this.#counts.calls++;
    const facts: MathChatFacts = isFacts(input.extras)
      ? (input.extras as unknown as MathChatFacts)
      : collectMathChatFacts(input.actionRecord, input.previousActions, this.o.roles);
    const role = inferMathChatRole(input.agent.role, {
      usesCode: input.actionRecord.toolCalls.length > 0,
      isLast: input.agent.position === input.agent.count - 1,
      overrides: this.o.roles,
    });
    const reference = this.#reference(input);
    if (reference?.source === 'ground truth') this.#counts.withGroundTruth++;
    else if (reference) this.#counts.withProblemValue++;
    else this.#counts.unchecked++;
    const v = scoreMathChatAction({
      role,
      turnIndex: input.actionRecord.turnIndex,
      facts,
      problem: input.task.prompt,
      reference,
      useToolOutput: this.o.useToolOutput,
      checkCopySlips: this.o.checkCopySlips,
      scores: this.o.scores,
    });
    return {
      score: v.score,
      rationale: v.rationale,
      ...(v.outcome ? { outcome: v.outcome } : {}),
      raw: '',
      flags: { repaired: false, fallback: false, cached: false },
      coach: this.name,
      details: {
        role,
        rule: v.rule,
        reference: reference?.source ?? 'none',
        useToolOutput: this.o.useToolOutput,
        ...(v.blame ? { blame: v.blame } : {}),
      },
    };
  }

  #reference(input: CoachInput): Reference | undefined {
    const gt = input.groundTruth;
    if (this.o.useGroundTruth && gt !== undefined && gt !== null && String(gt).trim() !== '') return { value: String(gt).trim(), source: 'ground truth' };
    if (this.o.solveArithmetic) {
      const v = problemValue(input.task.prompt);
      if (v !== undefined) return { value: v, source: 'problem' };
    }
    return undefined;
  }

  stats(): Readonly<Record<string, number>> {
    return { ...this.#counts };
  }
}
