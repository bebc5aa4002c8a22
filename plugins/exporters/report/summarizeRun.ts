import type { RunDirContents } from './readRunDir.js';
import type { RunSummaryInfo } from './ReportData.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const pluginName = (v: unknown): string | null => (isObj(v) && typeof v.use === 'string' ? v.use : typeof v === 'string' ? v : null);

/** The headline facts of a run, from its resolved config and metrics (anything missing is null). */
export function summarizeRun(contents: Pick<RunDirContents, 'config' | 'metrics'>): RunSummaryInfo {
  const cfg = contents.config ?? {};
  const run = isObj(cfg.run) ? cfg.run : {};
  const rewards = isObj(cfg.rewards) ? cfg.rewards : {};
  const agents = Array.isArray(cfg.agents)
    ? cfg.agents.filter(isObj).map((a) => ({ id: String(a.id ?? '?'), role: typeof a.role === 'string' ? a.role : '' }))
    : [];
  const rows = contents.metrics;
  const evalKey = rows.some((r) => numOrNull(r['eval/accuracy']) !== null) ? 'eval/accuracy' : 'eval/success_rate';
  const evals = rows.flatMap((r) => {
    const v = numOrNull(r[evalKey]);
    return v === null ? [] : [{ key: evalKey, step: r.step, value: v }];
  });
  const best = evals.reduce<(typeof evals)[number] | null>((b, e) => (b === null || e.value > b.value ? e : b), null);
  const sum = (key: string): number | null =>
    rows.reduce<number | null>((acc, r) => {
      const v = numOrNull(r[key]);
      return v === null ? acc : (acc ?? 0) + v;
    }, null);
  // A step's time/step_s already holds its rollouts, training and evaluation; step 0 has only its evaluation.
  const steps = rows.reduce<number | null>((acc, r) => {
    const v = numOrNull(r['time/step_s']) ?? numOrNull(r['time/eval_s']);
    return v === null ? acc : (acc ?? 0) + v;
  }, null);
  const warmStartS = sum('time/warmstart_s');
  const totalS = steps === null && warmStartS === null ? null : (steps ?? 0) + (warmStartS ?? 0);
  return {
    name: typeof cfg.name === 'string' ? cfg.name : null,
    seed: numOrNull(cfg.seed),
    coach: pluginName(cfg.coach),
    trainer: pluginName(cfg.trainer),
    agents,
    stepsPlanned: numOrNull(run.steps),
    lastStep: rows.length ? rows.at(-1)!.step : null,
    finalEval: evals.at(-1) ?? null,
    bestEval: best,
    time: { totalS, warmStartS, rolloutS: sum('time/rollout_s'), trainS: sum('time/train_s'), evalS: sum('time/eval_s') },
    rewardScale: numOrNull(rewards.scale),
  };
}
