import { answersEquivalent, numberLiterals, type MathChatFacts, type MathChatRole } from '../../environments/mathchat/coachFacts.js';
import type { MathChatRule, MathChatRuleScores } from './mathchatRuleScores.js';

/** The value the coach checks answers against, and where it came from. */
export interface Reference {
  readonly value: string;
  /** `ground truth` (the pipeline let the coach see it) or `problem` (the coach worked out a plain arithmetic problem). */
  readonly source: 'ground truth' | 'problem';
}

export interface ScoringInput {
  readonly role: MathChatRole;
  /** Position of the action within the agent's turn. */
  readonly turnIndex: number;
  readonly facts: MathChatFacts;
  readonly problem: string;
  readonly reference?: Reference | undefined;
  readonly useToolOutput: boolean;
  readonly checkCopySlips: boolean;
  readonly scores: MathChatRuleScores;
}

export interface RuleVerdict {
  readonly rule: MathChatRule;
  readonly score: number;
  readonly rationale: string;
  readonly outcome?: { readonly name: 'ANSWER_CORRECT'; readonly value: number };
  /** The agent role the coach holds responsible for a wrong result, when it is not this action's. */
  readonly blame?: MathChatRole;
}

const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && answersEquivalent(a, b);
const IGNORED_LITERALS = new Set(['0', '1', '2']);

/** Numbers a short piece of code uses that appear neither in the problem nor in the draft (copy slips). */
export function foreignNumbers(code: string, problem: string, draft: string | undefined): string[] {
  const allowed = new Set([...numberLiterals(problem), ...numberLiterals(draft ?? '')]);
  return numberLiterals(code).filter((n) => !allowed.has(n) && !IGNORED_LITERALS.has(n));
}

function verdict(s: ScoringInput, rule: MathChatRule, why: string, extra: Partial<Pick<RuleVerdict, 'outcome' | 'blame'>> = {}, penalty = 0): RuleVerdict {
  const score = Math.max(0, Math.min(10, s.scores[rule] - penalty));
  return { rule, score, rationale: `${why} [rule ${rule}, score ${score}]`, ...extra };
}

function refText(r: Reference): string {
  return r.source === 'ground truth' ? `the ground truth ${r.value}` : `${r.value} (the value of the problem's expression)`;
}

function scoreSolver(s: ScoringInput): RuleVerdict {
  const { statedAnswer: ans, statedExpression: expr } = s.facts;
  const ref = s.reference;
  if (ans === undefined) {
    if (ref && expr !== undefined && same(expr, ref.value)) {
      return verdict(s, 'solverSetupRight', `Problem Solver: the expression ${expr} is right (${refText(ref)}), but the draft states no result.`);
    }
    return verdict(s, 'solverNoAnswer', 'Problem Solver: the draft states no numeric answer.');
  }
  if (ref) {
    const ansRight = same(ans, ref.value);
    const exprRight = expr !== undefined && same(expr, ref.value);
    if (ansRight && (exprRight || expr === undefined)) return verdict(s, 'solverCorrect', `Problem Solver: the draft's answer ${ans} matches ${refText(ref)}.`);
    if (ansRight) return verdict(s, 'solverAnswerRight', `Problem Solver: the answer ${ans} matches ${refText(ref)}, but the expression ${expr} does not give it.`);
    if (exprRight) return verdict(s, 'solverSetupRight', `Problem Solver: the expression ${expr} is right, but the stated result ${ans} is not (${refText(ref)}).`);
    return verdict(s, 'solverWrong', `Problem Solver: the draft's answer ${ans} does not match ${refText(ref)}${expr !== undefined ? ` and neither does its expression ${expr}` : ''}.`);
  }
  if (expr === undefined) return verdict(s, 'solverUnchecked', `Problem Solver: the draft answers ${ans}; nothing to check it against.`);
  return same(expr, ans)
    ? verdict(s, 'solverConsistent', `Problem Solver: the expression ${expr} gives the stated answer ${ans} (no ground truth to check against).`)
    : verdict(s, 'solverInconsistent', `Problem Solver: the expression ${expr} does not give the stated answer ${ans}.`);
}

