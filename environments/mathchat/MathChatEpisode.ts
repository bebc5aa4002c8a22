import type { AgentSpec } from '../../core/contracts/AgentSpec.js';
import type { EpisodeEnvironment, Observation, ToolResult } from '../../core/contracts/Environment.js';
import type { Sandbox } from '../../core/contracts/Sandbox.js';
import type { ActionRecord } from '../../core/model/Action.js';
import type { Artifact } from '../../core/model/Artifact.js';
import type { AgentTurn, Outcome } from '../../core/model/Episode.js';
import type { Task } from '../../core/model/Task.js';
import type { BlockToolResponseFormatter } from '../code-sandbox/BlockToolResponseFormatter.js';
import { CodeToolRunner } from '../code-sandbox/CodeToolRunner.js';
import { codeToolCall } from '../code-sandbox/runCodeBlock.js';
import { answersEquivalent } from './answers/answersEquivalent.js';
import { extractBoxed } from './answers/extractBoxed.js';
import { printedNumber } from './answers/numbersInText.js';
import { collectMathChatFacts } from './mathchatFacts.js';
import type { MathChatRole } from './mathchatRoles.js';

export interface MathChatEpisodeOptions {
  readonly sandbox: Sandbox;
  readonly formatter: BlockToolResponseFormatter;
  /** Seconds per code block. */
  readonly runTimeout: number;
  readonly memoryLimitMb?: number | undefined;
  /** Agents with this tool name run their ```python blocks. */
  readonly toolName: string;
  readonly languages: readonly string[];
  /** Blocks beyond this many in one action are not run (counted in the action's `extras.skippedBlocks`). */
  readonly maxBlocks: number;
  readonly roleOverrides?: Readonly<Record<string, MathChatRole>>;
}

/** What a downstream agent sees of an upstream agent. */
export interface UpstreamView {
  readonly id: string;
  readonly role: string;
  readonly output: string;
  /** The last tool response the upstream agent got, as it saw it (`<tool_response>…`), or ''. */
  readonly toolResponse: string;
  /** The same tool output without the wrapper (blocks joined), or ''. */
  readonly toolResult: string;
}

function lastToolAction(turn: AgentTurn): ActionRecord | undefined {
  return [...turn.actions].reverse().find((a) => a.toolCalls.length > 0);
}

function viewOf(turn: AgentTurn): UpstreamView {
  const tool = lastToolAction(turn);
  const raw = tool?.extras['toolResult'];
  return {
    id: turn.agentId,
    role: turn.role,
    output: turn.output,
    toolResponse: tool?.toolOutput ?? '',
    toolResult: typeof raw === 'string' ? raw : (tool?.toolOutput ?? ''),
  };
}

/** One MathChat episode: prompt variables, the Python tool loop, coach evidence, and grading by `\boxed{}`. */
export class MathChatEpisode implements EpisodeEnvironment {
  // The paper's tool loop: every block is a fresh stateless run, nothing is shared between blocks.
  readonly #code: CodeToolRunner;

  constructor(
    private readonly task: Task,
    private readonly o: MathChatEpisodeOptions,
  ) {
    this.#code = CodeToolRunner.stateless(o.sandbox, {
      runTimeout: o.runTimeout,
      memoryLimitMb: o.memoryLimitMb,
      maxBlocksPerAction: o.maxBlocks,
      stopOnError: false,
    });
  }

  async observe(_agent: AgentSpec, upstream: ReadonlyMap<string, AgentTurn>): Promise<Observation> {
    const views = [...upstream.values()].map(viewOf);
    const prev = views.at(-1);
    return {
      vars: {
        problem: this.task.prompt,
        upstreamOutputs: views,
        previousOutput: prev?.output ?? '',
        previousRole: prev?.role ?? '',
        previousToolResponse: prev?.toolResponse ?? '',
        previousToolResult: prev?.toolResult ?? '',
      },
    };
  }

  async executeTools(agent: AgentSpec, action: { readonly text: string; readonly index: number }): Promise<ToolResult | undefined> {
    if (!agent.tools.includes(this.o.toolName)) return undefined;
    const ran = await this.#code.run(agent.id, action.index, action.text, this.o.languages);
    if (!ran) return undefined;
    const { runs, skipped } = ran;
    const formatted = this.o.formatter.format(runs);
    const codeErrors = runs.filter((r) => !r.ok).length;
    const lastOk = [...runs].reverse().find((r) => r.ok && r.stdout.trim() !== '');
    const printed = lastOk ? printedNumber(lastOk.stdout) : undefined;
    return {
      calls: runs.map((r, i) => codeToolCall(r, this.o.toolName, formatted.blocks[i]!)),
      message: { role: 'user', content: formatted.message },
      filesWritten: [],
      extras: {
        toolResult: formatted.output,
        stdouts: runs.map((r) => r.stdout),
        codeRan: codeErrors === 0,
        codeErrors,
        ...(printed !== undefined ? { printed } : {}),
        ...(skipped > 0 ? { skippedBlocks: skipped } : {}),
      },
    };
  }

  async artifacts(): Promise<readonly Artifact[]> {
    // Every block runs in a fresh stateless sandbox: nothing persists between actions.
    return [];
  }

  async coachContext(_agent: AgentSpec, action: ActionRecord, previous: readonly ActionRecord[]): Promise<Readonly<Record<string, unknown>>> {
    return { ...collectMathChatFacts(action, previous, this.o.roleOverrides) };
  }

  groundTruth(): unknown {
    return this.task.groundTruth;
  }

  async evaluate(turns: ReadonlyMap<string, AgentTurn>): Promise<Outcome> {
    const final = [...turns.values()].at(-1);
    const answer = final ? extractBoxed(final.output) : undefined;
    const truth = this.task.groundTruth;
    const gradable = truth !== undefined && truth !== null && answer !== undefined;
    const correct = gradable ? answersEquivalent(answer, String(truth)) : truth !== undefined && truth !== null ? false : undefined;
    const actions = [...turns.values()].flatMap((t) => t.actions);
    const codeActions = actions.filter((a) => a.toolCalls.length > 0);
    return {
      success: answer !== undefined,
      ...(correct !== undefined ? { correct } : {}),
      metrics: {
        answered: answer !== undefined ? 1 : 0,
        ...(correct !== undefined ? { correct: correct ? 1 : 0 } : {}),
        used_code: codeActions.length > 0 ? 1 : 0,
        code_ran: codeActions.some((a) => a.toolCalls.every((c) => c.status === 'ok')) ? 1 : 0,
      },
      ...(answer !== undefined ? { answer } : {}),
    };
  }

  async close(): Promise<void> {}
}
