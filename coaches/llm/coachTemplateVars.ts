import { escapeFences } from './escapeFences.js';
import type { CoachInput } from '../../core/contracts/Coach.js';
import { truncateMiddle } from '../../core/util/truncate.js';

export interface CoachTemplateOptions {
  /** Whether the prompt must ask for `ANSWER_CORRECT` (the coach sees ground truth and the template supports it). */
  readonly askAnswerCorrect: boolean;
  /** Characters of each earlier action's text shown (0 = all). */
  readonly previousActionLimit: number;
  /** Characters of each earlier action's tool output shown (the paper uses 500; 0 = all). */
  readonly previousToolOutputLimit: number;
}

function groundTruthText(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}

/**
 * The variables a coach template sees. Every documented variable is always defined (`null` when absent), so
 * templates can guard with `{% if toolOutput %}` and a misspelt name is still an error.
 */
export function coachTemplateVars(input: CoachInput, o: CoachTemplateOptions): Record<string, unknown> {
  const hasGroundTruth = input.groundTruth !== undefined;
  return {
    task: { id: input.task.id, prompt: input.task.prompt, metadata: input.task.metadata },
    agent: {
      ...input.agent,
      isFirst: input.agent.position === 0,
      isLast: input.agent.position === input.agent.count - 1,
    },
    agentInput: escapeFences(input.agentInput),
    action: escapeFences(input.action),
    toolOutput: input.toolOutput !== undefined && input.toolOutput !== '' ? escapeFences(input.toolOutput) : null,
    toolCalls: input.actionRecord.toolCalls.map((c) => ({
      tool: c.tool,
      language: c.language ?? null,
      status: c.status,
      exitCode: c.exitCode ?? null,
      // Function tool calls (they carry a call id): what was asked, what came back, and why it failed.
      isFunction: c.id !== undefined,
      id: c.id ?? null,
      arguments: c.id !== undefined ? c.input : null,
      output: c.id !== undefined ? truncateMiddle(c.output, o.previousToolOutputLimit) : null,
      errorKind: c.errorKind ?? null,
    })),
    functionCalls: input.actionRecord.toolCalls.some((c) => c.id !== undefined),
    filesWritten: input.actionRecord.filesWritten.map((f) => f.path),
    turnIndex: input.actionRecord.turnIndex,
    finishReason: input.actionRecord.finishReason,
    previousActions: input.previousActions.map((a) => ({
      index: a.index,
      agentId: a.agentId,
      role: a.role,
      turnIndex: a.turnIndex,
      text: escapeFences(truncateMiddle(a.text, o.previousActionLimit)),
      toolOutput: a.toolOutput ? escapeFences(truncateMiddle(a.toolOutput, o.previousToolOutputLimit)) : null,
      filesWritten: a.filesWritten.map((f) => f.path),
    })),
    hasGroundTruth,
    groundTruth: hasGroundTruth ? input.groundTruth : null,
    groundTruthText: groundTruthText(input.groundTruth),
    askAnswerCorrect: o.askAnswerCorrect,
    extras: input.extras,
  };
}
