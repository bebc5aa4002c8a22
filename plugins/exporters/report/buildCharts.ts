import type { MetricsLine } from './readRunDir.js';
import type { ChartSeries, ChartSpec } from './ReportData.js';

/** Colorblind-friendly palette (Okabe–Ito, then Tableau) used for runs and agents alike. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#7F7F7F', '#8C564B', '#BCBD22', '#17BECF'];
/** Runs are told apart by dash pattern when colors stand for agents or metrics. */
export const RUN_DASHES: number[][] = [[], [8, 4], [2, 3], [10, 3, 2, 3]];

export const colorAt = (i: number): string => PALETTE[i % PALETTE.length]!;

export interface ChartRunInput {
  readonly label: string;
  readonly metrics: readonly MetricsLine[];
}

/** Points of one key, in step order, skipping steps without a finite number. */
export function seriesPoints(metrics: readonly MetricsLine[], key: string): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  for (const row of metrics) {
    const v = row[key];
    if (typeof v === 'number' && Number.isFinite(v)) {
      x.push(row.step);
      y.push(v);
    }
  }
  return { x, y };
}

interface ChartDef extends Omit<ChartSpec, 'series'> {
  /** The (group, key) pairs this chart draws for a run, given the run's keys. */
  readonly pick: (keys: readonly string[]) => Array<{ group: string; key: string }>;
}

const single = (key: string) => (keys: readonly string[]) => (keys.includes(key) ? [{ group: key, key }] : []);
const byPattern = (re: RegExp) => (keys: readonly string[]) =>
  keys.flatMap((key) => {
    const m = re.exec(key);
    return m ? [{ group: m[1]!, key }] : [];
  });

const TRAINER_ORDER = ['loss', 'kl', 'clip_frac'];
const TRAINER_TITLES: Record<string, string> = { loss: 'Trainer loss', kl: 'KL divergence to the reference policy', clip_frac: 'Clip fraction' };

