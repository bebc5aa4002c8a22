/**
 * Why a tool call failed, when it did: the call did not parse, named no known tool, had arguments its schema rejects,
 * the tool threw, ran out of time, or reported an error itself (MCP `isError`).
 */
export type ToolCallErrorKind = 'malformed' | 'unknown-tool' | 'invalid-arguments' | 'threw' | 'timeout' | 'tool-error';

/** One tool invocation found in an action (a fenced code block, or a function tool call) and its result. */
export interface ToolCall {
  readonly tool: string;
  /** What the agent asked for: the code of a ```python block, or a function call's arguments as generated (JSON text). */
  readonly input: string;
  /** Language or sub-kind, e.g. `python`. */
  readonly language?: string;
  readonly status: 'ok' | 'error' | 'timeout' | 'sandbox-error';
  readonly output: string;
  readonly exitCode?: number;
  readonly durationMs?: number;
  /** Function tool calls: the call id (the policy's, or `call_<action>_<n>` when the policy gave none). */
  readonly id?: string;
  /** Function tool calls: the parsed arguments (absent when they did not parse). */
  readonly arguments?: Readonly<Record<string, unknown>>;
  readonly errorKind?: ToolCallErrorKind;
  /** Milliseconds from the start of the action's tool phase to the start of this call. */
  readonly startedMs?: number;
}
