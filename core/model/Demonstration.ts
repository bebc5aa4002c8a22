import type { Message } from './Message.js';
import type { ToolSpec } from './ToolSpec.js';

/** A supervised example for one agent: what it saw (exactly as the runner renders it) and what it should answer. */
export interface Demonstration {
  readonly agentId: string;
  /** The conversation before the response: the prompt, then earlier actions and tool responses. */
  readonly messages: readonly Message[];
  readonly response: string;
  readonly taskId?: string;
  /** Position of the response within the agent's turn. */
  readonly turnIndex?: number;
  /** Function tools in the agent's context (rendered by the chat template exactly as in rollouts). */
  readonly tools?: readonly ToolSpec[];
}