function scoreCode(s: ScoringInput): RuleVerdict {
  const f = s.facts;
  const ref = s.reference;
  const slips = s.checkCopySlips
    ? f.codeBlocks.filter((c) => c.split('\n').filter((l) => l.trim()).length <= 3).flatMap((c) => foreignNumbers(c, s.problem, f.draftExpression ?? f.draftAnswer))
    : [];
  const slipNote = slips.length ? ` The code uses ${slips.join(', ')}, which appear in neither the problem nor the draft (copy slip?).` : '';
  const penalty = slips.length ? s.scores.copySlipPenalty : 0;
  if (!s.useToolOutput) {
    const prints = f.codeBlocks.some((c) => /\bprint\s*\(/.test(c));
    return prints
      ? verdict(s, 'codeBlind', `Code Executor: wrote a code block that prints its result (tool output not shown to the coach).${slipNote}`, {}, penalty)
      : verdict(s, 'codeBlindNoPrint', `Code Executor: the code never calls print, so it shows no result (tool output not shown to the coach).${slipNote}`, {}, penalty);
  }
  if (f.codeErrors > 0 && f.codeErrors === f.sandboxErrors) {
    return verdict(s, 'sandboxError', 'Code Executor: the sandbox failed to run the code (not the agent\'s fault); neutral score.');
  }
  if (f.codeErrors > 0) {
    const failed = f.toolOutputs.find((o) => o.startsWith('[Execution')) ?? f.toolOutputs[0] ?? '';
    const lines = failed.split('\n').map((l) => l.trim()).filter(Boolean);
    const why = [lines[0], lines.length > 1 ? lines.at(-1) : undefined].filter(Boolean).join(' … ');
    return verdict(s, 'codeError', `Code Executor: ${f.codeErrors} of ${f.codeBlocks.length} code block(s) failed: ${why}.`);
  }
  if (f.printed === undefined) {
    const printedAnything = f.toolOutputs.some((o) => o.trim() !== '');
    return printedAnything
      ? verdict(s, 'codeNonNumeric', 'Code Executor: the code ran but printed no number.', {}, penalty)
      : verdict(s, 'codeNoOutput', 'Code Executor: the code ran but printed nothing (missing print?).', {}, penalty);
  }
  if (ref) {
    return same(f.printed, ref.value)
      ? verdict(s, 'codeCorrect', `Code Executor: the code ran and printed ${f.printed}, which matches ${refText(ref)}.`)
      : verdict(s, 'codeWrong', `Code Executor: the code ran but printed ${f.printed}, not ${refText(ref)}: the computation is wrong.${slipNote}`);
  }
  if (f.draftAnswer === undefined) return verdict(s, 'codeUnchecked', `Code Executor: the code ran and printed ${f.printed}; nothing to check it against.${slipNote}`, {}, penalty);
  return same(f.printed, f.draftAnswer)
    ? verdict(s, 'codeAgrees', `Code Executor: the code printed ${f.printed}, agreeing with the draft's ${f.draftAnswer}.${slipNote}`, {}, penalty)
    : verdict(s, 'codeDisagrees', `Code Executor: the code printed ${f.printed} but the draft says ${f.draftAnswer}; one of them is wrong.${slipNote}`, {}, penalty);
}

function scoreReport(s: ScoringInput): RuleVerdict {
  const f = s.facts;
  const ref = s.reference;
  const stated = f.statedAnswer ?? f.answer;
  if (s.turnIndex === 0 || f.upstreamToolResult === undefined) {
    return verdict(s, 'noCode', `Code Executor: no \`\`\`python block, so nothing was computed${stated !== undefined ? ` (it just states ${stated})` : ''}.`);
  }
  if (stated === undefined) return verdict(s, 'reportMissing', 'Code Executor: after running the code, its report states no number.');
  if (!s.useToolOutput || f.upstreamPrinted === undefined) {
    if (!ref) return verdict(s, 'reportUnchecked', `Code Executor: reports ${stated}; nothing to check it against.`);
    return same(stated, ref.value)
      ? verdict(s, 'reportBlindCorrect', `Code Executor: reports ${stated}, which matches ${refText(ref)}.`)
      : verdict(s, 'reportBlindWrong', `Code Executor: reports ${stated}, not ${refText(ref)}.`);
  }
  const printed = f.upstreamPrinted;
  if (ref && same(stated, ref.value)) return verdict(s, 'reportCorrect', `Code Executor: reports ${stated} as its code printed, which matches ${refText(ref)}.`);
  if (!same(stated, printed)) return verdict(s, 'reportSlip', `Code Executor: reports ${stated} but its code printed ${printed} (copy slip).`);
  if (ref) {
    return verdict(s, 'reportFaithfulWrong', `Code Executor: faithfully reports ${printed}, but that is not ${refText(ref)}; the code was wrong.`);
  }
  return verdict(s, 'reportFaithful', `Code Executor: reports ${stated}, as its code printed.`);
}

function scoreVerifier(s: ScoringInput): RuleVerdict {
  const f = s.facts;
  const ref = s.reference;
  const gt = ref?.source === 'ground truth';
  const boxed = f.answer;
  const tool = s.useToolOutput ? f.upstreamPrinted : undefined;
  const outcome = (ok: boolean) => (gt ? { outcome: { name: 'ANSWER_CORRECT' as const, value: ok ? 1 : 0 } } : {});
  if (boxed === undefined) {
    return verdict(s, 'verifierUnboxed', `Verifier: no \\boxed{} answer, so the system gives no final answer${f.statedAnswer !== undefined ? ` (it wrote ${f.statedAnswer} unboxed)` : ''}.`, outcome(false));
  }
  if (ref) {
    if (same(boxed, ref.value)) {
      const note = tool !== undefined && !same(tool, ref.value) ? ` It corrected the tool output ${tool}.` : '';
      return verdict(s, 'verifierCorrect', `Verifier: boxed ${boxed}, which matches ${refText(ref)}.${note}`, outcome(true));
    }
    if (tool !== undefined && same(boxed, tool)) {
      return verdict(
        s,
        'verifierCopiedWrong',
        `Verifier: boxed ${boxed}, which is wrong (${refText(ref)}). It copied the Code Executor's output ${tool}: the error comes from the Code Executor, but the Verifier did not catch it.`,
        { ...outcome(false), blame: 'coder' },
      );
    }
    if (tool !== undefined && same(tool, ref.value)) {
      return verdict(s, 'verifierOverrodeRight', `Verifier: boxed ${boxed}, but the code printed the right answer ${tool}; the Verifier introduced the error.`, outcome(false));
    }
    return verdict(s, 'verifierWrong', `Verifier: boxed ${boxed}, which does not match ${refText(ref)}${tool !== undefined ? ` (the code printed ${tool})` : ''}.`, outcome(false));
  }
  if (tool === undefined) return verdict(s, 'verifierUnchecked', `Verifier: boxed ${boxed}; no tool output or ground truth to check it against.`);
  return same(boxed, tool)
    ? verdict(s, 'verifierMatchesTool', `Verifier: boxed ${boxed}, matching the code's output.`)
    : verdict(s, 'verifierDiffersFromTool', `Verifier: boxed ${boxed}, but the code printed ${tool}.`);
}

/** Scores one action by its role's rules (deterministic; a pure function of the evidence). */
export function scoreMathChatAction(s: ScoringInput): RuleVerdict {
  switch (s.role) {
    case 'solver':
      return scoreSolver(s);
    case 'coder':
      return s.facts.codeBlocks.length > 0 ? scoreCode(s) : scoreReport(s);
    case 'verifier':
      return scoreVerifier(s);
  }
}
