import type { ToolSpec } from '../model/ToolSpec.js';
import type { Logger } from './Logger.js';
import type { SandboxWorkspace } from './Sandbox.js';

/** What a tool's `execute` gets besides its arguments: the episode it runs in. */
export interface ToolContext {
  readonly episodeId: string;
  readonly agentId: string;
  /** Index of the action that made the call. */
  readonly actionIndex: number;
  /**
   * Host directory of the episode's workspace: the environment's sandbox workspace when it has one, otherwise the
   * episode's private work directory. File tools are confined to it.
   */
  readonly workDir: string;
  /** The environment's sandbox workspace, when it exposes one (code run here sees the agents' files). */
  readonly workspace?: SandboxWorkspace;
  /** Aborted when the call times out or the run stops. */
  readonly signal: AbortSignal;
  readonly seed: number;
  readonly logger?: Logger;
}

/** A file a tool returns to the agent (shown by path and size; the bytes stay on the host). */
export interface ToolFile {
  readonly path: string;
  readonly bytes: number;
}

/**
 * What `execute` returns: plain text, or structured content. `isError` marks a failure the tool reports itself
 * (MCP's `isError`); the agent sees the content either way.
 */
export type ToolValue =
  | string
  | {
      readonly text?: string;
      readonly json?: unknown;
      readonly files?: readonly ToolFile[];
      readonly isError?: boolean;
      /** Set by `submit_answer`-like tools: the agent's turn ends after this call. */
      readonly final?: boolean;
    };

/** One callable tool. Errors thrown by `execute` become tool results the agent sees; they never end the episode. */
export interface Tool extends ToolSpec {
  /** Wall-clock limit of one call (default: the source's, else 30 s). */
  readonly timeoutMs?: number;
  execute(args: Record<string, unknown>, context: ToolContext): Promise<ToolValue>;
}

/** The tools of one source for one episode (an MCP session, or a fixed list). */
export interface ToolSession {
  readonly tools: readonly Tool[];
  close?(): Promise<void>;
}

export interface ToolSessionContext {
  readonly episodeId: string;
  readonly agentId: string;
  readonly workDir: string;
  readonly workspace?: SandboxWorkspace;
  readonly signal: AbortSignal;
}

/**
 * A `tool` plugin instance: a source of one or more tools. Sources open a session per episode (and agent), so
 * stateful servers get a fresh process; stateless ones may hand out one shared session for the whole run.
 */
export interface ToolSource {
  readonly name: string;
  open(context: ToolSessionContext): Promise<ToolSession>;
  dispose?(): Promise<void> | void;
}
