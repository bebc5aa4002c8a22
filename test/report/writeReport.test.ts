import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MappaError } from '../../core/util/MappaError.js';
import { renderSvgLineChart, writeReport } from '../../plugins/exporters/report/index.js';
import type { ReportAction, ReportEpisode } from '../../plugins/exporters/report/index.js';
import { makeSampleRun, readAllEpisodes, readMetricsJsonl } from './sampleRuns.js';
import { writeSyntheticRun } from './syntheticRun.js';

const dirs: string[] = [];
let runA: string;
let runB: string;
let outDir: string;

beforeAll(async () => {
  runA = await makeSampleRun({ seed: 7 });
  runB = await makeSampleRun({ seed: 8, rewardScale: 0.2 });
  outDir = await mkdtemp(join(tmpdir(), 'mappa-report-out-'));
  dirs.push(runA, runB, outDir);
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Points of a metric read straight from metrics.jsonl (independent of the report code). */
async function expectedPoints(runDir: string, key: string) {
  const rows = await readMetricsJsonl(runDir);
  const pts = rows.filter((r) => typeof r[key] === 'number').map((r) => [r.step, r[key] as number]);
  return { x: pts.map((p) => p[0]), y: pts.map((p) => p[1]) };
}

function fullInput(ep: ReportEpisode, a: ReportAction): string {
  if (a.inputBase === null) return a.input;
  return fullInput(ep, ep.actions.find((b) => b.index === a.inputBase)!) + a.input;
}

describe('writeReport on runs of the fake pipeline', () => {
  it('draws every curve with exactly the points of metrics.jsonl, for each run on the same chart', async () => {
    const out = join(outDir, 'two.html');
    const { data } = await writeReport({ runDirs: [runA, runB], out, labels: ['process', 'outcome'] });
    const ids = data.charts.map((c) => c.id);
    for (const id of ['eval-accuracy', 'eval-success-rate', 'train-success-rate', 'train-coach-score', 'trainer-loss', 'trainer-kl', 'trainer-clip_frac', 'coach-cost_usd']) {
      expect(ids, id).toContain(id);
    }
    const coach = data.charts.find((c) => c.id === 'train-coach-score')!;
    expect(coach.series.map((s) => `${s.run}:${s.group}`)).toEqual(['0:solver', '0:coder', '0:verifier', '1:solver', '1:coder', '1:verifier']);
    // Same agent, same color in both runs; runs told apart by dash.
    expect(coach.series[0]!.color).toBe(coach.series[3]!.color);
    expect(coach.series[0]!.dash).not.toEqual(coach.series[3]!.dash);
    let compared = 0;
    for (const chart of data.charts) {
      for (const s of chart.series) {
        const exp = await expectedPoints(s.run === 0 ? runA : runB, s.key);
        expect({ chart: chart.id, key: s.key, x: s.x, y: s.y }).toEqual({ chart: chart.id, key: s.key, ...exp });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
    const rows = await readMetricsJsonl(runA);
    expect(data.charts.find((c) => c.id === 'eval-accuracy')!.series[0]!.x).toEqual(rows.map((r) => r.step));
  });

  it('computes the coach view from every episode: histograms, fallbacks, repairs, cost, task types', async () => {
    const { data } = await writeReport({ runDirs: [runA], out: join(outDir, 'one.html'), plotsDir: false });
    const run = data.runs[0]!;
    const episodes = await readAllEpisodes(runA);
    const train = episodes.filter((e) => e.phase === 'train');
    expect(run.coach.phase).toBe('train');
    expect(run.coach.taskTypeKey).toBe('taskType');
    expect(run.coach.taskTypes).toEqual(['algebra', 'arithmetic', 'geometry']);
    for (const agent of ['solver', 'coder', 'verifier']) {
      const actions = train.flatMap((e) => e.actions).filter((a: any) => a.agentId === agent && a.coach);
      const s = run.coach.agents.find((a) => a.agentId === agent)!;
      expect(s.coached).toBe(actions.length);
      expect(s.histogram.reduce((x, y) => x + y, 0)).toBe(actions.length);
      expect(s.histogram[7]).toBe(actions.filter((a: any) => Math.round(a.coach.score) === 7).length);
      expect(s.fallbacks).toBe(actions.filter((a: any) => a.coach.flags.fallback).length);
      expect(s.repairs).toBe(actions.filter((a: any) => a.coach.flags.repaired).length);
      expect(s.costUsd).toBeCloseTo(actions.reduce((c: number, a: any) => c + a.coach.usage.costUsd, 0), 10);
      expect(Object.values(s.byTaskType).reduce((n, m) => n + m.n, 0)).toBe(actions.length);
      expect(s.byOutcome.correct.n + s.byOutcome.wrong.n + s.byOutcome.failed.n).toBe(actions.length);
    }
    expect(run.coach.episodes.train.episodes).toBe(train.length);
    expect(run.episodeTotal).toBe(episodes.length);
    expect(run.episodes).toHaveLength(episodes.length);
    expect(run.summary.agents.map((a) => a.id)).toEqual(['solver', 'coder', 'verifier']);
    expect(run.summary.finalEval?.step).toBe(3);
  });

  it('embeds episodes compactly and rebuilds each input exactly', async () => {
    const out = join(outDir, 'compact.html');
    const { data } = await writeReport({ runDirs: [runA], out, plotsDir: false });
    const html = await readFile(out, 'utf8');
    expect(html).not.toContain('contextIds');
    expect(html).not.toContain('logprobs');
    const originals = new Map((await readAllEpisodes(runA)).map((e) => [e.id, e]));
    expect(data.runs[0]!.episodes.map((e) => e.ref)).toEqual(data.runs[0]!.episodes.map((e) => e.id));
    let extended = 0;
    for (const ep of data.runs[0]!.episodes) {
      const orig = originals.get(ep.id)!;
      for (const a of ep.actions) {
        const o = orig.actions.find((x: any) => x.index === a.index);
        expect(fullInput(ep, a)).toBe(o.inputText);
        expect(a.text).toBe(o.text);
        expect(a.coach?.rationale).toBe(o.coach?.rationale);
        if (a.inputBase !== null) extended++;
      }
    }
    expect(extended).toBeGreaterThan(0);
  });

  it('writes SVG plots of the main curves with one line per series', async () => {
    const out = join(outDir, 'plots.html');
    const { plots, data } = await writeReport({ runDirs: [runA, runB], out });
    expect(plots.map((p) => p.split('/').at(-1))).toEqual(
      data.charts.filter((c) => c.main).map((c) => `${c.id}.svg`),
    );
    expect(plots.every((p) => p.startsWith(join(outDir, 'plots-plots')))).toBe(true);
    const svg = await readFile(join(outDir, 'plots-plots', 'trainer-kl.svg'), 'utf8');
    const chart = data.charts.find((c) => c.id === 'trainer-kl')!;
    const lines = [...svg.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map((m) => m[1]!.split(' ').length);
    expect(lines).toEqual(chart.series.map((s) => s.x.length));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('keeps a fixed, visible sample of episodes when a run has more than --max-episodes', async () => {
    const a = await writeReport({ runDirs: [runA], out: join(outDir, 's1.html'), maxEpisodes: 5, plotsDir: false });
    const b = await writeReport({ runDirs: [runA], out: join(outDir, 's2.html'), maxEpisodes: 5, plotsDir: false });
    const run = a.data.runs[0]!;
    expect(run.episodes).toHaveLength(5);
    expect(run.episodes.map((e) => e.id)).toEqual(b.data.runs[0]!.episodes.map((e) => e.id));
    expect(run.notes.join(' ')).toContain(`5 of ${run.episodeTotal} episodes`);
    expect(await readFile(join(outDir, 's1.html'), 'utf8')).toContain(`5 of ${run.episodeTotal} episodes`);
    // Statistics still cover all episodes.
    expect(run.coach.episodes.train.episodes + run.coach.episodes.eval.episodes).toBe(run.episodeTotal);
  });
});

describe('writeReport robustness', () => {
  it('copes with unknown agents and metrics, a torn last line, no config, and hostile text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-report-odd-'));
    dirs.push(dir);
    await writeSyntheticRun(dir, { steps: 3, episodesPerStep: 2, agents: ['Alpha-1', 'beta_two'], config: false, textChars: 50, tokens: 2 });
    await appendFile(join(dir, 'metrics.jsonl'), '{"step": 4, "custom/thing": 3.5, "label": "a string", "nan": null}\n{"step": 5, "tor');
    const evil = '</script><script>window.__pwned = 1</script><img src=x onerror=alert(1)>';
    const ep = JSON.parse((await readFile(join(dir, 'episodes', 'train-step-0001.jsonl'), 'utf8')).split('\n')[0]!);
    ep.id = 'evil';
    ep.actions[0].text = evil;
    ep.actions[0].coach.rationale = evil;
    ep.error = { kind: 'tool', message: evil };
    await appendFile(join(dir, 'episodes', 'train-step-0001.jsonl'), JSON.stringify(ep) + '\nnot json\n' + JSON.stringify(ep) + '\n');
    await writeFile(join(dir, 'episodes', 'notes.jsonl'), '{}\n');
    const out = join(dir, 'report.html');
    const { data, notes } = await writeReport({ runDirs: [dir], out, maxTextChars: 200 });
    expect(notes.join('\n')).toMatch(/1 unreadable line\(s\) in metrics.jsonl/);
    expect(notes.join('\n')).toMatch(/1 unreadable line\(s\) in episodes\/train-step-0001.jsonl/);
    expect(notes.join('\n')).toContain('notes.jsonl');
    const run = data.runs[0]!;
    expect(run.metrics.columns['custom/thing']).toEqual([null, null, null, 3.5]);
    expect(run.metrics.columns['label']).toBeUndefined();
    expect(data.charts.find((c) => c.id === 'train-coach-score')!.series.map((s) => s.group)).toEqual(['Alpha-1', 'beta_two']);
    expect(run.coach.taskTypeKey).toBe('category');
    const html = await readFile(out, 'utf8');
    // Only the three inline scripts close: no text from a run can end a script element or add markup.
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html).not.toContain('<img src=x');
    expect(run.episodes.find((e) => e.id === 'evil')!.actions[0]!.text).toBe(evil);
    // A repeated id stays selectable: refs are unique.
    expect(run.episodes.filter((e) => e.id === 'evil').map((e) => e.ref)).toEqual(['evil', 'evil~2']);
    expect(notes.join('\n')).toMatch(/1 episode id\(s\) occur more than once \(e.g. evil\)/);
  });

  it('cuts long texts in the middle with a visible marker', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-report-long-'));
    dirs.push(dir);
    await writeSyntheticRun(dir, { steps: 1, episodesPerStep: 1, textChars: 5000, tokens: 1 });
    const { data } = await writeReport({ runDirs: [dir], out: join(dir, 'r.html'), maxTextChars: 1000, plotsDir: false });
    const first = data.runs[0]!.episodes[0]!.actions[0]!;
    expect(first.inputChars).toBeGreaterThan(5000);
    expect(first.input.length).toBeLessThanOrEqual(1000);
    expect(first.input).toMatch(/truncated \d+ chars/);
  });

  it('names the problem when a directory is missing or is not a run', async () => {
    await expect(writeReport({ runDirs: ['/nonexistent/run-dir'], out: join(outDir, 'x.html') })).rejects.toThrow(MappaError);
    const empty = await mkdtemp(join(tmpdir(), 'mappa-report-empty-'));
    dirs.push(empty);
    await expect(writeReport({ runDirs: [empty], out: join(outDir, 'x.html') })).rejects.toThrow(/not a mappa run directory/);
    await expect(writeReport({ runDirs: [], out: join(outDir, 'x.html') })).rejects.toThrow(/no run directory/);
  });

  it('reports a run that only has its config (stopped before step 0 finished)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-report-fresh-'));
    dirs.push(dir);
    await mkdir(join(dir, 'episodes'));
    await writeFile(join(dir, 'config.resolved.yaml'), 'name: fresh\nrun:\n  steps: 5\n');
    const { data, out } = await writeReport({ runDirs: [dir], out: join(dir, 'report.html') });
    expect(existsSync(out)).toBe(true);
    expect(data.charts).toEqual([]);
    expect(data.runs[0]!.summary.stepsPlanned).toBe(5);
  });
});

describe('renderSvgLineChart', () => {
  it('places points by value and escapes labels', () => {
    const svg = renderSvgLineChart({
      title: 'a <b>',
      xLabel: 'step',
      yLabel: 'y',
      yRange: [0, 1],
      series: [{ label: 'x & y', color: '#000', dash: [], x: [0, 10], y: [0, 1] }],
      width: 400,
      height: 300,
    });
    expect(svg).toContain('a &lt;b&gt;');
    expect(svg).toContain('x &amp; y');
    const pts = /points="([^"]*)"/.exec(svg)![1]!.split(' ').map((p) => p.split(',').map(Number));
    // x from the left edge (64) to the right edge (400 - 16); y=0 at the bottom, y=1 at the top (36).
    expect(pts[0]![0]).toBe(64);
    expect(pts[1]![0]).toBe(384);
    expect(pts[1]![1]).toBe(36);
    expect(pts[0]![1]).toBeGreaterThan(pts[1]![1]!);
  });
});
