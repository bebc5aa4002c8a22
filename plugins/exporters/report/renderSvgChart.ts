import { escapeHtml as escapeXml } from './escapeHtml.js';

/**
 * Small dependency-free SVG charts: the static plots written next to the report (for docs and READMEs) and the
 * score histograms inside the report. Output depends only on the input, so files diff cleanly between runs.
 */

export interface SvgLineSeries {
  readonly label: string;
  readonly color: string;
  readonly dash: readonly number[];
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export interface SvgLineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly yRange: readonly [number, number] | null;
  readonly series: readonly SvgLineSeries[];
  readonly width?: number;
  readonly height?: number;
}

export interface SvgBarChart {
  readonly title: string;
  readonly categories: readonly string[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly groups: ReadonlyArray<{ readonly label: string; readonly color: string; readonly values: readonly number[] }>;
  readonly width?: number;
  readonly height?: number;
}

const FONT = 'font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif"';


const fmtNum = (v: number): string => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1).replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
};
const r2 = (v: number) => Math.round(v * 100) / 100;

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

interface Frame {
  readonly width: number;
  readonly left: number;
  readonly top: number;
  readonly plotW: number;
  readonly plotH: number;
  readonly legendTop: number;
  readonly height: number;
}

const LEGEND_ITEM_W = 200;
const LEGEND_ROW_H = 18;

function frame(width: number, height: number, legendItems: number): Frame {
  const left = 64;
  const top = 36;
  const right = 16;
  const perRow = Math.max(1, Math.floor((width - left - right) / LEGEND_ITEM_W));
  const legendRows = Math.ceil(legendItems / perRow);
  const legendH = legendRows * LEGEND_ROW_H;
  const plotH = height - top - 44;
  return { width, left, top, plotW: width - left - right, plotH, legendTop: height + 12, height: height + legendH + 8 };
}

function legend(f: Frame, items: ReadonlyArray<{ label: string; color: string; dash: readonly number[]; bar?: boolean }>): string {
  const perRow = Math.max(1, Math.floor(f.plotW / LEGEND_ITEM_W));
  return items
    .map((it, i) => {
      const x = f.left + (i % perRow) * LEGEND_ITEM_W;
      const y = f.legendTop + Math.floor(i / perRow) * LEGEND_ROW_H;
      const label = it.label.length > 30 ? `${it.label.slice(0, 29)}…` : it.label;
      const mark = it.bar
        ? `<rect x="${x}" y="${y - 9}" width="18" height="10" fill="${escapeXml(it.color)}"/>`
        : `<line x1="${x}" y1="${y - 4}" x2="${x + 18}" y2="${y - 4}" stroke="${escapeXml(it.color)}" stroke-width="2.5"${it.dash.length ? ` stroke-dasharray="${it.dash.join(' ')}"` : ''}/>`;
      return `${mark}<text x="${x + 24}" y="${y}" font-size="12" fill="#333">${escapeXml(label)}</text>`;
    })
    .join('');
}

function shell(f: Frame, title: string, body: string, chartKind: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" ${FONT} data-chart="${chartKind}">` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<text x="${f.left}" y="20" font-size="15" font-weight="600" fill="#222">${escapeXml(title)}</text>` +
    body +
    `</svg>`
  );
}

function yAxis(f: Frame, ticks: readonly number[], sy: (v: number) => number, label: string): string {
  const grid = ticks
    .map((t) => {
      const y = r2(sy(t));
      return `<line x1="${f.left}" y1="${y}" x2="${f.left + f.plotW}" y2="${y}" stroke="#e6e6e6"/><text x="${f.left - 6}" y="${y + 4}" font-size="11" text-anchor="end" fill="#555">${fmtNum(t)}</text>`;
    })
    .join('');
  const cy = f.top + f.plotH / 2;
  return grid + `<text transform="translate(14 ${cy}) rotate(-90)" font-size="12" text-anchor="middle" fill="#444">${escapeXml(label)}</text>`;
}

