/**
 * The measurements of issue 7's experiments, computed from run directories (`metrics.jsonl`, `episodes/*.jsonl`,
 * `config.resolved.yaml`). Pure functions over parsed records plus small readers; `analyze.ts` turns them into the
 * markdown and SVG plots of docs/mathchat-experiments.md.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionRecord } from '../../../core/model/Action.js';
import type { EpisodeRecord } from '../../../core/model/Episode.js';
import type { CoachInput } from '../../../core/contracts/Coach.js';
import { createMathChatRuleCoach, type MathChatRuleCoachConfig } from '../../../coaches/mathchat-rule/mathchatRuleCoachPlugin.js';
import { answersEquivalent } from '../../../environments/mathchat/answers/answersEquivalent.js';
import { collectMathChatFacts } from '../../../environments/mathchat/mathchatFacts.js';
import { inferMathChatRole } from '../../../environments/mathchat/mathchatRoles.js';
import { createMathChatGenerator } from '../../../environments/mathchat/tasks/mathchatGeneratorPlugin.js';
import { readRunDir, type EpisodeFile, type MetricsLine } from '../../../plugins/exporters/report/readRunDir.js';
import type { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------------
// Runs and curves

export interface RunData {
  readonly arm: string;
  readonly seed: number;
  readonly dir: string;
  readonly metrics: MetricsLine[];
  readonly config: Record<string, unknown> | null;
  readonly episodeFiles: EpisodeFile[];
  /** Wall time of the training command (run.ts's record, else the span of logs/run.log); includes a cold warm start. */
  readonly wallSeconds: number | null;
  /** Seconds spent warm-starting (0 when the cache had it), from logs/run.log. */
  readonly warmStartSeconds: number;
  /** Training episodes per step (tasksPerStep × samplesPerTask). */
  readonly rolloutsPerStep: number;
}

export async function loadRun(dir: string, arm: string, seed: number): Promise<RunData> {
  const c = await readRunDir(dir);
  const run = (c.config?.['run'] ?? {}) as { tasksPerStep?: number; samplesPerTask?: number };
  let wallSeconds: number | null = null;
  const expFile = join(dir, 'experiment.json');
  if (existsSync(expFile)) wallSeconds = (JSON.parse(await readFile(expFile, 'utf8')) as { wallSeconds?: number }).wallSeconds ?? null;
  const log = await readLogTimes(join(dir, 'logs', 'run.log'));
  wallSeconds ??= log.spanSeconds;
  return {
    arm,
    seed,
    dir: c.dir,
    metrics: c.metrics,
    config: c.config,
    episodeFiles: c.episodeFiles,
    wallSeconds,
    warmStartSeconds: log.warmStartSeconds,
    rolloutsPerStep: (run.tasksPerStep ?? 0) * (run.samplesPerTask ?? 1),
  };
}

/** Span between the first and last line of a run log, and the warm-start seconds it reports. */
export async function readLogTimes(file: string): Promise<{ spanSeconds: number | null; warmStartSeconds: number }> {
  if (!existsSync(file)) return { spanSeconds: null, warmStartSeconds: 0 };
  const times: number[] = [];
  let warmStartSeconds = 0;
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      const row = JSON.parse(line) as { time?: string; msg?: string };
      if (row.time) times.push(Date.parse(row.time));
      const m = /^warm start: \S+ trained .* in ([\d.]+) s/.exec(row.msg ?? '');
      if (m) warmStartSeconds += Number(m[1]);
    } catch {
      // partial last line
    }
  }
  return { spanSeconds: times.length > 1 ? (Math.max(...times) - Math.min(...times)) / 1000 : null, warmStartSeconds };
}

export interface CurvePoint {
  readonly step: number;
  /** Training episodes rolled out before this evaluation. */
  readonly rollouts: number;
  readonly value: number;
}

/** The rows of `metrics.jsonl` that carry `key`, as (step, rollouts, value). */
export function metricCurve(run: Pick<RunData, 'metrics' | 'rolloutsPerStep'>, key: string): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const row of run.metrics) {
    const v = row[key];
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ step: row.step, rollouts: row.step * run.rolloutsPerStep, value: v });
  }
  return out.sort((a, b) => a.step - b.step);
}

