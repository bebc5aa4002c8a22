import type { ActionRecord } from '../../core/model/Action.js';
import { extractCodeBlocks } from '../code-sandbox/extractCodeBlocks.js';
import { extractBoxed } from './answers/extractBoxed.js';
import { expressionBeforeEquals, finalNumber, isBareExpression, printedNumber } from './answers/numbersInText.js';
import { inferMathChatRole, type MathChatRole } from './mathchatRoles.js';

/**
 * Evidence about one MathChat action for coaches (the environment's `coachContext`). Nothing here comes from the
 * ground truth: coaches see it only where the pipeline allows, through `CoachInput.groundTruth`.
 */
export interface MathChatFacts {
  /** The `\boxed{…}` answer of this action, if any. */
  readonly answer?: string;
  /** The number the action's prose commits to (boxed, after its last `=`, or its last number; code excluded). */
  readonly statedAnswer?: string;
  /** The expression before the last `=` in the prose (`12+3*4` in `12+3*4=24`), or the prose if it is a bare expression. */
  readonly statedExpression?: string;
  /** Code blocks this action ran. */
  readonly codeBlocks: string[];
  /** Each block's formatted output, as the agent saw it. */
  readonly toolOutputs: string[];
  /** At least one block ran, and every block finished with exit code 0. */
  readonly codeRan: boolean;
  /** Blocks that failed, timed out or hit a sandbox error. */
  readonly codeErrors: number;
  /** Blocks lost to the sandbox itself (not the agent's fault). */
  readonly sandboxErrors: number;
  /** The number the code printed last (from the last block that ran cleanly). */
  readonly printed?: string;
  /** The latest Problem Solver draft of the episode: its stated answer and expression. */
  readonly draftAnswer?: string;
  readonly draftExpression?: string;
  /** The latest earlier action that ran code (another agent's or this agent's previous action). */
  readonly upstreamToolResult?: string;
  readonly upstreamPrinted?: string;
  readonly upstreamCodeErrors?: number;
  /** What the latest earlier Code Executor action stated (its report of the result). */
  readonly coderStated?: string;
}

/** The expression a text computes: before its last `=`, or the whole text when it is a bare expression. */
function expressionOf(prose: string): string | undefined {
  return expressionBeforeEquals(prose) ?? (isBareExpression(prose) ? prose.trim() : undefined);
}

/** Text of an action without its fenced code (so `print(37+45)` is not read as the answer 45). */
export function proseOf(text: string): string {
  return text.replace(/```[\s\S]*?(```|$)/g, ' ');
}

function stdoutsOf(a: ActionRecord): string[] {
  const fromEnv = a.extras['stdouts'];
  if (Array.isArray(fromEnv) && fromEnv.every((s) => typeof s === 'string')) return fromEnv as string[];
  return a.toolCalls.map((c) => (c.status === 'ok' ? c.output : ''));
}

function printedOf(a: ActionRecord): string | undefined {
  const outs = stdoutsOf(a);
  for (let i = a.toolCalls.length - 1; i >= 0; i--) {
    if (a.toolCalls[i]!.status !== 'ok') continue;
    const p = printedNumber(outs[i] ?? '');
    if (p !== undefined) return p;
  }
  return undefined;
}

function toolResultOf(a: ActionRecord): string {
  const r = a.extras['toolResult'];
  return typeof r === 'string' ? r : a.toolCalls.map((c) => c.output).join('\n------\n');
}

/** Collects the evidence for one action from its record and the earlier actions of the episode. */
export function collectMathChatFacts(
  action: ActionRecord,
  previous: readonly ActionRecord[],
  roleOverrides?: Readonly<Record<string, MathChatRole>>,
): MathChatFacts {
  const prose = proseOf(action.text);
  const roleOf = (a: ActionRecord) => inferMathChatRole(a.role, { usesCode: a.toolCalls.length > 0, ...(roleOverrides ? { overrides: roleOverrides } : {}) });
  const answer = extractBoxed(action.text);
  const statedAnswer = finalNumber(prose);
  const statedExpression = expressionOf(prose);
  // A function tool call (`python({ code })`) counts as a code block: its code is the `code` argument.
  const codeBlocks =
    action.toolCalls.length > 0
      ? action.toolCalls.map((c) => (c.id !== undefined && typeof c.arguments?.['code'] === 'string' ? c.arguments['code'] : c.input))
      : extractCodeBlocks(action.text).map((b) => b.code);
  const codeErrors = action.toolCalls.filter((c) => c.status !== 'ok').length;
  const printed = printedOf(action);
  const earlier = [...previous].reverse();
  const draft = earlier.find((a) => roleOf(a) === 'solver');
  const draftAnswer = draft ? finalNumber(proseOf(draft.text)) : undefined;
  const draftExpression = draft ? expressionOf(proseOf(draft.text)) : undefined;
  const tool = earlier.find((a) => a.toolCalls.length > 0);
  const upstreamPrinted = tool ? printedOf(tool) : undefined;
  const coder = earlier.find((a) => roleOf(a) === 'coder' && a.toolCalls.length === 0);
  const coderStated = coder && (!tool || coder.index > tool.index) ? finalNumber(proseOf(coder.text)) : undefined;
  return {
    ...(answer !== undefined ? { answer } : {}),
    ...(statedAnswer !== undefined ? { statedAnswer } : {}),
    ...(statedExpression !== undefined ? { statedExpression } : {}),
    codeBlocks,
    toolOutputs: action.toolCalls.map((c) => c.output),
    codeRan: action.toolCalls.length > 0 && codeErrors === 0,
    codeErrors,
    sandboxErrors: action.toolCalls.filter((c) => c.status === 'sandbox-error').length,
    ...(printed !== undefined ? { printed } : {}),
    ...(draftAnswer !== undefined ? { draftAnswer } : {}),
    ...(draftExpression !== undefined ? { draftExpression } : {}),
    ...(tool ? { upstreamToolResult: toolResultOf(tool), upstreamCodeErrors: tool.toolCalls.filter((c) => c.status !== 'ok').length } : {}),
    ...(upstreamPrinted !== undefined ? { upstreamPrinted } : {}),
    ...(coderStated !== undefined ? { coderStated } : {}),
  };
}
