import type { ExportMessage, ExportSample } from '../../../core/contracts/Exporter.js';

/** Identifying columns added to rows of formats that tolerate extra columns (TRL, OpenRLHF). */
export function sampleMeta(s: ExportSample): Record<string, unknown> {
  const r = s.record;
  return { agent_id: r.agent_id, episode_id: r.episode_id, task_id: r.task_id, step: r.step, turn_index: r.turn_index };
}

/** Plain `{role, content}` copies (no extra keys a strict reader would refuse). */
export function plainMessages(messages: readonly ExportMessage[]): Array<{ role: string; content: string }> {
  return messages.map((m) => ({ role: m.role, content: m.content }));
}

/** Coach score ≥ threshold; unscored actions are never positive. */
export function passes(s: ExportSample, threshold: number): boolean {
  return s.record.score !== null && s.record.score >= threshold;
}
