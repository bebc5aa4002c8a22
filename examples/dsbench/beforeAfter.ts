/**
 * Before/after tables of built-in DSBench runs (docs/dsbench.md): held-out success and fair metrics by task type, the
 * coach's score per agent and task type, and what each agent wrote, classified against the demonstrated programs.
 *
 *   npx tsx examples/dsbench/beforeAfter.ts RUN_DIR [RUN_DIR …]
 *
 * "Before" is the first evaluation (step 0, right after the warm start), "after" the last. Several runs (seeds) are
 * summarised as mean (min–max).
 */
import type { EpisodeRecord } from '../../core/model/Episode.js';
import { readRunDir } from '../../plugins/exporters/report/readRunDir.js';
import { readEpisodes, summarize } from '../mathchat/experiments/analysis.js';
import { classifyFirstAction as classify, DEMO_VARIANTS as VARIANTS, DSBENCH_AGENTS as AGENTS } from './classifyFirstAction.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: npx tsx examples/dsbench/beforeAfter.ts RUN_DIR [RUN_DIR …]');
  process.exit(2);
}

type Row = Record<string, number> & { step: number };

const fmt = (v: number, digits: number) => v.toFixed(digits);
function summary(values: number[], digits = 2): string {
  const s = summarize(values);
  return s.n === 1 ? fmt(s.mean, digits) : `${fmt(s.mean, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

const FIGURES: Array<[string, string, number]> = [
  ['success rate', 'eval/success_rate', 2],
  ['success rate, classification', 'eval/success_rate/classification', 2],
  ['success rate, regression', 'eval/success_rate/regression', 2],
  ['fair accuracy (classification)', 'eval/metric/fair_accuracy', 2],
  ['fair F1 (classification)', 'eval/metric/fair_f1', 2],
  ['fair RMSE % of range (regression, lower is better)', 'eval/metric/fair_rmse_pct_of_range', 1],
  ['RPG', 'eval/metric/rpg', 2],
];
const TYPES = ['classification', 'regression'] as const;

const runs: Array<{ dir: string; before: Row; after: Row; episodes: { before: EpisodeRecord[]; after: EpisodeRecord[] } }> = [];
for (const dir of dirs) {
  const run = await readRunDir(dir);
  const evals = (run.metrics as Row[]).filter((r) => typeof r['eval/success_rate'] === 'number');
  if (evals.length < 2) throw new Error(`${dir}: needs two evaluations in metrics.jsonl, found ${evals.length}`);
  const before = evals[0]!;
  const after = evals[evals.length - 1]!;
  const load = (step: number) => readEpisodes(run.episodeFiles.filter((f) => f.step === step), 'eval');
  runs.push({ dir, before, after, episodes: { before: await load(before.step), after: await load(after.step) } });
}

const out: string[] = [];
out.push(`Runs: ${runs.map((r) => `${r.dir} (step ${r.before.step} → ${r.after.step})`).join(', ')}`, '');
out.push('| figure | before | after | per run |', '|---|---|---|---|');
for (const [label, key, d] of FIGURES) {
  const b = runs.map((r) => r.before[key]!);
  const a = runs.map((r) => r.after[key]!);
  if (b.some((v) => typeof v !== 'number') || a.some((v) => typeof v !== 'number')) continue;
  out.push(`| ${label} | ${summary(b, d)} | ${summary(a, d)} | ${b.map((v, i) => `${fmt(v, d)} → ${fmt(a[i]!, d)}`).join(', ')} |`);
}
out.push('', '| agent | classification before → after | regression before → after |', '|---|---|---|');
for (const agent of AGENTS) {
  const cells = TYPES.map((t) => {
    const key = `eval/coach/score/${agent}/${t}`;
    return `${summary(runs.map((r) => r.before[key]!))} → ${summary(runs.map((r) => r.after[key]!))}`;
  });
  out.push(`| ${agent} | ${cells.join(' | ')} |`);
}

out.push('', '| agent | first action | before | after |', '|---|---|---:|---:|');
for (const agent of AGENTS) {
  const count = (eps: EpisodeRecord[]) => {
    const m = new Map<string, number>();
    for (const ep of eps) {
      const k = classify(ep, agent);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };
  const b = count(runs.flatMap((r) => r.episodes.before));
  const a = count(runs.flatMap((r) => r.episodes.after));
  const kinds = [...new Set([...VARIANTS[agent], ...(agent === 'analyst' ? ['report_missing'] : []), ...b.keys(), ...a.keys()])];
  for (const k of kinds) out.push(`| ${agent} | ${k} | ${b.get(k) ?? 0} | ${a.get(k) ?? 0} |`);
}
console.log(out.join('\n'));
