import type { AgentSpec } from '../../core/contracts/AgentSpec.js';
import type { EpisodeEnvironment, Observation } from '../../core/contracts/Environment.js';
import type { ActionRecord } from '../../core/model/Action.js';
import type { Artifact } from '../../core/model/Artifact.js';
import type { AgentTurn, Outcome } from '../../core/model/Episode.js';
import type { Task } from '../../core/model/Task.js';
import { MappaError } from '../../core/util/MappaError.js';
import { applyStage, parseChainValue } from './chainArithmetic.js';
import { chainArithFacts, type ChainArithFacts } from './chainArithTask.js';

/**
 * One chain-arith episode. Agents are the chain's stages in the order they act: stage i reads the previous agent's
 * output (the start code for stage 0), shifts every digit by its operand (mod m) and writes the result. Only the
 * last agent's value is graded.
 */
export class ChainArithEpisode implements EpisodeEnvironment {
  readonly #facts: ChainArithFacts;
  readonly #stages = new Map<string, number>();

  constructor(private readonly task: Task) {
    this.#facts = chainArithFacts(task.metadata, `task ${task.id}`);
  }

  #stageOf(agent: AgentSpec): number {
    let stage = this.#stages.get(agent.id);
    if (stage === undefined) {
      stage = this.#stages.size;
      this.#stages.set(agent.id, stage);
    }
    if (stage >= this.#facts.operands.length) {
      throw new MappaError(`agent ${agent.id} is stage ${stage + 1} but task ${this.task.id} has ${this.#facts.operands.length} operands`, {
        hint: 'set `tasks.stages` to the number of agents',
      });
    }
    return stage;
  }

  async observe(agent: AgentSpec, upstream: ReadonlyMap<string, AgentTurn>): Promise<Observation> {
    const stage = this.#stageOf(agent);
    const previous = [...upstream.values()].at(-1);
    const input = stage === 0 || !previous ? String(this.#facts.start) : previous.output.trim();
    return {
      vars: { input, operand: this.#facts.operands[stage]!, stage, stages: this.#facts.operands.length, modulus: this.#facts.modulus },
    };
  }

  async executeTools(): Promise<undefined> {
    return undefined;
  }

  async artifacts(): Promise<readonly Artifact[]> {
    return [];
  }

  async coachContext(agent: AgentSpec, action: ActionRecord, previous: readonly ActionRecord[]): Promise<Readonly<Record<string, unknown>>> {
    const stage = this.#stageOf(agent);
    const upstreamText = stage === 0 ? String(this.#facts.start) : (previous.at(-1)?.text ?? '');
    const input = parseChainValue(upstreamText);
    return {
      stage,
      input: input ?? null,
      operand: this.#facts.operands[stage]!,
      expected: input === undefined ? null : applyStage(input, this.#facts.operands[stage]!, this.#facts.modulus),
      wrote: parseChainValue(action.text) ?? null,
    };
  }

  groundTruth(): unknown {
    return this.task.groundTruth;
  }

  async evaluate(turns: ReadonlyMap<string, AgentTurn>): Promise<Outcome> {
    const final = [...turns.values()].at(-1);
    const value = final ? parseChainValue(final.output) : undefined;
    const correct = value !== undefined && String(value) === String(this.task.groundTruth);
    return {
      success: value !== undefined,
      correct,
      metrics: { answered: value !== undefined ? 1 : 0, correct: correct ? 1 : 0 },
      ...(value !== undefined ? { answer: String(value) } : {}),
    };
  }

  async close(): Promise<void> {}
}
