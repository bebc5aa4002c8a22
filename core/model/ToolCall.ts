/** One tool invocation found in an action (e.g. a fenced code block) and its result. */
export interface ToolCall {
  readonly tool: string;
  /** What the agent asked for, e.g. the code of a ```python block. */
  readonly input: string;
  /** Language or sub-kind, e.g. `python`. */
  readonly language?: string;
  readonly status: 'ok' | 'error' | 'timeout' | 'sandbox-error';
  readonly output: string;
  readonly exitCode?: number;
  readonly durationMs?: number;
}
