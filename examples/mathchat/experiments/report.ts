/**
 * Markdown tables and SVG plots of issue 7's experiments from loaded runs. Kept apart from the CLI (`analyze.ts`)
 * so a test can build the report from a synthetic run directory.
 */
import { renderSvgLineChart, type SvgLineSeries } from '../../../plugins/exporters/report/renderSvgChart.js';
import { PALETTE } from '../../../plugins/exporters/report/buildCharts.js';
import { EXPERIMENTS } from './arms.js';
import {
  blameStats,
  creditStats,
  groupIdentity,
  labelEpisodes,
  meanCurve,
  metricCurve,
  movingAverage,
  readEpisodes,
  rescore,
  rolloutsToTarget,
  summarize,
  type CreditStats,
  type CurvePoint,
  type GroupIdentity,
  type LabelledScore,
  type RunData,
  type Summary,
  groundTruthOf,
} from './analysis.js';

export interface ReportInput {
  /** Runs by arm id. */
  readonly runs: ReadonlyMap<string, readonly RunData[]>;
  readonly labels: Readonly<Record<string, string>>;
  /** Test-accuracy target of experiment 1; default: halfway from the start to the process arm's final mean, in whole %. */
  readonly target?: number;
  /** Relative path from the markdown file to the plot folder, e.g. `img`. */
  readonly imgPrefix: string;
}

export interface ReportOutput {
  /** Markdown blocks by id (`runs`, `process-vs-outcome`, `rpp-vs-grpo`, `coach-context`). */
  readonly blocks: Record<string, string>;
  /** SVG files by name. */
  readonly plots: Record<string, string>;
}

const TRAIN_WINDOW = 5;
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '–');
const num = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '–');
const fmtSummary = (s: Summary, f: (v: number) => string) => (s.n === 0 ? '–' : s.n === 1 ? f(s.mean) : `${f(s.mean)} ± ${f(s.sd)} (${f(s.min)}–${f(s.max)})`);
const ints = (v: number) => (Number.isFinite(v) ? String(Math.round(v)) : '–');

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const evalCurve = (r: RunData) => metricCurve(r, 'eval/accuracy');
const trainCurve = (r: RunData) => movingAverage(metricCurve(r, 'train/accuracy'), TRAIN_WINDOW);
const startAcc = (r: RunData) => evalCurve(r)[0]?.value ?? NaN;
const finalAcc = (r: RunData) => evalCurve(r).at(-1)?.value ?? NaN;
const seedsOf = (runs: ReadonlyMap<string, readonly RunData[]>, arms: readonly string[]) =>
  [...new Set(arms.flatMap((a) => (runs.get(a) ?? []).map((r) => r.seed)))].sort((a, b) => a - b);

function curvePlot(title: string, yLabel: string, arms: readonly string[], input: ReportInput, curveOf: (r: RunData) => CurvePoint[]): string {
  const series: SvgLineSeries[] = [];
  arms.forEach((arm, i) => {
    const runs = input.runs.get(arm) ?? [];
    if (runs.length === 0) return;
    const m = meanCurve(runs.map(curveOf));
    const color = PALETTE[i % PALETTE.length]!;
    const x = m.map((p) => p.rollouts);
    const name = input.labels[arm] ?? arm;
    series.push({ label: `${name}: mean of ${runs.length} seeds`, color, dash: [], x, y: m.map((p) => p.value) });
    if (runs.length > 1) {
      series.push({ label: `${name}: min over seeds`, color, dash: [2, 3], x, y: m.map((p) => p.min) });
      series.push({ label: `${name}: max over seeds`, color, dash: [6, 3], x, y: m.map((p) => p.max) });
    }
  });
  return renderSvgLineChart({ title, xLabel: 'training rollouts (episodes)', yLabel, yRange: [0, 1], series, width: 760, height: 360 });
}

function runsTable(input: ReportInput): string {
  const rows: string[][] = [];
  for (const [arm, runs] of input.runs) {
    for (const r of runs) {
      const ev = evalCurve(r);
      rows.push([
        arm,
        String(r.seed),
        ev.map((p) => `${p.step}:${pct(p.value)}`).join(' '),
        r.wallSeconds === null ? '–' : `${(r.wallSeconds / 60).toFixed(1)} min`,
        r.warmStartSeconds > 0 ? `${(r.warmStartSeconds / 60).toFixed(1)} min` : 'cached',
      ]);
    }
  }
  return table(['arm', 'seed', 'eval accuracy by step', 'wall time', 'of which warm start'], rows);
}

