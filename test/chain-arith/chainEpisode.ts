import type { EpisodeRecord } from '../../core/model/Episode.js';
import { sampleAction } from '../conformance/coachConformance.js';

/** A finished chain-arith episode with the given agent outputs (one action per agent). */
export function chainEpisode(o: { start: string; operands: number[]; texts: string[]; correct?: boolean; seed?: number; id?: string }): EpisodeRecord {
  const actions = o.texts.map((text, i) =>
    sampleAction({ index: i, agentId: `a${i + 1}`, role: `Stage ${i + 1}`, text, inputText: `${i === 0 ? o.start : o.texts[i - 1]}+${o.operands[i]}=` }),
  );
  return {
    id: o.id ?? 'ep',
    step: 1,
    phase: 'train',
    taskId: 'train-0',
    taskMetadata: { start: o.start, operands: o.operands, modulus: 10, stages: o.operands.length },
    groupId: 'g',
    sampleIndex: 0,
    seed: o.seed ?? 7,
    turns: actions.map((a) => ({ agentId: a.agentId, role: a.role, actions: [a], output: a.text })),
    actions,
    ...(o.correct !== undefined ? { outcome: { success: true, correct: o.correct, metrics: {} } } : {}),
    artifacts: [],
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
  };
}
