import { escapeHtml as h } from './escapeHtml.js';
import { renderCoachView } from './renderCoachView.js';
import { renderOverview } from './renderOverview.js';
import { reportClientScript } from './reportClientScript.js';
import type { ReportData } from './ReportData.js';
import { reportStyles } from './reportStyles.js';

export interface ChartLibrary {
  /** uPlot's IIFE build (defines the global `uPlot`). */
  readonly js: string;
  readonly css: string;
}

/** JSON that is safe inside a <script> element: `<` is escaped so no text from a run can close the element. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Inline scripts must not contain a closing script tag; the vendored library is checked rather than trusted. */
function inlineScript(code: string): string {
  if (/<\/script/i.test(code)) throw new Error('inline script contains a closing script tag');
  return `<script>${code}</script>`;
}

/** One self-contained page: styles, chart library, data and page script are all inline (opens with no network). */
export function renderReportHtml(data: ReportData, lib: ChartLibrary): string {
  const runs = data.runs;
  const runList = runs.map((r) => `<span><span class="swatch" style="background:${h(r.color)}"></span><b>${h(r.label)}</b></span>`).join('');
  const dashNote =
    runs.length > 1
      ? `<p class="muted">Runs share axes. Where colors stand for agents, runs are told apart by line style: ${runs
          .map((r, i) => `${h(r.label)} ${['solid', 'dashed', 'dotted', 'dash-dot'][i % 4]}`)
          .join(', ')}.</p>`
      : '';
  const totalEmbedded = runs.reduce((s, r) => s + r.episodes.length, 0);
  const sampled = runs
    .filter((r) => r.episodeTotal > r.episodes.length)
    .map((r) => `<li><b>${h(r.label)}</b>: ${r.episodes.length} of ${r.episodeTotal} episodes (a fixed sample; statistics above use all of them)</li>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(data.title)}</title>
<style>${lib.css}</style>
<style>${reportStyles}</style>
</head>
<body>
<header class="top">
  <h1>${h(data.title)}</h1>
  <div class="muted">Generated ${h(data.generatedAt)} by <code>mappa report</code> · ${runs.length} run${runs.length === 1 ? '' : 's'}</div>
  <div class="runs">${runList}</div>
</header>
<nav class="sections">
  <a href="#overview">Overview</a><a href="#curves">Learning curves</a><a href="#coach">Coach</a><a href="#episodes">Episodes</a><a href="#explorer">All metrics</a>
</nav>
<main>
<section id="overview"><h2>Overview</h2>${renderOverview(runs)}</section>
<section id="curves"><h2>Learning curves</h2>${dashNote}
  <h3>Evaluation</h3><div class="charts" id="charts-eval"></div>
  <h3>Training rollouts</h3><div class="charts" id="charts-train"></div>
  <h3>Trainer</h3><div class="charts" id="charts-trainer"></div>
</section>
<section id="coach"><h2>Coach</h2>${renderCoachView(runs)}</section>
<section id="episodes"><h2>Episode inspector</h2>
  <div class="filters">
    <label>run <select id="f-run"><option value="all">all</option></select></label>
    <label>phase <select id="f-phase"><option value="all">all</option><option value="train">train</option><option value="eval">eval</option></select></label>
    <label><input type="checkbox" id="f-failed"> failed or wrong only</label>
    <label><input type="checkbox" id="f-low"> low score only: lowest coach score ≤ <input type="number" id="f-threshold" value="3" min="0" max="10" step="0.5" style="width:4.5em"></label>
    <label>sort <select id="f-sort"><option value="order">by step</option><option value="score">lowest score first</option></select></label>
    <label><input type="text" id="f-search" placeholder="task id or type" size="16"></label>
    <span class="muted" id="episode-count"></span>
  </div>
  ${sampled ? `<div class="note">The inspector holds a sample of the episodes:<ul>${sampled}</ul></div>` : ''}
  ${totalEmbedded === 0 ? '<p class="muted">No episodes recorded in these runs.</p>' : ''}
  <div class="inspector">
    <div class="list">
      <table class="episodes"><thead><tr><th></th><th>phase</th><th>step</th><th>task</th><th>result</th><th title="mean coach score">mean</th><th title="lowest coach score">min</th></tr></thead>
      <tbody id="episode-rows"></tbody></table>
      <div style="padding:8px"><button id="episode-more" style="display:none">show more</button></div>
    </div>
    <div class="detail" id="episode-detail"></div>
  </div>
</section>
<section id="explorer"><h2>All metrics</h2>
  <div class="explorer-controls"><label>metric <select id="explorer-key"></select></label><span class="muted">every numeric column of metrics.jsonl, all runs on the same axes</span></div>
  <div id="explorer-chart"></div>
</section>
<footer>Charts drawn with uPlot (MIT). Data: metrics.jsonl and episodes/*.jsonl of each run.</footer>
</main>
<script type="application/json" id="mappa-data">${scriptSafeJson(data)}</script>
${inlineScript(lib.js)}
${inlineScript(reportClientScript)}
</body>
</html>
`;
}
