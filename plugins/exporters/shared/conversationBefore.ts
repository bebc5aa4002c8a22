import type { ExportMessage } from '../../../core/contracts/Exporter.js';
import type { ActionRecord } from '../../../core/model/Action.js';
import type { EpisodeRecord } from '../../../core/model/Episode.js';

/** Prefix the runner writes when a policy reports no rendered context (`messagesAsText` in EpisodeRunner). */
const PLAIN_USER_PREFIX = '<user>\n';

/**
 * The agent's prompt: recorded on its turn by current runs; for older runs, recovered from its first action's
 * context text when that is the runner's plain rendering, else that whole rendered text (`exact: false`).
 */
export function agentPrompt(episode: EpisodeRecord, agentId: string): { text: string; exact: boolean } {
  const turn = episode.turns?.find((t) => t.agentId === agentId);
  if (typeof turn?.prompt === 'string') return { text: turn.prompt, exact: true };
  const first = episode.actions.find((a) => a.agentId === agentId && a.turnIndex === 0);
  const input = first?.inputText ?? '';
  if (input.startsWith(PLAIN_USER_PREFIX) && !input.includes('\n<assistant>\n')) return { text: input.slice(PLAIN_USER_PREFIX.length), exact: true };
  return { text: input, exact: false };
}

/**
 * What the agent saw before `action`, as chat messages: its prompt, then each of its earlier actions in this
 * episode followed by the tool output appended after it, under the role it was appended with.
 */
export function conversationBefore(episode: EpisodeRecord, action: ActionRecord): ExportMessage[] {
  const messages: ExportMessage[] = [{ role: 'user', content: agentPrompt(episode, action.agentId).text }];
  const earlier = episode.actions.filter((a) => a.agentId === action.agentId && a.turnIndex < action.turnIndex).sort((a, b) => a.turnIndex - b.turnIndex);
  for (const a of earlier) {
    messages.push({ role: 'assistant', content: a.text });
    messages.push({ role: a.toolOutputRole ?? 'user', content: a.toolOutput });
  }
  return messages;
}