export function renderSvgLineChart(chart: SvgLineChart): string {
  const f = frame(chart.width ?? 720, chart.height ?? 340, chart.series.length);
  const xs = chart.series.flatMap((s) => s.x);
  const ys = chart.series.flatMap((s) => s.y).filter(Number.isFinite);
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  let [y0, y1] = chart.yRange ? [Math.min(chart.yRange[0], ...ys), Math.max(chart.yRange[1], ...ys)] : ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (y0 === y1) [y0, y1] = [y0 - (Math.abs(y0) || 1) * 0.1, y1 + (Math.abs(y1) || 1) * 0.1];
  const yt = niceTicks(y0, y1, 5);
  if (!chart.yRange && yt.length) [y0, y1] = [Math.min(y0, yt[0]!), Math.max(y1, yt.at(-1)!)];
  const sx = (v: number) => f.left + ((v - x0) / (x1 - x0)) * f.plotW;
  const sy = (v: number) => f.top + f.plotH - ((v - y0) / (y1 - y0)) * f.plotH;
  const xt = niceTicks(x0, x1, 6).filter((t) => Number.isInteger(t) && t >= x0 && t <= x1);
  let body = yAxis(f, yt.filter((t) => t >= y0 - 1e-9 && t <= y1 + 1e-9), sy, chart.yLabel);
  body += xt.map((t) => `<text x="${r2(sx(t))}" y="${f.top + f.plotH + 16}" font-size="11" text-anchor="middle" fill="#555">${fmtNum(t)}</text>`).join('');
  body += `<line x1="${f.left}" y1="${f.top + f.plotH}" x2="${f.left + f.plotW}" y2="${f.top + f.plotH}" stroke="#999"/>`;
  body += `<text x="${f.left + f.plotW / 2}" y="${f.top + f.plotH + 34}" font-size="12" text-anchor="middle" fill="#444">${escapeXml(chart.xLabel)}</text>`;
  for (const s of chart.series) {
    const pts = s.x.map((x, i) => [x, s.y[i]!] as const).filter(([, y]) => Number.isFinite(y));
    const attrs = `stroke="${escapeXml(s.color)}" fill="none" stroke-width="2"${s.dash.length ? ` stroke-dasharray="${s.dash.join(' ')}"` : ''}`;
    const d = pts.map(([x, y]) => `${r2(sx(x))},${r2(sy(y))}`).join(' ');
    body += `<polyline data-series="${escapeXml(s.label)}" points="${d}" ${attrs}/>`;
    body += pts.map(([x, y]) => `<circle cx="${r2(sx(x))}" cy="${r2(sy(y))}" r="2.5" fill="${escapeXml(s.color)}"/>`).join('');
  }
  body += legend(f, chart.series.map((s) => ({ label: s.label, color: s.color, dash: s.dash })));
  return shell(f, chart.title, body, 'line');
}

export function renderSvgBarChart(chart: SvgBarChart): string {
  const f = frame(chart.width ?? 480, chart.height ?? 260, chart.groups.length);
  const max = Math.max(0, ...chart.groups.flatMap((g) => g.values));
  const yt = niceTicks(0, max || 1, 4);
  const y1 = Math.max(max, yt.at(-1) ?? 1) || 1;
  const sy = (v: number) => f.top + f.plotH - (v / y1) * f.plotH;
  const n = Math.max(1, chart.categories.length);
  const band = f.plotW / n;
  const barW = (band * 0.8) / Math.max(1, chart.groups.length);
  let body = yAxis(f, yt.filter((t) => t >= 0 && t <= y1 + 1e-9), sy, chart.yLabel);
  body += chart.categories
    .map((c, i) => `<text x="${r2(f.left + band * (i + 0.5))}" y="${f.top + f.plotH + 16}" font-size="11" text-anchor="middle" fill="#555">${escapeXml(c)}</text>`)
    .join('');
  chart.groups.forEach((g, gi) => {
    g.values.forEach((v, i) => {
      if (!(v > 0)) return;
      const x = f.left + band * i + band * 0.1 + gi * barW;
      const y = sy(v);
      body += `<rect x="${r2(x)}" y="${r2(y)}" width="${r2(Math.max(1, barW - 1))}" height="${r2(f.top + f.plotH - y)}" fill="${escapeXml(g.color)}"><title>${escapeXml(`${g.label}: ${chart.categories[i] ?? i} → ${fmtNum(v)}`)}</title></rect>`;
    });
  });
  body += `<line x1="${f.left}" y1="${f.top + f.plotH}" x2="${f.left + f.plotW}" y2="${f.top + f.plotH}" stroke="#999"/>`;
  body += `<text x="${f.left + f.plotW / 2}" y="${f.top + f.plotH + 34}" font-size="12" text-anchor="middle" fill="#444">${escapeXml(chart.xLabel)}</text>`;
  body += legend(f, chart.groups.map((g) => ({ label: g.label, color: g.color, dash: [], bar: true })));
  return shell(f, chart.title, body, 'bar');
}
