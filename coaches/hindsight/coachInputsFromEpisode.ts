import type { CoachInput } from '../../core/contracts/Coach.js';
import type { ActionRecord } from '../../core/model/Action.js';
import type { EpisodeRecord } from '../../core/model/Episode.js';

/**
 * The per-action coach input of every action of a finished episode, rebuilt from the episode record so an
 * action-scope coach can judge actions after the fact. What the record does not keep is not there: the task text
 * (task.prompt is ''), the ground truth and the environment's per-action extras (`extra` adds what the caller knows).
 */
export function coachInputsFromEpisode(episode: EpisodeRecord, extra: (action: ActionRecord, i: number) => Record<string, unknown> = () => ({})): CoachInput[] {
  const position = new Map(episode.turns.map((t, i) => [t.agentId, i]));
  return episode.actions.map((action, i) => ({
    task: { id: episode.taskId, prompt: '', metadata: episode.taskMetadata },
    agent: { id: action.agentId, role: action.role, position: position.get(action.agentId) ?? 0, count: episode.turns.length },
    agentInput: action.inputText,
    action: action.text,
    actionRecord: action,
    ...(action.toolOutput ? { toolOutput: action.toolOutput } : {}),
    previousActions: episode.actions.slice(0, i),
    extras: extra(action, i),
    episode: { id: episode.id, seed: episode.seed },
  }));
}
