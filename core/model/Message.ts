import type { ToolCallRequest } from './ToolCallRequest.js';

/** A chat message. Assistant messages produced by a local policy carry the exact token ids it generated. */
export interface Message {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content: string;
  /**
   * Exact token ids of this message's content as the policy produced them. Trainable policies must
   * reuse them verbatim when the message reappears in a later context, so training never re-tokenizes text.
   */
  readonly tokenIds?: readonly number[];
  /** Assistant messages: the function tool calls the message made (OpenAI `tool_calls`). */
  readonly toolCalls?: readonly ToolCallRequest[];
  /** Tool messages: the id of the call this message answers, and the tool's name. */
  readonly toolCallId?: string;
  readonly name?: string;
}
