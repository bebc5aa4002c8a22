import type { ExportSample } from '../../../core/contracts/Exporter.js';

/** Selected samples grouped by (episode, agent), in order of their first action; each group sorted by turn index. */
export function agentTurns(samples: readonly ExportSample[]): ExportSample[][] {
  const turns = new Map<string, ExportSample[]>();
  for (const s of samples) {
    const key = `${s.record.episode_id}\u0000${s.record.agent_id}`;
    const list = turns.get(key);
    if (list) list.push(s);
    else turns.set(key, [s]);
  }
  return [...turns.values()].map((l) => l.sort((a, b) => a.record.turn_index - b.record.turn_index));
}
