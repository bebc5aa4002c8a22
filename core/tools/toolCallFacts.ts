import type { ActionRecord } from '../model/Action.js';
import type { ToolCallErrorKind } from '../model/ToolCall.js';

/** One function tool call of an action, as rule coaches read it. */
export interface ToolCallFact {
  readonly id: string;
  readonly name: string;
  /** Parsed arguments (absent when they did not parse). */
  readonly arguments?: Readonly<Record<string, unknown>>;
  readonly output: string;
  /** The call parsed, named a known tool and matched its schema (whatever the tool then did). */
  readonly valid: boolean;
  /** The tool ran and returned without an error. */
  readonly ok: boolean;
  readonly errorKind?: ToolCallErrorKind;
  readonly durationMs: number;
}

export interface ToolCallFacts {
  readonly calls: readonly ToolCallFact[];
  readonly validCalls: number;
  readonly invalidCalls: number;
  readonly failedCalls: number;
}

const INVALID: ReadonlySet<ToolCallErrorKind> = new Set(['malformed', 'unknown-tool', 'invalid-arguments']);

/** The function tool calls of an action (code blocks have no call id and are left out) as typed facts. */
export function toolCallFacts(action: Pick<ActionRecord, 'toolCalls'>): ToolCallFacts {
  const calls: ToolCallFact[] = action.toolCalls
    .filter((c) => c.id !== undefined)
    .map((c) => ({
      id: c.id!,
      name: c.tool,
      ...(c.arguments ? { arguments: c.arguments } : {}),
      output: c.output,
      valid: !(c.errorKind && INVALID.has(c.errorKind)),
      ok: c.status === 'ok',
      ...(c.errorKind ? { errorKind: c.errorKind } : {}),
      durationMs: c.durationMs ?? 0,
    }));
  return {
    calls,
    validCalls: calls.filter((c) => c.valid).length,
    invalidCalls: calls.filter((c) => !c.valid).length,
    failedCalls: calls.filter((c) => c.valid && !c.ok).length,
  };
}