function chartDefs(allKeys: readonly string[]): ChartDef[] {
  const defs: ChartDef[] = [
    { id: 'eval-accuracy', section: 'eval', title: 'Evaluation accuracy', yLabel: 'accuracy', yRange: [0, 1], main: true, pick: single('eval/accuracy') },
    { id: 'eval-success-rate', section: 'eval', title: 'Evaluation success rate', yLabel: 'success rate', yRange: [0, 1], main: true, pick: single('eval/success_rate') },
    { id: 'train-success-rate', section: 'train', title: 'Training rollouts: success rate', yLabel: 'success rate', yRange: [0, 1], main: true, pick: single('train/success_rate') },
    { id: 'train-accuracy', section: 'train', title: 'Training rollouts: accuracy', yLabel: 'accuracy', yRange: [0, 1], main: false, pick: single('train/accuracy') },
    {
      id: 'train-coach-score',
      section: 'train',
      title: 'Mean coach score per agent (training rollouts)',
      yLabel: 'score (0–10)',
      yRange: [0, 10],
      main: true,
      pick: (keys) => {
        const per = byPattern(/^train\/coach\/score\/([^/]+)$/)(keys);
        return per.length ? per : keys.includes('train/coach/score_mean') ? [{ group: 'all agents', key: 'train/coach/score_mean' }] : [];
      },
    },
    {
      id: 'eval-coach-score',
      section: 'eval',
      title: 'Mean coach score per agent (evaluation)',
      yLabel: 'score (0–10)',
      yRange: [0, 10],
      main: false,
      pick: byPattern(/^eval\/coach\/score\/([^/]+)$/),
    },
  ];
  const trainerMetrics = [...new Set(allKeys.flatMap((k) => /^trainer\/[^/]+\/(.+)$/.exec(k)?.[1] ?? []))].sort(
    (a, b) => (TRAINER_ORDER.indexOf(a) + 1 || 99) - (TRAINER_ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  for (const metric of trainerMetrics) {
    const suffix = `/${metric}`;
    defs.push({
      id: `trainer-${metric.replace(/[^\w-]+/g, '_')}`,
      section: 'trainer',
      title: TRAINER_TITLES[metric] ?? `Trainer: ${metric}`,
      yLabel: metric,
      yRange: metric === 'clip_frac' ? [0, 1] : null,
      main: TRAINER_ORDER.includes(metric),
      pick: (keys) =>
        keys.flatMap((key) => {
          if (!key.startsWith('trainer/') || !key.endsWith(suffix)) return [];
          const agent = key.slice('trainer/'.length, key.length - suffix.length);
          return agent && !agent.includes('/') ? [{ group: agent, key }] : [];
        }),
    });
  }
  defs.push({
    id: 'coach-fallbacks',
    section: 'coach',
    title: 'Coach fallbacks, repairs and errors per step',
    yLabel: 'actions',
    yRange: null,
    main: false,
    pick: (keys) =>
      (
        [
          ['fallbacks', 'train/coach/fallbacks'],
          ['repairs', 'train/coach/repairs'],
          ['coach errors (cumulative)', 'train/coach_errors'],
        ] as const
      ).flatMap(([group, key]) => (keys.includes(key) ? [{ group, key }] : [])),
  });
  const coachKeys = [...new Set(allKeys.filter((k) => /^coach\/[^/]+$/.test(k)))].sort((a, b) => (a === 'coach/cost_usd' ? -1 : b === 'coach/cost_usd' ? 1 : a.localeCompare(b)));
  for (const key of coachKeys) {
    const name = key.slice('coach/'.length);
    defs.push({
      id: `coach-${name.replace(/[^\w-]+/g, '_')}`,
      section: 'coach',
      title: name === 'cost_usd' ? 'Coach cost (US dollars, as reported by the coach)' : `Coach: ${name}`,
      yLabel: name,
      yRange: null,
      main: false,
      pick: single(key),
    });
  }
  return defs;
}

/**
 * The curves of the report: one chart per figure, every run on the same axes. Within a chart, color stands for the
 * agent (or metric) and dash for the run when there is more than one group; otherwise color stands for the run.
 * Agents keep one color across all charts, in the order of `agentOrder` (the pipeline's agent list).
 */
export function buildCharts(runs: readonly ChartRunInput[], agentOrder: readonly string[] = []): ChartSpec[] {
  const keysByRun = runs.map((r) => [...new Set(r.metrics.flatMap((row) => Object.keys(row)))].sort());
  const defs = chartDefs([...new Set(keysByRun.flat())]);
  const rankOf = (g: string) => {
    const i = agentOrder.indexOf(g);
    return i < 0 ? agentOrder.length : i;
  };
  const charts: ChartSpec[] = [];
  for (const def of defs) {
    const picked = runs
      .flatMap((run, runIndex) => def.pick(keysByRun[runIndex]!).map((p) => ({ ...p, runIndex, run })))
      .sort((a, b) => a.runIndex - b.runIndex || rankOf(a.group) - rankOf(b.group) || a.group.localeCompare(b.group));
    const groups = [...new Set(picked.map((p) => p.group))].sort((a, b) => rankOf(a) - rankOf(b) || a.localeCompare(b));
    const colorByGroup = groups.length > 1;
    const groupColor = (g: string) => colorAt(agentOrder.includes(g) ? agentOrder.indexOf(g) : agentOrder.length + groups.filter((x) => !agentOrder.includes(x)).indexOf(g));
    const series: ChartSeries[] = [];
    for (const p of picked) {
      const { x, y } = seriesPoints(p.run.metrics, p.key);
      if (x.length === 0) continue;
      const groupLabel = p.group === p.key ? '' : p.group;
      series.push({
        run: p.runIndex,
        key: p.key,
        group: p.group,
        label: runs.length > 1 ? (groupLabel ? `${p.run.label} · ${groupLabel}` : p.run.label) : groupLabel || p.key,
        color: colorByGroup ? groupColor(p.group) : colorAt(p.runIndex),
        dash: colorByGroup ? RUN_DASHES[p.runIndex % RUN_DASHES.length]! : [],
        x,
        y,
      });
    }
    if (series.length) charts.push({ id: def.id, section: def.section, title: def.title, yLabel: def.yLabel, yRange: def.yRange, main: def.main, series });
  }
  return charts;
}
