import type { AgentSpec } from './AgentSpec.js';
import type { ActionRecord } from '../model/Action.js';
import type { Artifact } from '../model/Artifact.js';
import type { AgentTurn, Outcome } from '../model/Episode.js';
import type { Message } from '../model/Message.js';
import type { Task } from '../model/Task.js';
import type { ToolCall } from '../model/ToolCall.js';
import type { SandboxWorkspace } from './Sandbox.js';

export interface EpisodeContext {
  readonly episodeId: string;
  readonly seed: number;
  readonly phase: 'train' | 'eval';
  /** A private directory for this episode's files, removed after the episode unless kept for inspection. */
  readonly workDir: string;
  readonly signal: AbortSignal;
}

/** What the environment tells an agent before its turn; merged into the agent's prompt template variables. */
export interface Observation {
  readonly vars: Readonly<Record<string, unknown>>;
}

/** The result of running the tools found in one action. */
export interface ToolResult {
  readonly calls: readonly ToolCall[];
  /** Message appended to the agent's context before its next action (e.g. a `<tool_response>` user turn). */
  readonly message: Message;
  readonly filesWritten: readonly Artifact[];
  /** Facts for the coach about this action (metrics, errors, …). */
  readonly extras?: Readonly<Record<string, unknown>>;
}

/** Per-episode state of an environment. */
export interface EpisodeEnvironment {
  /** Variables for the agent's prompt template (task text, upstream outputs, file lists, warnings, …). */
  observe(agent: AgentSpec, upstream: ReadonlyMap<string, AgentTurn>): Promise<Observation>;
  /**
   * Runs the tool calls in an action. Returns `undefined` when the action contains no tool call,
   * which ends the agent's turn.
   */
  executeTools(agent: AgentSpec, action: { readonly text: string; readonly index: number }): Promise<ToolResult | undefined>;
  /**
   * The sandbox workspace of the episode, if the environment keeps one: function tools (`python`, `read_file`, …)
   * then run in and read the same files as the environment's code blocks.
   */
  workspace?(): SandboxWorkspace | undefined;
  /**
   * Files created or changed in the workspace since the last attribution, credited to this action. The runner calls it
   * after an action's function tools ran (`write_file`, a `python` tool, …), so their files are credited like a code
   * block's; environments without a workspace leave it out.
   */
  commitFiles?(agent: AgentSpec, actionIndex: number): Promise<readonly Artifact[]>;
  /** Files in the workspace and who wrote them. */
  artifacts(): Promise<readonly Artifact[]>;
  /** Extra context for the coach about one action (file lists, files saved by earlier agents, metrics). */
  coachContext(agent: AgentSpec, action: ActionRecord, previous: readonly ActionRecord[]): Promise<Readonly<Record<string, unknown>>>;
  /** Ground truth for the coach and for evaluation. */
  groundTruth(): unknown;
  /** Grades the episode from the final outputs (never from coach scores). */
  evaluate(turns: ReadonlyMap<string, AgentTurn>): Promise<Outcome>;
  close(): Promise<void>;
}

/** An environment plugin creates one EpisodeEnvironment per episode. */
export interface Environment {
  readonly name: string;
  createEpisode(task: Task, context: EpisodeContext): Promise<EpisodeEnvironment>;
  dispose?(): Promise<void> | void;
}
