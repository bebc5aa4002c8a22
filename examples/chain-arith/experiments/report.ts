/**
 * Markdown tables and SVG plots of issue 17's credit-assignment experiments, from loaded runs. Kept apart from the
 * CLI (`analyze.ts`) so the numbers come from one place.
 */
import { renderSvgLineChart, type SvgLineSeries } from '../../../plugins/exporters/report/renderSvgChart.js';
import { PALETTE } from '../../../plugins/exporters/report/buildCharts.js';
import { auc, meanCurve, metricCurve, readEpisodes, movingAverage, rolloutsToTarget, summarize, type CurvePoint, type RunData, type Summary } from '../../mathchat/experiments/analysis.js';
import { judgeChainAction } from '../../../coaches/chain-arith-rule/judgeChainAction.js';
import { chainArithFacts } from '../../../environments/chain-arith/chainArithTask.js';
import { ARMS, CHAIN_LENGTHS, EXPERIMENTS, NOISE_K, NOISE_RATES } from './arms.js';

export interface ReportInput {
  readonly runs: ReadonlyMap<string, readonly RunData[]>;
  /** Accuracy target for "rollouts to target" (test accuracy and the training accuracy's moving average). */
  readonly target: number;
  readonly imgPrefix: string;
}

export const TRAIN_WINDOW = 5;
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '–');
const ints = (v: number) => (Number.isFinite(v) ? String(Math.round(v)) : '–');
const ratio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–');
const fmt = (s: Summary, f: (v: number) => string) => (s.n === 0 ? '–' : s.n === 1 ? f(s.mean) : `${f(s.mean)} ± ${f(s.sd)} (${f(s.min)}–${f(s.max)})`);

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export const evalCurve = (r: RunData) => metricCurve(r, 'eval/accuracy');
export const trainCurve = (r: RunData) => movingAverage(metricCurve(r, 'train/accuracy'), TRAIN_WINDOW);
const finalAcc = (r: RunData) => evalCurve(r).at(-1)?.value ?? NaN;
const startAcc = (r: RunData) => evalCurve(r)[0]?.value ?? NaN;
/** Mean test accuracy of the last three evaluations: less noisy than the last one alone. */
const lateAcc = (r: RunData) => {
  const c = evalCurve(r).slice(-3);
  return c.length ? c.reduce((s, p) => s + p.value, 0) / c.length : NaN;
};
const maxRollouts = (r: RunData) => (metricCurve(r, 'train/accuracy').at(-1)?.step ?? 0) * r.rolloutsPerStep;
/** Rollouts to the target on the training curve; a run that never gets there counts as its total rollouts (a lower bound). */
const toTarget = (r: RunData, target: number) => rolloutsToTarget(trainCurve(r), target);

const runsOf = (input: ReportInput, arm: string) => input.runs.get(arm) ?? [];
const seedsOf = (input: ReportInput, arms: readonly string[]) => [...new Set(arms.flatMap((a) => runsOf(input, a).map((r) => r.seed)))].sort((a, b) => a - b);

function runsTable(input: ReportInput, arms: readonly string[]): string {
  const rows: string[][] = [];
  for (const arm of arms) {
    for (const r of runsOf(input, arm)) {
      rows.push([arm, String(r.seed), evalCurve(r).map((p) => `${p.step}:${pct(p.value)}`).join(' '), r.wallSeconds === null ? '–' : `${(r.wallSeconds / 60).toFixed(1)} min`]);
    }
  }
  return table(['arm', 'seed', 'test accuracy by step', 'wall time (loaded machine)'], rows);
}

function accuracyTable(input: ReportInput, arms: readonly string[]): string {
  const seeds = seedsOf(input, arms);
  const rows = arms.map((arm) => {
    const runs = runsOf(input, arm);
    const per = seeds.map((s) => {
      const r = runs.find((x) => x.seed === s);
      return r ? `${pct(startAcc(r))} → ${pct(finalAcc(r))}` : '–';
    });
    return [arm, ...per, fmt(summarize(runs.map(finalAcc)), pct), fmt(summarize(runs.map(lateAcc)), pct)];
  });
  return table(['arm', ...seeds.map((s) => `seed ${s}: start → final`), 'final, mean ± sd (min–max)', 'last 3 evals, mean ± sd'], rows);
}

