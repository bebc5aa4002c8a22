/**
 * Which program an agent wrote first in a DSBench episode, compared character for character with the demonstrated
 * dsb.py programs (the correct one and each deliberate bug): a coach-free view of what training changed per agent.
 * Shared by beforeAfter.ts (docs/dsbench.md) and experiments/analyze.ts (docs/credit-assignment.md).
 */
import type { EpisodeRecord } from '../../core/model/Episode.js';
import { Rng } from '../../core/util/Rng.js';
import { demonstrationProgram, type DemoVariant } from '../../environments/dsbench/demonstrations/demonstrationProgram.js';
import type { DsbenchTaskMetadata } from '../../environments/dsbench/DsbenchTaskMeta.js';
import type { DsbenchStage } from '../../environments/dsbench/stages.js';

export const DSBENCH_AGENTS = ['data_engineer', 'modeler', 'analyst'] as const satisfies readonly DsbenchStage[];

export const DEMO_VARIANTS: Readonly<Record<DsbenchStage, readonly DemoVariant[]>> = {
  data_engineer: ['correct', 'forget_x_test', 'fit_on_test', 'wrong_target'],
  modeler: ['correct', 'fit_on_test', 'forget_model'],
  analyst: ['correct', 'wrong_target'],
};

const strip = (s: string) => s.replace(/```(?:python)?/g, '').trim();

/** A demonstrated variant, `report_missing` (an Analyst answering in prose), `no action`, or `other`. */
export function classifyFirstAction(ep: EpisodeRecord, agent: DsbenchStage): string {
  const first = ep.actions.find((a) => a.agentId === agent);
  if (!first) return 'no action';
  const text = strip(first.text);
  const meta = ep.taskMetadata as unknown as DsbenchTaskMetadata;
  for (const v of DEMO_VARIANTS[agent]) {
    const program = strip(demonstrationProgram(agent, v, { meta, helper: true, rng: Rng.fromSeed(0) }));
    if (text === program) return v;
  }
  if (agent === 'analyst' && !first.text.includes('```')) return 'report_missing';
  return 'other';
}
