/** A tool call as a policy produced it, before it runs (OpenAI's `tool_calls[i]`, or parsed from generated text). */
export interface ToolCallRequest {
  readonly id: string;
  readonly name: string;
  /** The arguments exactly as generated (a JSON object as text). */
  readonly arguments: string;
  /** Set when the call could not be parsed (malformed JSON, missing name); it then runs as an error result. */
  readonly parseError?: string;
}
