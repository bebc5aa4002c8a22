import type { EpisodeRecord } from '../../../core/model/Episode.js';
import type { AgentCoachStats, CoachStats, MeanCount, PhaseEpisodeStats } from './ReportData.js';

/** Metadata fields tried, in order, for the per-task-type view when the caller names none. */
export const TASK_TYPE_CANDIDATES = ['taskType', 'task_type', 'type', 'category', 'subject', 'level', 'difficulty'] as const;

const newPhase = (): PhaseEpisodeStats => ({ episodes: 0, success: 0, graded: 0, correct: 0, failed: 0, failedByKind: {} });
const newAgent = (agentId: string, role: string): AgentCoachStats => ({
  agentId,
  role,
  actions: 0,
  coached: 0,
  scoreSum: 0,
  histogram: Array.from({ length: 11 }, () => 0),
  fallbacks: 0,
  repairs: 0,
  cached: 0,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  withUsage: 0,
  byTaskType: {},
  byOutcome: { correct: { n: 0, sum: 0 }, wrong: { n: 0, sum: 0 }, failed: { n: 0, sum: 0 } },
});
const add = (m: MeanCount, x: number) => {
  m.n++;
  m.sum += x;
};

function taskTypeValue(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/**
 * Coach and outcome figures over every episode of a run, fed one episode at a time so that large runs never sit in
 * memory. Figures are kept per phase; `result()` picks train rollouts, or eval episodes if no train action was coached.
 */
export class CoachStatsAccumulator {
  readonly #agents = { train: new Map<string, AgentCoachStats>(), eval: new Map<string, AgentCoachStats>() };
  readonly #phases = { train: newPhase(), eval: newPhase() };
  readonly #coachNames = new Map<string, number>();
  readonly #errors = new Map<string, number>();
  /** phase → candidate key → type → agent → mean. */
  readonly #byType = { train: new Map<string, Map<string, Map<string, MeanCount>>>(), eval: new Map<string, Map<string, Map<string, MeanCount>>>() };
  readonly #candidates: readonly string[];

  constructor(
    taskTypeKey: string | undefined,
    readonly agentOrder: ReadonlyArray<{ id: string; role: string }> = [],
  ) {
    this.#candidates = taskTypeKey ? [taskTypeKey] : TASK_TYPE_CANDIDATES;
  }

  /** The task type of an episode under the key that `result()` will report (first candidate with a value). */
  taskTypeOf(ep: Pick<EpisodeRecord, 'taskMetadata'>): string | null {
    for (const key of this.#candidates) {
      const t = taskTypeValue(ep.taskMetadata?.[key]);
      if (t !== undefined) return t;
    }
    return null;
  }

  add(ep: EpisodeRecord): void {
    const phase = ep.phase === 'eval' ? 'eval' : 'train';
    const ps = this.#phases[phase];
    ps.episodes++;
    if (ep.outcome?.success) ps.success++;
    if (ep.outcome?.correct !== undefined || ep.error) ps.graded++;
    if (ep.outcome?.correct) ps.correct++;
    if (ep.error) {
      ps.failed++;
      ps.failedByKind[ep.error.kind] = (ps.failedByKind[ep.error.kind] ?? 0) + 1;
    }
    const outcomeKey: keyof AgentCoachStats['byOutcome'] = ep.error || !ep.outcome?.success ? 'failed' : ep.outcome.correct === false ? 'wrong' : 'correct';
    const types = this.#candidates.map((k) => [k, taskTypeValue(ep.taskMetadata?.[k])] as const).filter((kv): kv is readonly [string, string] => kv[1] !== undefined);
    for (const a of ep.actions ?? []) {
      const agents = this.#agents[phase];
      let s = agents.get(a.agentId);
      if (!s) agents.set(a.agentId, (s = newAgent(a.agentId, a.role)));
      s.actions++;
      const c = a.coach;
      if (!c || typeof c.score !== 'number' || !Number.isFinite(c.score)) continue;
      s.coached++;
      s.scoreSum += c.score;
      const bin = Math.min(10, Math.max(0, Math.round(c.score)));
      s.histogram[bin] = (s.histogram[bin] ?? 0) + 1;
      if (c.flags?.fallback) s.fallbacks++;
      if (c.flags?.repaired) s.repairs++;
      if (c.flags?.cached) s.cached++;
      if (c.error) {
        s.errors++;
        const msg = c.error.length > 200 ? `${c.error.slice(0, 200)}…` : c.error;
        this.#errors.set(msg, (this.#errors.get(msg) ?? 0) + 1);
      }
      if (c.usage) {
        s.withUsage++;
        s.inputTokens += c.usage.inputTokens ?? 0;
        s.outputTokens += c.usage.outputTokens ?? 0;
        s.costUsd += c.usage.costUsd ?? 0;
      }
      if (c.coach) this.#coachNames.set(c.coach, (this.#coachNames.get(c.coach) ?? 0) + 1);
      add(s.byOutcome[outcomeKey], c.score);
      for (const [key, type] of types) {
        const byKey = this.#byType[phase];
        let byValue = byKey.get(key);
        if (!byValue) byKey.set(key, (byValue = new Map()));
        let byAgent = byValue.get(type);
        if (!byAgent) byValue.set(type, (byAgent = new Map()));
        let m = byAgent.get(a.agentId);
        if (!m) byAgent.set(a.agentId, (m = { n: 0, sum: 0 }));
        add(m, c.score);
      }
    }
  }

  result(): CoachStats {
    const coachedTrain = [...this.#agents.train.values()].some((s) => s.coached > 0);
    const coachedEval = [...this.#agents.eval.values()].some((s) => s.coached > 0);
    const phase: 'train' | 'eval' = !coachedTrain && coachedEval ? 'eval' : 'train';
    const order = new Map(this.agentOrder.map((a, i) => [a.id, i]));
    const agents = [...this.#agents[phase].values()].sort(
      (a, b) => (order.get(a.agentId) ?? 1e9) - (order.get(b.agentId) ?? 1e9) || a.agentId.localeCompare(b.agentId),
    );
    const byKey = this.#byType[phase];
    const taskTypeKey = this.#candidates.find((k) => byKey.has(k)) ?? null;
    const taskTypes = taskTypeKey ? [...byKey.get(taskTypeKey)!.keys()].sort() : [];
    if (taskTypeKey) {
      for (const [type, byAgent] of byKey.get(taskTypeKey)!) {
        for (const s of agents) {
          const m = byAgent.get(s.agentId);
          if (m) s.byTaskType[type] = m;
        }
      }
    }
    const errorMessages = [...this.#errors]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 10)
      .map(([message, count]) => ({ message, count }));
    return {
      phase,
      taskTypeKey,
      taskTypes,
      agents,
      coachNames: Object.fromEntries(this.#coachNames),
      errorMessages,
      episodes: { train: this.#phases.train, eval: this.#phases.eval },
    };
  }
}