/** Trailing moving average over `window` points (fewer at the start). */
export function movingAverage(curve: readonly CurvePoint[], window: number): CurvePoint[] {
  return curve.map((p, i) => {
    const slice = curve.slice(Math.max(0, i - window + 1), i + 1);
    return { ...p, value: slice.reduce((s, q) => s + q.value, 0) / slice.length };
  });
}

/**
 * Rollouts at which the curve first reaches `target`, interpolating linearly between the two points around the
 * crossing; 0 when the first point is already there, null when it never gets there.
 */
export function rolloutsToTarget(curve: readonly CurvePoint[], target: number): number | null {
  for (let i = 0; i < curve.length; i++) {
    const p = curve[i]!;
    if (p.value >= target) {
      if (i === 0) return p.rollouts;
      const q = curve[i - 1]!;
      return q.rollouts + ((target - q.value) / (p.value - q.value)) * (p.rollouts - q.rollouts);
    }
  }
  return null;
}

export interface Summary {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (0 for one value). */
  readonly sd: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) return { n, mean: NaN, sd: NaN, min: NaN, max: NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

/** Mean and min/max over runs, pointwise at the steps all runs share. */
export function meanCurve(curves: readonly (readonly CurvePoint[])[]): Array<CurvePoint & { min: number; max: number }> {
  if (curves.length === 0) return [];
  const steps = curves[0]!.map((p) => p.step).filter((s) => curves.every((c) => c.some((p) => p.step === s)));
  return steps.map((step) => {
    const pts = curves.map((c) => c.find((p) => p.step === step)!);
    const s = summarize(pts.map((p) => p.value));
    return { step, rollouts: pts[0]!.rollouts, value: s.mean, min: s.min, max: s.max };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Episodes

export async function readEpisodes(files: readonly EpisodeFile[], phase: 'train' | 'eval'): Promise<EpisodeRecord[]> {
  const out: EpisodeRecord[] = [];
  for (const f of files) {
    if (f.phase !== phase) continue;
    for (const line of (await readFile(f.path, 'utf8')).split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as EpisodeRecord);
      } catch {
        // a run stopped mid-write leaves a partial last line
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Experiment 2: do GRPO groups share their input?

export interface GroupIdentity {
  readonly agentId: string;
  /** Groups = (task sample group, agent, turn index) within a step, as the trainers build them. */
  readonly groups: number;
  /** Groups with at least two members (the others get advantage 0 from GRPO). */
  readonly multiMember: number;
  /** Multi-member groups whose members all saw the same context (token ids, else the rendered input text). */
  readonly identical: number;
  readonly actions: number;
  /** Actions in a singleton group. */
  readonly singletonActions: number;
  /** Actions whose group has all-equal coach scores (incl. singletons): GRPO gives them advantage 0. */
  readonly zeroAdvantageActions: number;
}

const inputKey = (a: ActionRecord): string => (a.contextIds.length > 0 ? a.contextIds.join(',') : a.inputText);

export function groupIdentity(episodes: readonly EpisodeRecord[]): GroupIdentity[] {
  const groups = new Map<string, { agentId: string; actions: ActionRecord[] }>();
  for (const ep of episodes) {
    for (const a of ep.actions) {
      const key = JSON.stringify([ep.step, ep.groupId, a.agentId, a.turnIndex]);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { agentId: a.agentId, actions: [] }));
      g.actions.push(a);
    }
  }
  const byAgent = new Map<string, { groups: number; multiMember: number; identical: number; actions: number; singletonActions: number; zeroAdvantageActions: number }>();
  for (const g of groups.values()) {
    let s = byAgent.get(g.agentId);
    if (!s) byAgent.set(g.agentId, (s = { groups: 0, multiMember: 0, identical: 0, actions: 0, singletonActions: 0, zeroAdvantageActions: 0 }));
    s.groups++;
    s.actions += g.actions.length;
    const scores = g.actions.map((a) => a.coach?.score);
    if (g.actions.length === 1 || scores.every((x) => x === scores[0])) s.zeroAdvantageActions += g.actions.length;
    if (g.actions.length === 1) {
      s.singletonActions++;
      continue;
    }
    s.multiMember++;
    const k0 = inputKey(g.actions[0]!);
    if (g.actions.every((a) => inputKey(a) === k0)) s.identical++;
  }
  return [...byAgent.entries()].map(([agentId, s]) => ({ agentId, ...s }));
}

// ---------------------------------------------------------------------------------------------------------------
// Experiment 3: credit assignment against an oracle of each action's own correctness

export type ActionKind = 'solver' | 'coder-code' | 'coder-report' | 'verifier';

const eq = (a: string | undefined, b: unknown): boolean => {
  if (a === undefined || b === undefined || b === null) return false;
  try {
    return answersEquivalent(a, String(b));
  } catch {
    return false;
  }
};

/**
 * Whether the action itself did its job, judged with the ground truth and the facts of the episode (not by a coach):
 * - Solver: its draft expression evaluates to the answer (drafts state no result in the default pipeline);
 * - Code Executor, an action with code: the value it printed is the answer;
 * - Code Executor, an action without code: it reports what the code printed (a faithful report of a wrong value is
 *   right: the code was wrong, not the report); the first action without code is right only if it states the answer;
 * - Verifier: it boxes what the code printed (faithful) or the answer.
 */
export function oracle(action: ActionRecord, previous: readonly ActionRecord[], groundTruth: unknown): { kind: ActionKind; right: boolean } {
  const role = inferMathChatRole(action.role, { usesCode: action.toolCalls.length > 0 });
  const f = collectMathChatFacts(action, previous);
  if (role === 'solver') return { kind: 'solver', right: eq(f.statedExpression ?? f.statedAnswer, groundTruth) };
  if (role === 'coder') {
    if (action.toolCalls.length > 0) return { kind: 'coder-code', right: eq(f.printed, groundTruth) };
    const ranBefore = previous.some((p) => p.agentId === action.agentId && p.toolCalls.length > 0);
    if (ranBefore && f.upstreamPrinted !== undefined) return { kind: 'coder-report', right: eq(f.statedAnswer, f.upstreamPrinted) };
    return { kind: 'coder-report', right: eq(f.statedAnswer, groundTruth) };
  }
  return { kind: 'verifier', right: eq(f.answer, f.upstreamPrinted) || eq(f.answer, groundTruth) };
}

/** Ground truth by task id, regenerated from the run's `tasks:` section (the bundled generator is deterministic). */
export async function groundTruthOf(config: Record<string, unknown> | null): Promise<Map<string, unknown>> {
  const tasksCfg = { ...((config?.['tasks'] ?? {}) as Record<string, unknown>) };
  if (tasksCfg['use'] !== 'mathchat-generator') throw new Error(`credit assignment needs tasks.use: mathchat-generator (got ${String(tasksCfg['use'])})`);
  delete tasksCfg['use'];
  const gen = createMathChatGenerator(tasksCfg as Parameters<typeof createMathChatGenerator>[0]);
  const out = new Map<string, unknown>();
  for (const split of ['train', 'test']) for (const t of await gen.tasks(split)) out.set(t.id, t.groundTruth);
  return out;
}

type RuleCoachConfig = z.input<typeof import('../../../coaches/mathchat-rule/mathchatRuleCoachPlugin.js').MathChatRuleCoachConfig>;

/**
 * Scores every action of `episodes` again with a `mathchat-rule` coach built from `coachConfig`, exactly as the
 * runner feeds it (the environment's facts as extras, the ground truth for every agent as in the default pipeline).
 * Rescoring the same actions with and without tool output isolates the coach from the policy it trained.
 */
export async function rescore(episodes: readonly EpisodeRecord[], coachConfig: RuleCoachConfig, groundTruth: ReadonlyMap<string, unknown>): Promise<number[][]> {
  const coach = createMathChatRuleCoach(coachConfig);
  const agentIds = [...new Set(episodes.flatMap((e) => e.turns.map((t) => t.agentId)))];
  const out: number[][] = [];
  for (const ep of episodes) {
    const scores: number[] = [];
    for (let i = 0; i < ep.actions.length; i++) {
      const a = ep.actions[i]!;
      const previous = ep.actions.slice(0, i);
      const input: CoachInput = {
        task: { id: ep.taskId, prompt: '', metadata: ep.taskMetadata },
        agent: { id: a.agentId, role: a.role, position: agentIds.indexOf(a.agentId), count: agentIds.length },
        agentInput: a.inputText,
        action: a.text,
        actionRecord: a,
        ...(a.toolOutput ? { toolOutput: a.toolOutput } : {}),
        previousActions: previous,
        groundTruth: groundTruth.get(ep.taskId),
        extras: { ...collectMathChatFacts(a, previous) },
      };
      scores.push((await coach.evaluate(input)).score);
    }
    out.push(scores);
  }
  return out;
}

export interface CreditStats {
  readonly kind: ActionKind | 'all';
  readonly actions: number;
  readonly right: number;
  readonly meanScoreRight: number;
  readonly meanScoreWrong: number;
  /** P(score of a right action > score of a wrong one), ties counted half: 1 = perfect ranking, 0.5 = no information. */
  readonly auc: number;
  /** Share of actions where "score ≥ threshold" equals the oracle's verdict. */
  readonly agreement: number;
}

/** Mann–Whitney AUC of scores of right vs wrong actions. */
export function auc(right: readonly number[], wrong: readonly number[]): number {
  if (right.length === 0 || wrong.length === 0) return NaN;
  const all = [...right.map((s) => ({ s, r: true })), ...wrong.map((s) => ({ s, r: false }))].sort((a, b) => a.s - b.s);
  let rankSumRight = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]!.r) rankSumRight += avgRank;
    i = j;
  }
  return (rankSumRight - (right.length * (right.length + 1)) / 2) / (right.length * wrong.length);
}

export interface LabelledScore {
  readonly kind: ActionKind;
  readonly right: boolean;
  readonly score: number;
}

export function creditStats(items: readonly LabelledScore[], threshold = 5): CreditStats[] {
  const kinds: Array<ActionKind | 'all'> = ['solver', 'coder-code', 'coder-report', 'verifier', 'all'];
  return kinds
    .map((kind) => {
      const xs = kind === 'all' ? items : items.filter((i) => i.kind === kind);
      const r = xs.filter((x) => x.right).map((x) => x.score);
      const w = xs.filter((x) => !x.right).map((x) => x.score);
      const mean = (v: number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN);
      return {
        kind,
        actions: xs.length,
        right: r.length,
        meanScoreRight: mean(r),
        meanScoreWrong: mean(w),
        auc: auc(r, w),
        agreement: xs.length ? xs.filter((x) => x.score >= threshold === x.right).length / xs.length : NaN,
      };
    })
    .filter((s) => s.actions > 0);
}

/** Oracle labels of every action, in episode order (aligned with `rescore` and with the recorded `coach.score`). */
export function labelEpisodes(episodes: readonly EpisodeRecord[], groundTruth: ReadonlyMap<string, unknown>): Array<Array<{ kind: ActionKind; right: boolean }>> {
  return episodes.map((ep) => ep.actions.map((a, i) => oracle(a, ep.actions.slice(0, i), groundTruth.get(ep.taskId))));
}

export interface BlameStats {
  /** Episodes whose code printed a wrong value and whose Verifier boxed that value. */
  readonly copiedWrong: number;
  /** Of those, the share where the coach scored the wrong code action below the Verifier that copied it. */
  readonly culpritBelowCopier: number;
}

/** The case the paper's coach-context argument is about: wrong code, faithful Verifier. Who gets the lower score? */
export function blameStats(episodes: readonly EpisodeRecord[], scores: readonly (readonly number[])[], labels: ReturnType<typeof labelEpisodes>): BlameStats {
  let copiedWrong = 0;
  let below = 0;
  episodes.forEach((ep, e) => {
    const l = labels[e]!;
    const s = scores[e]!;
    const v = l.findLastIndex((x) => x.kind === 'verifier');
    const c = l.findLastIndex((x) => x.kind === 'coder-code');
    if (v < 0 || c < 0 || l[c]!.right || !l[v]!.right) return;
    const f = collectMathChatFacts(ep.actions[v]!, ep.actions.slice(0, v));
    if (!eq(f.answer, f.upstreamPrinted)) return;
    copiedWrong++;
    if (s[c]! < s[v]!) below++;
  });
  return { copiedWrong, culpritBelowCopier: copiedWrong ? below / copiedWrong : NaN };
}

export type { MathChatRuleCoachConfig };
