import { escapeHtml as h } from './escapeHtml.js';
import type { ReportRun } from './ReportData.js';

const f = (v: number | null | undefined, d = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));
const pct = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : '–');

function duration(s: number | null): string {
  if (s === null) return '–';
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

/** The overview table: one column per run, so several runs read side by side. */
export function renderOverview(runs: readonly ReportRun[]): string {
  const row = (label: string, cells: string[], title = '') =>
    `<tr${title ? ` title="${h(title)}"` : ''}><th scope="row">${h(label)}</th>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  const each = (fn: (r: ReportRun) => string) => runs.map(fn);
  const head = runs.map((r) => `<th scope="col"><span class="swatch" style="background:${h(r.color)}"></span>${h(r.label)}</th>`).join('');
  const phase = (r: ReportRun, p: 'train' | 'eval') => r.coach.episodes[p];
  const body = [
    row('directory', each((r) => `<code>${h(r.dir)}</code>`)),
    row('pipeline', each((r) => h(r.summary.name ?? '–'))),
    row('seed', each((r) => h(String(r.summary.seed ?? '–')))),
    row('coach', each((r) => h(r.summary.coach ?? '–'))),
    row('trainer', each((r) => h(r.summary.trainer ?? '(none)'))),
    row('reward scale', each((r) => h(f(r.summary.rewardScale, 3)))),
    row('agents', each((r) => r.summary.agents.map((a) => `<b>${h(a.id)}</b> <span class="muted">${h(a.role)}</span>`).join('<br>') || '–')),
    row('steps', each((r) => `${h(String(r.summary.lastStep ?? '–'))} of ${h(String(r.summary.stepsPlanned ?? '?'))}`)),
    row(
      'final evaluation',
      each((r) => (r.summary.finalEval ? `<b>${f(r.summary.finalEval.value)}</b> ${h(r.summary.finalEval.key)} at step ${r.summary.finalEval.step}` : '–')),
      'From the environment’s own check, never from the coach.',
    ),
    row('best evaluation', each((r) => (r.summary.bestEval ? `${f(r.summary.bestEval.value)} at step ${r.summary.bestEval.step}` : '–'))),
    row(
      'training episodes',
      each((r) => {
        const p = phase(r, 'train');
        return p.episodes ? `${p.episodes} · success ${pct(p.success, p.episodes)}${p.graded ? ` · correct ${pct(p.correct, p.graded)}` : ''}` : '–';
      }),
    ),
    row(
      'evaluation episodes',
      each((r) => {
        const p = phase(r, 'eval');
        return p.episodes ? `${p.episodes} · success ${pct(p.success, p.episodes)}${p.graded ? ` · correct ${pct(p.correct, p.graded)}` : ''}` : '–';
      }),
    ),
    row(
      'failed episodes',
      each((r) => {
        const kinds = { ...r.coach.episodes.train.failedByKind };
        for (const [k, n] of Object.entries(r.coach.episodes.eval.failedByKind)) kinds[k] = (kinds[k] ?? 0) + n;
        const total = Object.values(kinds).reduce((s, n) => s + n, 0);
        return total ? `<span class="bad">${total}</span> (${Object.entries(kinds).map(([k, n]) => `${h(k)}: ${n}`).join(', ')})` : '0';
      }),
    ),
    row(
      `mean coach score`,
      each((r) =>
        r.coach.agents.length
          ? r.coach.agents.map((a) => `${h(a.agentId)} <b>${a.coached ? f(a.scoreSum / a.coached, 2) : '–'}</b>`).join('<br>') + `<div class="muted">${h(r.coach.phase)} actions</div>`
          : '–',
      ),
    ),
    row(
      'coach fallbacks / repairs',
      each((r) => {
        const fb = r.coach.agents.reduce((s, a) => s + a.fallbacks, 0);
        const rp = r.coach.agents.reduce((s, a) => s + a.repairs, 0);
        const n = r.coach.agents.reduce((s, a) => s + a.coached, 0);
        return `${fb ? `<span class="bad">${fb}</span>` : '0'} / ${rp} of ${n}`;
      }),
    ),
    row(
      'coach cost',
      each((r) => {
        const cost = r.coach.agents.reduce((s, a) => s + a.costUsd, 0);
        const withUsage = r.coach.agents.reduce((s, a) => s + a.withUsage, 0);
        const col = r.metrics.columns['coach/cost_usd'];
        const reported = col ? [...col].reverse().find((v) => v !== null) : undefined;
        const parts = [withUsage ? `$${cost.toFixed(4)} over ${withUsage} scored actions` : 'no usage recorded'];
        if (reported !== undefined && reported !== null) parts.push(`coach total: $${reported.toFixed(4)}`);
        return parts.join('<br>');
      }),
    ),
    row('total time', each((r) => duration(r.summary.time.totalS))),
    row('warm start', each((r) => duration(r.summary.time.warmStartS))),
    row('rollouts (with coach)', each((r) => duration(r.summary.time.rolloutS))),
    row('training updates', each((r) => duration(r.summary.time.trainS))),
    row('evaluation', each((r) => duration(r.summary.time.evalS))),
  ].join('');
  const notes = runs
    .filter((r) => r.notes.length)
    .map((r) => `<div class="note"><b>${h(r.label)}</b><ul>${r.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul></div>`)
    .join('');
  const configs = runs
    .map((r) => (r.configText ? `<details class="config"><summary>config.resolved.yaml — ${h(r.label)}</summary><pre>${h(r.configText)}</pre></details>` : ''))
    .join('');
  return `<div class="table-wrap"><table class="overview"><thead><tr><th></th>${head}</tr></thead><tbody>${body}</tbody></table></div>${notes}${configs}`;
}
