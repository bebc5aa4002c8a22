import type { AgentSpec } from '../contracts/AgentSpec.js';
import type { AgentTurn } from '../model/Episode.js';
import type { Task } from '../model/Task.js';
import type { TemplateEngine } from '../util/createTemplateEngine.js';

/** The turns of the agents `agent` reads, in its `reads` order, skipping those that have not run. */
export function upstreamTurns(agent: Pick<AgentSpec, 'reads'>, turns: ReadonlyMap<string, AgentTurn>): Map<string, AgentTurn> {
  const upstream = new Map<string, AgentTurn>();
  for (const r of agent.reads) {
    const t = turns.get(r);
    if (t) upstream.set(r, t);
  }
  return upstream;
}

/**
 * Renders an agent's prompt template with the variables every prompt gets (`task`, `agent`, `upstream`: agent id →
 * output text) plus the environment's observation variables. Demonstration generators call this too, so that
 * supervised prompts are byte-identical to the ones the policy sees in rollouts.
 */
export function renderAgentPrompt(
  templates: Pick<TemplateEngine, 'renderFile'>,
  agent: Pick<AgentSpec, 'id' | 'role' | 'maxActions' | 'promptFile'>,
  task: Pick<Task, 'id' | 'prompt' | 'metadata'>,
  upstream: Readonly<Record<string, string>>,
  observationVars: Readonly<Record<string, unknown>> = {},
): Promise<string> {
  return templates.renderFile(agent.promptFile, {
    task: { id: task.id, prompt: task.prompt, metadata: task.metadata },
    agent: { id: agent.id, role: agent.role, maxActions: agent.maxActions },
    upstream,
    ...observationVars,
  });
}

/** Upstream outputs by agent id, the shape `renderAgentPrompt` takes. */
export function upstreamOutputs(upstream: ReadonlyMap<string, AgentTurn>): Record<string, string> {
  return Object.fromEntries([...upstream].map(([k, v]) => [k, v.output]));
}
