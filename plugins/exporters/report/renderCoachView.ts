import { escapeHtml as h } from './escapeHtml.js';
import type { AgentCoachStats, MeanCount, ReportRun } from './ReportData.js';
import { renderSvgBarChart } from './renderSvgChart.js';

const f = (v: number | null | undefined, d = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));
const mean = (m: MeanCount | undefined) => (m && m.n ? m.sum / m.n : null);

/** Cell background from red (0) through yellow to green (10), so a bias table reads at a glance. */
function scoreCell(m: MeanCount | undefined, cls = 'num'): string {
  const v = mean(m);
  if (v === null) return `<td class="${cls} muted">–</td>`;
  const hue = Math.round((Math.min(10, Math.max(0, v)) / 10) * 120);
  return `<td class="${cls}" style="background:hsl(${hue} 70% 85%)" title="${m!.n} actions">${f(v)} <span class="muted">(${m!.n})</span></td>`;
}

function agentIds(runs: readonly ReportRun[]): string[] {
  const ids: string[] = [];
  for (const r of runs) for (const a of r.coach.agents) if (!ids.includes(a.agentId)) ids.push(a.agentId);
  return ids;
}

/** Score histograms (one per agent, runs side by side), totals, per-task-type and per-outcome bias tables, error causes. */
export function renderCoachView(runs: readonly ReportRun[]): string {
  const ids = agentIds(runs);
  if (ids.every((id) => runs.every((r) => (r.coach.agents.find((a) => a.agentId === id)?.coached ?? 0) === 0))) {
    return '<p class="muted">No coach evaluations in these runs.</p><div class="charts" id="charts-coach"></div>';
  }
  const categories = Array.from({ length: 11 }, (_, i) => String(i));
  const histograms = ids
    .map((id) => {
      const groups = runs.flatMap((r) => {
        const a = r.coach.agents.find((x) => x.agentId === id);
        if (!a || a.coached === 0) return [];
        return [{ label: `${r.label} (${a.coached})`, color: r.color, values: a.histogram.map((n) => (100 * n) / a.coached) }];
      });
      if (!groups.length) return '';
      const role = runs.flatMap((r) => r.coach.agents.filter((a) => a.agentId === id).map((a) => a.role))[0] ?? '';
      const svg = renderSvgBarChart({ title: `${id}${role ? ` (${role})` : ''}`, categories, xLabel: 'coach score', yLabel: '% of scored actions', groups });
      return `<figure class="hist" data-agent="${h(id)}">${svg}</figure>`;
    })
    .join('');

  const totals = runs
    .flatMap((r) =>
      r.coach.agents.map((a: AgentCoachStats) => {
        const tokens = a.withUsage ? `${a.inputTokens.toLocaleString('en-US')} / ${a.outputTokens.toLocaleString('en-US')}` : '–';
        return (
          `<tr><td><span class="swatch" style="background:${h(r.color)}"></span>${h(r.label)}</td><td><b>${h(a.agentId)}</b></td>` +
          `<td class="num">${a.coached} / ${a.actions}</td><td class="num">${f(a.coached ? a.scoreSum / a.coached : null)}</td>` +
          `<td class="num${a.fallbacks ? ' bad' : ''}">${a.fallbacks}</td><td class="num">${a.repairs}</td><td class="num">${a.cached}</td>` +
          `<td class="num${a.errors ? ' bad' : ''}">${a.errors}</td><td class="num">${tokens}</td><td class="num">${a.withUsage ? `$${a.costUsd.toFixed(4)}` : '–'}</td></tr>`
        );
      }),
    )
    .join('');
  const totalsTable =
    `<div class="table-wrap"><table class="grid"><thead><tr><th>run</th><th>agent</th><th>scored / actions</th><th>mean score</th><th>fallbacks</th>` +
    `<th>repairs</th><th>cache hits</th><th>errors</th><th>tokens in / out</th><th>cost</th></tr></thead><tbody>${totals}</tbody></table></div>`;

  const bias = runs
    .map((r) => {
      const types = r.coach.taskTypes;
      const head =
        `<tr><th>agent</th>${types.map((t) => `<th>${h(t)}</th>`).join('')}` +
        `<th class="sep" title="episode result correct">correct</th><th title="graded but not correct">wrong</th><th title="episode error or no valid result">failed</th></tr>`;
      const rows = r.coach.agents
        .map(
          (a) =>
            `<tr><td><b>${h(a.agentId)}</b></td>${types.map((t) => scoreCell(a.byTaskType[t])).join('')}` +
            scoreCell(a.byOutcome.correct, 'num sep') +
            scoreCell(a.byOutcome.wrong) +
            scoreCell(a.byOutcome.failed) +
            '</tr>',
        )
        .join('');
      const caption = types.length
        ? `by task type (<code>taskMetadata.${h(r.coach.taskTypeKey ?? '')}</code>) and by episode result`
        : 'by episode result (no task type field in the task metadata)';
      const errors = r.coach.errorMessages.length
        ? `<details class="errors"><summary>Coach error causes (${r.coach.errorMessages.reduce((s, e) => s + e.count, 0)})</summary><ul>${r.coach.errorMessages
            .map((e) => `<li><b>${e.count}×</b> <code>${h(e.message)}</code></li>`)
            .join('')}</ul></details>`
        : '';
      const coaches = Object.entries(r.coach.coachNames)
        .map(([name, n]) => `${h(name)} (${n})`)
        .join(', ');
      return (
        `<div class="bias"><h4><span class="swatch" style="background:${h(r.color)}"></span>${h(r.label)} — mean score ${caption}</h4>` +
        `<div class="table-wrap"><table class="grid">${head}${rows}</table></div>` +
        `<p class="muted">Scores from ${h(r.coach.phase)} episodes${coaches ? `; coach: ${coaches}` : ''}.</p>${errors}</div>`
      );
    })
    .join('');

  return (
    `<h3>Score distribution per agent</h3><div class="hists">${histograms}</div>` +
    `<h3>Totals</h3>${totalsTable}` +
    `<h3>Bias: mean score by task type and by result</h3>${bias}` +
    `<h3>Per step</h3><div class="charts" id="charts-coach"></div>`
  );
}
