import { join } from 'node:path';
import { writeSecretFree } from '../../../core/util/writeSecretFree.js';
import type { ChartSpec } from './ReportData.js';
import { renderSvgLineChart } from './renderSvgChart.js';

/** Writes `<dir>/<chart id>.svg` for the main curves (evaluation, success, coach score, loss, KL, clip fraction). */
export async function writeCurvePlots(charts: readonly ChartSpec[], dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const chart of charts.filter((c) => c.main)) {
    const file = join(dir, `${chart.id}.svg`);
    const svg = renderSvgLineChart({
      title: chart.title,
      xLabel: 'step',
      yLabel: chart.yLabel,
      yRange: chart.yRange,
      series: chart.series.map((s) => ({ label: s.label, color: s.color, dash: s.dash, x: s.x, y: s.y })),
    });
    await writeSecretFree(file, svg);
    written.push(file);
  }
  return written;
}