function accuracyTable(arms: readonly string[], input: ReportInput): string {
  const seeds = seedsOf(input.runs, arms);
  const head = ['arm', ...seeds.map((s) => `seed ${s}: start → final`), 'final, mean ± sd (min–max)', 'gain, mean ± sd'];
  const rows = arms.map((arm) => {
    const runs = input.runs.get(arm) ?? [];
    const cells = seeds.map((s) => {
      const r = runs.find((x) => x.seed === s);
      return r ? `${pct(startAcc(r))} → ${pct(finalAcc(r))}` : '–';
    });
    return [
      input.labels[arm] ?? arm,
      ...cells,
      fmtSummary(summarize(runs.map(finalAcc)), pct),
      fmtSummary(summarize(runs.map((r) => finalAcc(r) - startAcc(r))), pct),
    ];
  });
  return table(head, rows);
}

function targetTable(arms: readonly string[], input: ReportInput, target: number, curveOf: (r: RunData) => CurvePoint[], what: string): string {
  const seeds = seedsOf(input.runs, arms);
  const rows = arms.map((arm) => {
    const runs = input.runs.get(arm) ?? [];
    const hits = runs.map((r) => ({ seed: r.seed, v: rolloutsToTarget(curveOf(r), target), budget: curveOf(r).at(-1)?.rollouts ?? NaN }));
    const reached = hits.filter((h) => h.v !== null).map((h) => h.v!);
    const cells = seeds.map((s) => {
      const h = hits.find((x) => x.seed === s);
      if (!h) return '–';
      return h.v === null ? `not reached (> ${ints(h.budget)})` : ints(h.v);
    });
    const all = reached.length === hits.length;
    // Runs that never got there count at the budget, so the mean is a lower bound when some did not.
    const censored = summarize(hits.map((h) => h.v ?? h.budget));
    return [
      input.labels[arm] ?? arm,
      ...cells,
      `${reached.length}/${hits.length}`,
      hits.length ? `${all ? '' : '≥ '}${fmtSummary(censored, ints)}` : '–',
    ];
  });
  return `${what}, target ${pct(target)}:\n\n` + table(['arm', ...seeds.map((s) => `seed ${s}`), 'reached', 'rollouts, mean ± sd (min–max)'], rows);
}

function autoTarget(input: ReportInput, processArm: string, otherArms: readonly string[]): number {
  const all = [processArm, ...otherArms].flatMap((a) => input.runs.get(a) ?? []);
  const start = summarize(all.map(startAcc)).mean;
  const final = summarize((input.runs.get(processArm) ?? []).map(finalAcc)).mean;
  return Math.round((start + (final - start) / 2) * 100) / 100;
}

async function creditRows(runs: readonly RunData[], coaches: ReadonlyArray<{ name: string; config: Record<string, unknown> | null }>) {
  // Per coach: labelled scores pooled over runs, plus the blame case counts.
  const pooled = new Map<string, LabelledScore[]>();
  const blame = new Map<string, { copied: number; below: number }>();
  let recordedMatches = 0;
  let recordedTotal = 0;
  for (const run of runs) {
    const episodes = await readEpisodes(run.episodeFiles, 'train');
    if (episodes.length === 0) continue;
    const gt = await groundTruthOf(run.config);
    const labels = labelEpisodes(episodes, gt);
    for (const c of coaches) {
      const scores = c.config === null ? episodes.map((e) => e.actions.map((a) => a.coach?.score ?? NaN)) : await rescore(episodes, c.config, gt);
      if (c.config !== null && c.name === coaches[0]!.name) {
        // The offline rescoring must reproduce what the run recorded, or the comparison below means nothing.
        episodes.forEach((e, i) => e.actions.forEach((a, j) => {
          if (a.coach === undefined) return;
          recordedTotal++;
          if (a.coach.score === scores[i]![j]) recordedMatches++;
        }));
      }
      const items = pooled.get(c.name) ?? [];
      labels.forEach((l, i) => l.forEach((x, j) => items.push({ ...x, score: scores[i]![j]! })));
      pooled.set(c.name, items);
      const b = blameStats(episodes, scores, labels);
      const prev = blame.get(c.name) ?? { copied: 0, below: 0 };
      blame.set(c.name, { copied: prev.copied + b.copiedWrong, below: prev.below + (Number.isFinite(b.culpritBelowCopier) ? b.culpritBelowCopier * b.copiedWrong : 0) });
    }
  }
  const stats = new Map<string, CreditStats[]>([...pooled].map(([k, v]) => [k, creditStats(v)]));
  return { stats, blame, recordedMatches, recordedTotal };
}

