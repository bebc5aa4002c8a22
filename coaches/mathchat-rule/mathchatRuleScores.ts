import { z } from 'zod';

/**
 * The score of every rule of the `mathchat-rule` coach (0–10). Pipelines may override any of them under
 * `coach.scores`. The names say which situation they score; docs/mathchat.md has the full table.
 */
export const MATHCHAT_RULE_SCORES = {
  // Problem Solver
  solverCorrect: 10,
  solverAnswerRight: 7,
  solverSetupRight: 6,
  solverWrong: 2,
  solverNoAnswer: 1,
  solverConsistent: 6,
  solverUnchecked: 5,
  solverInconsistent: 3,
  // Code Executor, an action with code
  codeCorrect: 10,
  codeWrong: 1,
  codeAgrees: 7,
  codeDisagrees: 5,
  codeUnchecked: 6,
  codeNoOutput: 3,
  codeNonNumeric: 3,
  codeError: 2,
  sandboxError: 5,
  codeBlind: 6,
  codeBlindNoPrint: 3,
  copySlipPenalty: 2,
  // Code Executor, an action without code
  noCode: 2,
  reportCorrect: 9,
  reportFaithful: 6,
  reportFaithfulWrong: 4,
  reportSlip: 2,
  reportMissing: 3,
  reportBlindCorrect: 8,
  reportBlindWrong: 3,
  reportUnchecked: 5,
  // Verifier
  verifierCorrect: 10,
  verifierCopiedWrong: 4,
  verifierOverrodeRight: 0,
  verifierWrong: 2,
  verifierUnboxed: 1,
  verifierMatchesTool: 8,
  verifierDiffersFromTool: 3,
  verifierUnchecked: 5,
} as const;

export type MathChatRule = keyof typeof MATHCHAT_RULE_SCORES;
export type MathChatRuleScores = Record<MathChatRule, number>;

const score = z.number().min(0).max(10);
export const MathChatRuleScoresSchema = z
  .strictObject(Object.fromEntries(Object.keys(MATHCHAT_RULE_SCORES).map((k) => [k, score.optional()])) as Record<MathChatRule, z.ZodOptional<typeof score>>)
  .default({})
  .describe('Override the score of any rule, e.g. { verifierCopiedWrong: 3 }');
