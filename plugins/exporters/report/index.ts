export { writeReport, type WriteReportOptions, type WriteReportResult } from './writeReport.js';
export { readRunDir, type RunDirContents, type MetricsLine, type EpisodeFile } from './readRunDir.js';
export { buildCharts, seriesPoints } from './buildCharts.js';
export { renderSvgLineChart, renderSvgBarChart, type SvgLineChart, type SvgBarChart } from './renderSvgChart.js';
export { writeCurvePlots } from './writeCurvePlots.js';
export type * from './ReportData.js';
