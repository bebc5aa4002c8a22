/**
 * Issue 17, experiment 5: process (`dsbench-rule`) vs outcome-only rewards on the built-in DSBench job. Reads the runs
 * of run.ts and writes the tables into docs/credit-assignment.md (between `<!-- generated:dsbench -->` markers) and
 * the plot into docs/img/credit-dsbench.svg.
 *
 *   npx tsx examples/dsbench/experiments/analyze.ts [--runs DIR] [--seeds 1,2,3]
 *
 * Success and the fair metrics come from the environment's grader, not from the coach, so both arms are measured
 * the same way. The coach's own evaluation scores are left out: in the outcome arm the pipeline's coach is `outcome`.
 * Both arms of a seed share the cached warm start, so their step-0 evaluation must be identical (checked).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { EpisodeRecord } from '../../../core/model/Episode.js';
import { readRunDir } from '../../../plugins/exporters/report/readRunDir.js';
import { renderSvgBarChart } from '../../../plugins/exporters/report/renderSvgChart.js';
import { PALETTE } from '../../../plugins/exporters/report/buildCharts.js';
import { readEpisodes, summarize } from '../../mathchat/experiments/analysis.js';
import { fillBlocks } from '../../mathchat/experiments/report.js';
import { isRunFinished } from '../../mathchat/experiments/runStatus.js';
import { classifyFirstAction, DSBENCH_AGENTS } from '../classifyFirstAction.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: join(here, 'runs') },
    seeds: { type: 'string', default: '1,2,3' },
    steps: { type: 'string', default: '10' },
    doc: { type: 'string', default: join(root, 'docs/credit-assignment.md') },
    img: { type: 'string', default: join(root, 'docs/img') },
  },
});

const ARMS = ['process', 'outcome'] as const;
type Arm = (typeof ARMS)[number];
type Row = Record<string, number> & { step: number };
interface Run {
  readonly seed: number;
  readonly before: Row;
  readonly after: Row;
  readonly episodes: { readonly before: EpisodeRecord[]; readonly after: EpisodeRecord[] };
}

const FIGURES: Array<{ label: string; key: string; digits: number; lowerIsBetter?: boolean }> = [
  { label: 'success rate', key: 'eval/success_rate', digits: 2 },
  { label: 'success rate, classification', key: 'eval/success_rate/classification', digits: 2 },
  { label: 'success rate, regression', key: 'eval/success_rate/regression', digits: 2 },
  { label: 'fair F1 (classification)', key: 'eval/metric/fair_f1', digits: 2 },
  { label: 'fair RMSE % of range (regression)', key: 'eval/metric/fair_rmse_pct_of_range', digits: 1, lowerIsBetter: true },
  { label: 'RPG', key: 'eval/metric/rpg', digits: 2 },
];

const seeds = values.seeds.split(',').map(Number);
const steps = Number(values.steps);
const runs = new Map<Arm, Run[]>();
for (const arm of ARMS) {
  const list: Run[] = [];
  for (const seed of seeds) {
    const dir = join(resolve(values.runs), arm, `seed-${seed}`);
    if (!existsSync(dir) || !(await isRunFinished(dir, steps, 'eval/success_rate'))) {
      console.warn(`${arm}/seed-${seed}: not finished, left out`);
      continue;
    }
    const run = await readRunDir(dir);
    const evals = (run.metrics as Row[]).filter((r) => typeof r['eval/success_rate'] === 'number');
    if (evals.length < 2) throw new Error(`${dir}/metrics.jsonl: needs the step-0 and the final evaluation, found ${evals.length}`);
    const before = evals[0]!;
    const after = evals.at(-1)!;
    const load = (step: number) => readEpisodes(run.episodeFiles.filter((f) => f.step === step), 'eval');
    list.push({ seed, before, after, episodes: { before: await load(before.step), after: await load(after.step) } });
  }
  runs.set(arm, list);
}

// Same seed, same cached warm start, same seeded evaluation: a different step 0 means the arms are not comparable.
for (const p of runs.get('process')!) {
  const o = runs.get('outcome')!.find((r) => r.seed === p.seed);
  if (o && o.before['eval/success_rate'] !== p.before['eval/success_rate']) {
    throw new Error(`seed ${p.seed}: step-0 success differs between arms (${p.before['eval/success_rate']} vs ${o.before['eval/success_rate']}); were both trained from the same warm-start cache?`);
  }
}

const paired = seeds.filter((s) => ARMS.every((a) => runs.get(a)!.some((r) => r.seed === s)));
const get = (arm: Arm, seed: number) => runs.get(arm)!.find((r) => r.seed === seed)!;
const f = (v: number | undefined, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '–');
const spread = (xs: number[], d: number) => {
  const s = summarize(xs);
  return s.n === 0 ? '–' : s.n === 1 ? f(s.mean, d) : `${f(s.mean, d)} ± ${f(s.sd, d)} (${f(s.min, d)} to ${f(s.max, d)})`;
};
const signed = (v: number, d: number) => `${v >= 0 ? '+' : ''}${v.toFixed(d)}`;

const lines: string[] = [];
lines.push(
  `Held-out evaluation (4 tasks × 8 samples = 32 episodes at temperature 1) after the warm start (step 0, shared by both arms of a seed) and after ${steps} RL steps; seeds ${paired.join(', ')}.`,
  '',
  `| figure | seed: step 0 → process / outcome | process after, mean ± sd | outcome after, mean ± sd | process − outcome per seed | mean ± sd |`,
  '|---|---|---|---|---|---|',
);
const gaps: Record<string, number[]> = {};
for (const fig of FIGURES) {
  const per = paired.map((s) => `${s}: ${f(get('process', s).before[fig.key], fig.digits)} → ${f(get('process', s).after[fig.key], fig.digits)} / ${f(get('outcome', s).after[fig.key], fig.digits)}`);
  const pa = paired.map((s) => get('process', s).after[fig.key]!);
  const oa = paired.map((s) => get('outcome', s).after[fig.key]!);
  const gap = paired.map((_, i) => pa[i]! - oa[i]!);
  gaps[fig.key] = gap;
  lines.push(`| ${fig.label}${fig.lowerIsBetter ? ' (lower is better)' : ''} | ${per.join('; ')} | ${spread(pa, fig.digits)} | ${spread(oa, fig.digits)} | ${gap.map((g) => signed(g, fig.digits)).join(', ')} | ${spread(gap, fig.digits)} |`);
}

// Per agent: how many first actions are the demonstrated correct program, before and after, pooled over seeds.
lines.push(
  '',
  `What each agent wrote first in the held-out episodes (the demonstrated correct program, character for character), pooled over seeds (${paired.length} × 32 episodes; each seed's count in brackets):`,
  '',
  '| agent | step 0 | process after | outcome after |',
  '|---|---:|---:|---:|',
);
const correct = (eps: EpisodeRecord[], agent: (typeof DSBENCH_AGENTS)[number]) =>
  eps.filter((e) => classifyFirstAction(e, agent) === 'correct').length;
// Pooled count, then each seed's count in brackets: a pooled difference carried by one seed should be visible.
const share = (arm: Arm, which: 'before' | 'after', agent: (typeof DSBENCH_AGENTS)[number]) => {
  const per = paired.map((s) => get(arm, s).episodes[which]);
  const total = per.reduce((n, eps) => n + correct(eps, agent), 0);
  const size = per.reduce((n, eps) => n + eps.length, 0);
  return per.length > 1 ? `${total}/${size} (${per.map((eps) => correct(eps, agent)).join(', ')})` : `${total}/${size}`;
};
for (const agent of DSBENCH_AGENTS) {
  lines.push(`| ${agent} | ${share('process', 'before', agent)} | ${share('process', 'after', agent)} | ${share('outcome', 'after', agent)} |`);
}

const imgDir = resolve(values.img);
const docFile = resolve(values.doc);
const cats = [...paired.map((s) => `seed ${s}`), 'mean'];
const succ = (arm: Arm, which: 'before' | 'after') => {
  const v = paired.map((s) => get(arm, s)[which]['eval/success_rate']!);
  return [...v, summarize(v).mean];
};
const svg = renderSvgBarChart({
  title: `DSBench: held-out success rate after ${steps} RL steps, process vs outcome rewards`,
  categories: cats,
  xLabel: 'seed',
  yLabel: 'eval/success_rate',
  groups: [
    { label: 'step 0 (warm start, both arms)', color: '#999999', values: succ('process', 'before') },
    { label: 'process (dsbench-rule)', color: PALETTE[0]!, values: succ('process', 'after') },
    { label: 'outcome-only', color: PALETTE[1]!, values: succ('outcome', 'after') },
  ],
  width: 760,
  height: 360,
});
await mkdir(imgDir, { recursive: true });
await writeFile(join(imgDir, 'credit-dsbench.svg'), svg);
lines.push('', `![DSBench success rate, process vs outcome](${relative(dirname(docFile), imgDir) || '.'}/credit-dsbench.svg)`);

const doc = await readFile(docFile, 'utf8');
await writeFile(docFile, fillBlocks(doc, { dsbench: lines.join('\n') }));
console.log(JSON.stringify({ seeds: paired, gaps }, null, 1));
console.log(`wrote ${docFile} and ${join(imgDir, 'credit-dsbench.svg')}`);
