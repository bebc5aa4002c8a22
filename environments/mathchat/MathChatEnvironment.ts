import type { Environment, EpisodeContext, EpisodeEnvironment } from '../../core/contracts/Environment.js';
import type { Sandbox } from '../../core/contracts/Sandbox.js';
import type { Task } from '../../core/model/Task.js';
import { MathChatEpisode, type MathChatEpisodeOptions } from './MathChatEpisode.js';
import type { MathChatRole } from './mathchatRoles.js';
import { BlockToolResponseFormatter, type ToolResponseFormat } from '../code-sandbox/BlockToolResponseFormatter.js';

export interface MathChatEnvironmentOptions extends ToolResponseFormat {
  /** Runs the agents' code; owned by the environment (disposed with it). */
  readonly sandbox: Sandbox;
  readonly toolName?: string;
  readonly languages?: readonly string[];
  /** Seconds per code block. */
  readonly runTimeout?: number;
  readonly memoryLimitMb?: number;
  readonly maxBlocks?: number;
  readonly roleOverrides?: Readonly<Record<string, MathChatRole>>;
  /** Config path for error messages. */
  readonly path?: string;
}

/**
 * The MathChat environment (paper §2.1): Problem Solver → Code Executor (```python blocks run in the sandbox, the
 * `<tool_response>` appended to its context) → Verifier (`\boxed{answer}`). Agents are told apart by their tools
 * and role names, never by id. Accuracy comes from the `\boxed{}` equivalence check, never from the coach.
 */
export class MathChatEnvironment implements Environment {
  readonly name = 'mathchat';
  readonly #episode: MathChatEpisodeOptions;

  constructor(private readonly o: MathChatEnvironmentOptions) {
    this.#episode = {
      sandbox: o.sandbox,
      formatter: new BlockToolResponseFormatter(o, o.path ?? 'environment'),
      toolName: o.toolName ?? 'python',
      languages: o.languages ?? ['python'],
      runTimeout: o.runTimeout ?? 10,
      memoryLimitMb: o.memoryLimitMb,
      maxBlocks: o.maxBlocks ?? 4,
      ...(o.roleOverrides ? { roleOverrides: o.roleOverrides } : {}),
    };
  }

  async createEpisode(task: Task, _context: EpisodeContext): Promise<EpisodeEnvironment> {
    return new MathChatEpisode(task, this.#episode);
  }

  async dispose(): Promise<void> {
    await this.o.sandbox.dispose?.();
  }
}