function targetTable(input: ReportInput, arms: readonly string[]): string {
  const seeds = seedsOf(input, arms);
  const rows = arms.map((arm) => {
    const runs = runsOf(input, arm);
    const per = seeds.map((s) => {
      const r = runs.find((x) => x.seed === s);
      if (!r) return '–';
      const v = toTarget(r, input.target);
      return v === null ? `> ${maxRollouts(r)}` : ints(v);
    });
    const reached = runs.map((r) => toTarget(r, input.target)).filter((v): v is number => v !== null);
    return [arm, ...per, `${reached.length}/${runs.length}`, fmt(summarize(reached), ints)];
  });
  return table(['arm', ...seeds.map((s) => `seed ${s}`), 'reached', 'rollouts, mean ± sd (reached only)'], rows);
}

/** Outcome rollouts ÷ process rollouts to the target, per seed (a run that never reached it counts with its total, marked ≥). */
function efficiencyRatios(input: ReportInput, processArm: string, otherArm: string): Array<{ seed: number; value: number; lowerBound: boolean }> {
  const out: Array<{ seed: number; value: number; lowerBound: boolean }> = [];
  for (const p of runsOf(input, processArm)) {
    const o = runsOf(input, otherArm).find((r) => r.seed === p.seed);
    if (!o) continue;
    const rp = toTarget(p, input.target);
    const ro = toTarget(o, input.target);
    if (rp === null || rp <= 0) continue;
    out.push({ seed: p.seed, value: (ro ?? maxRollouts(o)) / rp, lowerBound: ro === null });
  }
  return out;
}