function creditTable(stats: ReadonlyMap<string, CreditStats[]>): string {
  const rows: string[][] = [];
  for (const [coach, list] of stats) {
    for (const s of list) {
      rows.push([coach, s.kind, String(s.actions), pct(s.right / s.actions), num(s.meanScoreRight), num(s.meanScoreWrong), num(s.auc), pct(s.agreement)]);
    }
  }
  return table(['coach', 'action', 'actions', 'oracle: right', 'mean score, right', 'mean score, wrong', 'AUC', 'agreement (score ≥ 5 ⇔ right)'], rows);
}

function identityTable(rows: ReadonlyArray<{ label: string; ids: GroupIdentity[] }>): string {
  const out: string[][] = [];
  for (const { label, ids } of rows) {
    for (const g of ids) {
      out.push([
        label,
        g.agentId,
        String(g.groups),
        pct(g.multiMember / g.groups),
        g.multiMember ? pct(g.identical / g.multiMember) : '–',
        pct(g.singletonActions / g.actions),
        pct(g.zeroAdvantageActions / g.actions),
      ]);
    }
  }
  return table(['episodes', 'agent', 'groups', 'groups with ≥ 2 members', 'of those: identical inputs', 'actions in singleton groups', 'actions with GRPO advantage 0'], out);
}

function mergeIdentity(lists: readonly GroupIdentity[][]): GroupIdentity[] {
  const m = new Map<string, GroupIdentity>();
  for (const l of lists)
    for (const g of l) {
      const p = m.get(g.agentId);
      m.set(
        g.agentId,
        p
          ? {
              agentId: g.agentId,
              groups: p.groups + g.groups,
              multiMember: p.multiMember + g.multiMember,
              identical: p.identical + g.identical,
              actions: p.actions + g.actions,
              singletonActions: p.singletonActions + g.singletonActions,
              zeroAdvantageActions: p.zeroAdvantageActions + g.zeroAdvantageActions,
            }
          : g,
      );
    }
  return [...m.values()];
}

