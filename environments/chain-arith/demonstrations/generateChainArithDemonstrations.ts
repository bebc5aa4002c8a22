import type { AgentSpec } from '../../../core/contracts/AgentSpec.js';
import type { Demonstration } from '../../../core/model/Demonstration.js';
import type { AgentTurn } from '../../../core/model/Episode.js';
import type { Task } from '../../../core/model/Task.js';
import { TemplateEngine } from '../../../core/util/createTemplateEngine.js';
import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { Rng } from '../../../core/util/Rng.js';
import { ChainArithEpisode } from '../ChainArithEpisode.js';
import { applyStage, parseChainValue } from '../chainArithmetic.js';
import { chainArithFacts } from '../chainArithTask.js';
import { renderAgentPrompt, upstreamOutputs, upstreamTurns } from '../../../core/runner/renderAgentPrompt.js';

export interface ChainArithDemonstrationOptions {
  readonly tasks: readonly Task[];
  /** Agents in execution order (the chain's stages). */
  readonly agents: readonly AgentSpec[];
  /** Per agent: how often its demonstrated answer is wrong when its input is clean. */
  readonly mistakeRates: readonly number[];
  /**
   * 0 = independent mistakes. Above 0, an agent whose input shows an upstream slip (the slip marker) slips with
   * rate p + correlation·(1 − p): one agent's slip makes the next one's likelier.
   */
  readonly correlation: number;
  /** Appended to a slipped answer, so the next agent can see it (a hedge, like an LLM's "I think"). '' = none. */
  readonly slipMarker: string;
  readonly seed: number;
  readonly templates?: TemplateEngine;
}

export interface ChainArithDemonstrationSet {
  readonly demonstrations: Demonstration[];
  /** Per agent: count, slips, slipsAfterSlip, inputsWithSlip; `chain.correct` = demonstrations whose final value is right. */
  readonly stats: Record<string, Record<string, number>>;
}

/** The per-agent rate that makes an untrained chain of k agents end right with probability `success` (independent slips). */
export function uniformMistakeRate(success: number, agents: number): number {
  return 1 - success ** (1 / agents);
}

/**
 * Warm-start demonstrations for a chain-arith pipeline: each task is played through the real environment (prompt
 * variables rendered by each agent's own template), every agent answers `its input with every digit shifted by its operand (mod m)`, and slips (a wrong
 * value plus the slip marker) are put in at the configured rates, so the warm-started agents make them too and RL has
 * something to fix. A slip flows downstream like a real one: the next agent computes from the wrong value.
 */
export async function generateChainArithDemonstrations(o: ChainArithDemonstrationOptions): Promise<ChainArithDemonstrationSet> {
  if (o.mistakeRates.length !== o.agents.length) {
    throw new MappaError(`${o.mistakeRates.length} mistake rates for ${o.agents.length} agents`, { hint: 'give one rate per agent, in execution order' });
  }
  const templates = o.templates ?? new TemplateEngine();
  const demonstrations: Demonstration[] = [];
  const stats: Record<string, Record<string, number>> = { chain: { count: 0, correct: 0 } };
  const bump = (id: string, key: string) => {
    const s = (stats[id] ??= { count: 0, slips: 0, inputsWithSlip: 0, slipsAfterSlip: 0 });
    s[key] = (s[key] ?? 0) + 1;
  };
  for (const task of o.tasks) {
    const facts = chainArithFacts(task.metadata, `task ${task.id}`);
    const episode = new ChainArithEpisode(task);
    const rng = Rng.fromSeed(deriveSeed(o.seed, 'chain-arith-demos', task.id));
    const turns = new Map<string, AgentTurn>();
    let upstreamSlipped = false;
    let last = '';
    for (const [i, agent] of o.agents.entries()) {
      const upstream = upstreamTurns(agent, turns);
      const observation = await episode.observe(agent, upstream);
      const prompt = await renderAgentPrompt(templates, agent, task, upstreamOutputs(upstream), observation.vars);
      const input = parseChainValue(String(observation.vars['input'])) ?? facts.start;
      const right = applyStage(input, facts.operands[i]!, facts.modulus);
      const p = o.mistakeRates[i]!;
      const rate: number = upstreamSlipped ? p + o.correlation * (1 - p) : p;
      const slip: boolean = rng.next() < rate;
      bump(agent.id, 'count');
      if (upstreamSlipped) bump(agent.id, 'inputsWithSlip');
      let text = right;
      if (slip) {
        bump(agent.id, 'slips');
        if (upstreamSlipped) bump(agent.id, 'slipsAfterSlip');
        // One digit goes wrong, as when a careful agent has a lapse.
        const j = rng.int(0, right.length - 1);
        const wrong = String((Number(right[j]) + rng.int(1, facts.modulus - 1)) % facts.modulus);
        text = right.slice(0, j) + wrong + right.slice(j + 1) + o.slipMarker;
      }
      demonstrations.push({ agentId: agent.id, messages: [{ role: 'user', content: prompt }], response: text, taskId: task.id, turnIndex: 0 });
      turns.set(agent.id, { agentId: agent.id, role: agent.role, actions: [], output: text });
      upstreamSlipped = slip;
      last = text;
    }
    stats['chain']!['count']!++;
    if (String(parseChainValue(last)) === String(task.groundTruth)) stats['chain']!['correct']!++;
  }
  return { demonstrations, stats };
}