/** Sample-efficiency ratio (outcome ÷ process rollouts to the target) and final test-accuracy gap, per seed and summarized. */
function processVsOutcome(input: ReportInput, processArm: string, outcomeArm: string): { cells: string[]; summary: { ratio: Summary; gap: Summary } } {
  const rs = efficiencyRatios(input, processArm, outcomeArm);
  const gap = runsOf(input, processArm).flatMap((p) => {
    const o = runsOf(input, outcomeArm).find((r) => r.seed === p.seed);
    return o ? [finalAcc(p) - finalAcc(o)] : [];
  });
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}`;
  const g = summarize(gap);
  return {
    cells: [
      rs.map((r) => `${r.lowerBound ? '≥ ' : ''}${ratio(r.value)}`).join(', ') || '–',
      fmt(summarize(rs.map((r) => r.value)), ratio),
      gap.map(signed).join(', ') || '–',
      g.n === 0 ? '–' : g.n === 1 ? `${signed(g.mean)} pts` : `${signed(g.mean)} ± ${(g.sd * 100).toFixed(1)} pts (${signed(g.min)} to ${signed(g.max)})`,
    ],
    summary: { ratio: summarize(rs.map((r) => r.value)), gap: g },
  };
}

function curvePlot(title: string, yLabel: string, arms: readonly string[], input: ReportInput, curveOf: (r: RunData) => CurvePoint[]): string {
  const series: SvgLineSeries[] = [];
  arms.forEach((arm, i) => {
    const runs = runsOf(input, arm);
    if (runs.length === 0) return;
    const m = meanCurve(runs.map(curveOf));
    const color = PALETTE[i % PALETTE.length]!;
    const x = m.map((p) => p.rollouts);
    series.push({ label: `${arm}: mean of ${runs.length} seed(s)`, color, dash: [], x, y: m.map((p) => p.value) });
    if (runs.length > 1) {
      series.push({ label: `${arm}: min over seeds`, color, dash: [2, 3], x, y: m.map((p) => p.min) });
      series.push({ label: `${arm}: max over seeds`, color, dash: [6, 3], x, y: m.map((p) => p.max) });
    }
  });
  return renderSvgLineChart({ title, xLabel: 'training rollouts (episodes)', yLabel, yRange: [0, 1], series, width: 760, height: 360 });
}

/**
 * How well the recorded training rewards rank actions by their own correctness (the oracle: did the action shift the
 * code it was given right), pooled over seeds: AUC 1 = perfect credit assignment, 0.5 = none.
 */
export async function creditQuality(runs: readonly RunData[]): Promise<{ actions: number; right: number; meanRight: number; meanWrong: number; auc: number }> {
  const right: number[] = [];
  const wrong: number[] = [];
  for (const r of runs) {
    for (const ep of await readEpisodes(r.episodeFiles, 'train')) {
      const facts = chainArithFacts(ep.taskMetadata);
      ep.actions.forEach((a, i) => {
        if (!a.coach) return;
        const v = judgeChainAction(facts, i, i === 0 ? undefined : ep.actions[i - 1]!.text, a.text);
        if (v.verdict === 'bad-input') return;
        (v.verdict === 'right' ? right : wrong).push(a.coach.score);
      });
    }
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
  return { actions: right.length + wrong.length, right: right.length, meanRight: mean(right), meanWrong: mean(wrong), auc: auc(right, wrong) };
}

/** The process/outcome pairs among an experiment's arms (`<prefix>process` and `<prefix>outcome`), e.g. k3- and k3-corr-. */
function regimesOf(input: ReportInput, arms: readonly string[]): Array<{ label: string; row: ReturnType<typeof processVsOutcome> }> {
  return arms
    .filter((a) => a.endsWith('-process') && arms.includes(a.replace(/-process$/, '-outcome')))
    .filter((a) => runsOf(input, a).length > 0 && runsOf(input, a.replace(/-process$/, '-outcome')).length > 0)
    .map((a) => {
      const prefix = a.replace(/-process$/, '');
      const k = ARMS[a]!.k;
      const label = prefix.includes('-corr') ? `k=${k}, correlated slips (0.6)` : `k=${k}, independent slips`;
      return { label, row: processVsOutcome(input, a, `${prefix}-outcome`) };
    });
}

export interface ReportOutput {
  readonly blocks: Record<string, string>;
  readonly plots: Record<string, string>;
  /** Headline numbers for the prose (by experiment). */
  readonly summary: Record<string, unknown>;
}

export async function buildReport(input: ReportInput): Promise<ReportOutput> {
  const blocks: Record<string, string> = {};
  const plots: Record<string, string> = {};
  const summary: Record<string, unknown> = {};
  const img = (file: string, alt: string) => `![${alt}](${input.imgPrefix}/${file})`;
  const allArms = [...new Set(Object.values(EXPERIMENTS).flatMap((e) => e.arms))].filter((a) => runsOf(input, a).length > 0);
  blocks['runs'] = runsTable(input, allArms);

  // 1. Chain length
  {
    const ks = CHAIN_LENGTHS.filter((k) => runsOf(input, `k${k}-process`).length > 0 && runsOf(input, `k${k}-outcome`).length > 0);
    const arms = ks.flatMap((k) => [`k${k}-process`, `k${k}-outcome`]);
    const ratioRows = ks.map((k) => {
      const row = processVsOutcome(input, `k${k}-process`, `k${k}-outcome`);
      summary[`k${k}`] = row.summary;
      return [String(k), ...row.cells];
    });
    const series: SvgLineSeries[] = [];
    const mean = ks.map((k) => summarize(efficiencyRatios(input, `k${k}-process`, `k${k}-outcome`).map((r) => r.value)));
    series.push({ label: 'outcome ÷ process rollouts to target: mean over seeds', color: PALETTE[0]!, dash: [], x: [...ks], y: mean.map((s) => s.mean) });
    series.push({ label: 'min over seeds', color: PALETTE[0]!, dash: [2, 3], x: [...ks], y: mean.map((s) => s.min) });
    series.push({ label: 'max over seeds', color: PALETTE[0]!, dash: [6, 3], x: [...ks], y: mean.map((s) => s.max) });
    series.push({ label: 'no advantage (1×)', color: '#999999', dash: [1, 2], x: [...ks], y: ks.map(() => 1) });
    plots['credit-chain-ratio.svg'] = renderSvgLineChart({
      title: `Sample-efficiency ratio vs chain length (training accuracy ${pct(input.target)})`,
      xLabel: 'agents in the chain (k)',
      yLabel: 'outcome ÷ process rollouts',
      yRange: null,
      series,
      width: 760,
      height: 360,
    });
    for (const k of ks) plots[`credit-chain-k${k}.svg`] = curvePlot(`k = ${k}: test accuracy, process vs outcome`, 'eval/accuracy', [`k${k}-process`, `k${k}-outcome`], input, evalCurve);
    const quality: string[][] = [];
    for (const a of arms) {
      const q = await creditQuality(runsOf(input, a));
      quality.push([a, String(q.actions), pct(q.right / q.actions), q.meanRight.toFixed(2), q.meanWrong.toFixed(2), q.auc.toFixed(3)]);
    }
    blocks['chain-length'] = [
      accuracyTable(input, arms),
      '',
      `Rollouts until the training accuracy (moving average of ${TRAIN_WINDOW} steps) reaches ${pct(input.target)}:`,
      '',
      targetTable(input, arms),
      '',
      'Sample-efficiency ratio (outcome rollouts ÷ process rollouts to the target; > 1 = process needs fewer) and final test-accuracy gap (process − outcome), per seed:',
      '',
      table(['k', 'ratio per seed', 'ratio, mean ± sd', 'final gap per seed (pts)', 'final gap, mean ± sd'], ratioRows),
      '',
      'How well the training rewards rank actions by their own correctness (oracle: the action shifted the code it was given right), all seeds pooled:',
      '',
      table(['arm', 'actions', 'right', 'mean reward, right (0–10)', 'mean reward, wrong', 'AUC'], quality),
      '',
      img('credit-chain-ratio.svg', 'sample-efficiency ratio vs chain length'),
      '',
      ...ks.map((k) => img(`credit-chain-k${k}.svg`, `k=${k} test accuracy`)),
    ].join('\n');
  }

  // 3. Noise, 4. Hindsight, 2. Correlation: accuracy and rollouts tables over their arms.
  for (const [id, exp] of Object.entries(EXPERIMENTS)) {
    if (id === 'chain-length') continue;
    const arms = exp.arms.filter((a) => runsOf(input, a).length > 0);
    if (arms.length === 0) continue;
    const vsProcess = arms
      .filter((a) => !a.endsWith('-process'))
      .map((a) => {
        const ref = ARMS[a]!.k;
        const proc = a.includes('corr-') ? `k${ref}-corr-process` : `k${ref}-process`;
        const rs = efficiencyRatios(input, proc, a);
        const out = proc.replace('-process', '-outcome');
        const vo = a === out ? [] : efficiencyRatios(input, a, out);
        return [
          a,
          rs.map((r) => `${r.lowerBound ? '≥ ' : ''}${ratio(r.value)}`).join(', ') || '–',
          fmt(summarize(rs.map((r) => r.value)), ratio),
          vo.map((r) => `${r.lowerBound ? '≥ ' : ''}${ratio(r.value)}`).join(', ') || '–',
          fmt(summarize(vo.map((r) => r.value)), ratio),
        ];
      });
    const quality: string[][] = [];
    for (const a of arms) {
      const q = await creditQuality(runsOf(input, a));
      quality.push([a, String(q.actions), pct(q.right / q.actions), q.meanRight.toFixed(2), q.meanWrong.toFixed(2), q.auc.toFixed(3)]);
    }
    plots[`credit-${id}.svg`] = curvePlot(`${exp.title}: test accuracy`, 'eval/accuracy', arms, input, evalCurve);
    const regimes = regimesOf(input, arms);
    for (const r of regimes) summary[`${id}: ${r.label}`] = r.row.summary;
    blocks[id] = [
      ...(regimes.length
        ? [
            'Process vs outcome per regime: sample-efficiency ratio (outcome ÷ process rollouts to the target; > 1 = process needs fewer) and final test-accuracy gap (process − outcome), per seed:',
            '',
            table(['regime', 'ratio per seed', 'ratio, mean ± sd', 'final gap per seed (pts)', 'final gap, mean ± sd'], regimes.map((r) => [r.label, ...r.row.cells])),
            '',
          ]
        : []),
      accuracyTable(input, arms),
      '',
      `Rollouts until the training accuracy (moving average of ${TRAIN_WINDOW} steps) reaches ${pct(input.target)}:`,
      '',
      targetTable(input, arms),
      '',
      'Rollouts to the target against the clean process arm of the same chain (arm ÷ process; > 1 = needs more rollouts than the clean process coach) and against the outcome arm (outcome ÷ arm; > 1 = still beats outcome-only), per seed:',
      '',
      table(['arm', 'arm ÷ process, per seed', 'mean ± sd', 'outcome ÷ arm, per seed', 'mean ± sd'], vsProcess),
      '',
      'How well each arm’s training rewards rank actions by their own correctness (oracle: the action shifted the code it was given right), all seeds pooled:',
      '',
      table(['arm', 'actions', 'right', 'mean reward, right (0–10)', 'mean reward, wrong', 'AUC'], quality),
      '',
      img(`credit-${id}.svg`, `${exp.title}, test accuracy`),
      '',
      'Every run of this experiment:',
      '',
      runsTable(input, arms),
    ].join('\n');
  }
  void NOISE_K;
  void NOISE_RATES;
  return { blocks, plots, summary };
}