export async function buildReport(input: ReportInput): Promise<ReportOutput> {
  const blocks: Record<string, string> = {};
  const plots: Record<string, string> = {};
  const img = (name: string, alt: string) => `![${alt}](${input.imgPrefix}/${name})`;
  blocks['runs'] = runsTable(input);

  // 1. Process vs outcome
  {
    const arms: string[] = [...EXPERIMENTS['process-vs-outcome'].arms];
    const target = input.target ?? autoTarget(input, 'rule', ['outcome']);
    plots['mathchat-exp1-eval.svg'] = curvePlot('Test accuracy: process vs outcome-only rewards', 'eval/accuracy', arms, input, evalCurve);
    plots['mathchat-exp1-train.svg'] = curvePlot(`Training accuracy (moving average of ${TRAIN_WINDOW} steps)`, 'train/accuracy', arms, input, trainCurve);
    const credit = await creditRows([...(input.runs.get('outcome') ?? [])], [{ name: 'outcome (recorded)', config: null }]);
    const creditRule = await creditRows([...(input.runs.get('rule') ?? [])], [{ name: 'mathchat-rule (recorded)', config: null }]);
    blocks['process-vs-outcome'] = [
      accuracyTable(arms, input),
      targetTable(arms, input, target, evalCurve, 'Rollouts to reach the target test accuracy (eval every 10 steps, linear interpolation between evaluations)'),
      targetTable(arms, input, target, trainCurve, `Rollouts until the training accuracy (moving average of ${TRAIN_WINDOW} steps) reaches the same target`),
      img('mathchat-exp1-eval.svg', 'test accuracy vs rollouts, process vs outcome'),
      img('mathchat-exp1-train.svg', 'training accuracy vs rollouts, process vs outcome'),
      'How well each reward ranks the actions by their own correctness (oracle below, each arm on its own training episodes):\n\n' +
        creditTable(new Map([...creditRule.stats, ...credit.stats])),
    ].join('\n\n');
  }

  // 2. REINFORCE++ global vs GRPO
  {
    // The per-agent default (`rule`) is drawn as a reference.
    const arms: string[] = [...EXPERIMENTS['rpp-vs-grpo'].arms, 'rule'];
    plots['mathchat-exp2-eval.svg'] = curvePlot('Test accuracy: REINFORCE++ (global) vs GRPO', 'eval/accuracy', arms, input, evalCurve);
    plots['mathchat-exp2-train.svg'] = curvePlot(`Training accuracy (moving average of ${TRAIN_WINDOW} steps)`, 'train/accuracy', arms, input, trainCurve);
    const idRows: Array<{ label: string; ids: GroupIdentity[] }> = [];
    for (const arm of ['grpo', 'rpp-global']) {
      const runs = input.runs.get(arm) ?? [];
      if (runs.length === 0) continue;
      const all: GroupIdentity[][] = [];
      const early: GroupIdentity[][] = [];
      const late: GroupIdentity[][] = [];
      for (const r of runs) {
        const eps = await readEpisodes(r.episodeFiles, 'train');
        const maxStep = Math.max(0, ...eps.map((e) => e.step));
        all.push(groupIdentity(eps));
        early.push(groupIdentity(eps.filter((e) => e.step <= 10)));
        late.push(groupIdentity(eps.filter((e) => e.step > maxStep - 10)));
      }
      idRows.push({ label: `${arm}, all steps`, ids: mergeIdentity(all) });
      idRows.push({ label: `${arm}, steps 1–10`, ids: mergeIdentity(early) });
      idRows.push({ label: `${arm}, last 10 steps`, ids: mergeIdentity(late) });
    }
    blocks['rpp-vs-grpo'] = [
      accuracyTable(arms, input),
      img('mathchat-exp2-eval.svg', 'test accuracy vs rollouts, REINFORCE++ global vs GRPO'),
      img('mathchat-exp2-train.svg', 'training accuracy vs rollouts, REINFORCE++ global vs GRPO'),
      'GRPO groups (same step, task sample group, agent and turn index), pooled over seeds:\n\n' + identityTable(idRows),
    ].join('\n\n');
  }

  // 3. Coach without tool output
  {
    const arms: string[] = [...EXPERIMENTS['coach-context'].arms];
    plots['mathchat-exp3-eval.svg'] = curvePlot('Test accuracy: rule coach with vs without tool output', 'eval/accuracy', arms, input, evalCurve);
    plots['mathchat-exp3-train.svg'] = curvePlot(`Training accuracy (moving average of ${TRAIN_WINDOW} steps)`, 'train/accuracy', arms, input, trainCurve);
    const scoreCfg = { scores: { solverSetupRight: 10 } };
    const coaches = [
      { name: 'with tool output', config: { ...scoreCfg, useToolOutput: true } },
      { name: 'without tool output', config: { ...scoreCfg, useToolOutput: false } },
    ];
    const onRule = await creditRows([...(input.runs.get('rule') ?? [])], coaches);
    const onNoTool = await creditRows([...(input.runs.get('no-tool') ?? [])], coaches);
    const blameTable = table(
      ['episodes', 'coach', 'wrong code copied by the Verifier', 'code scored below the Verifier'],
      [
        ...[...onRule.blame].map(([c, b]) => ['rule arm', c, String(b.copied), b.copied ? pct(b.below / b.copied) : '–']),
        ...[...onNoTool.blame].map(([c, b]) => ['no-tool arm', c, String(b.copied), b.copied ? pct(b.below / b.copied) : '–']),
      ],
    );
    blocks['coach-context'] = [
      accuracyTable(arms, input),
      img('mathchat-exp3-eval.svg', 'test accuracy vs rollouts, with vs without tool output'),
      img('mathchat-exp3-train.svg', 'training accuracy vs rollouts, with vs without tool output'),
      `Credit assignment on the same actions (the rule arm's training episodes, all seeds), each scored by both coaches; ` +
        `the offline rescoring reproduces ${onRule.recordedMatches}/${onRule.recordedTotal} of the scores the runs recorded:\n\n` +
        creditTable(onRule.stats),
      `The same on the no-tool arm's own training episodes:\n\n` + creditTable(onNoTool.stats),
      'Blame in the case the ablation is about (the code printed a wrong value and the Verifier boxed it faithfully):\n\n' + blameTable,
    ].join('\n\n');
  }
  return { blocks, plots };
}

/** Replaces `<!-- generated:ID -->…<!-- /generated:ID -->` blocks of `doc`; blocks the doc lacks are appended. */
export function fillBlocks(doc: string, blocks: Readonly<Record<string, string>>): string {
  let out = doc;
  for (const [id, body] of Object.entries(blocks)) {
    const open = `<!-- generated:${id} -->`;
    const close = `<!-- /generated:${id} -->`;
    const block = `${open}\n${body}\n${close}`;
    const i = out.indexOf(open);
    const j = out.indexOf(close);
    out = i >= 0 && j > i ? out.slice(0, i) + block + out.slice(j + close.length) : `${out.trimEnd()}\n\n${block}\n`;
  }
  return out;
}
