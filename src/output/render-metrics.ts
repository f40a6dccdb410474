/** The `metrics` report for people: a summary line, then each series as a sparkline with its unit, total or rate, and peak. */
import type { MetricGroup, MetricSeries } from '../stack/metric-series.js';
import type { Style } from './style.js';
import { padToWidth } from './width.js';

/** What the report shows: the window, whose series they are, and the series, timestamps as ISO strings. */
export interface MetricsReport {
  target: 'local' | 'aws';
  /** ISO times; the window's periods run from start to end. */
  start: string;
  end: string;
  periodSeconds: number;
  /** The names the series are kept under: the REST API and stage, the function, the table. */
  names: { api: string; stage: string; function: string; table: string };
  series: ReportSeries[];
  summary: MetricsSummary;
}

export type ReportSeries = Omit<MetricSeries, 'timestamps'> & { timestamps: string[] };

export interface MetricsSummary {
  requests: number;
  /** Share of the requests answered 5XX, 0–1; absent without requests. */
  serverErrorRate?: number;
  /** The highest p99 latency of any period, ms; absent without latency points. */
  p99Ms?: number;
  /** Throttles of the API (429), the function and the table together. */
  throttles: number;
}

const LEVELS = '▁▂▃▄▅▆▇█';
const GAP = ' ';

/** Values on the window's timeline: one character a period, a gap where the series has no point. */
export function sparkline(values: readonly (number | undefined)[]): string {
  const present = values.filter((value): value is number => value !== undefined);
  const peak = Math.max(0, ...present);
  return values
    .map((value) => {
      if (value === undefined) return GAP;
      if (peak === 0) return LEVELS[0];
      return LEVELS[Math.min(LEVELS.length - 1, Math.round((value / peak) * (LEVELS.length - 1)))];
    })
    .join('');
}

/** The series' values on the window's timeline, `undefined` for a period without a point. */
export function onTimeline(
  series: Pick<ReportSeries, 'timestamps' | 'values'>,
  window: Pick<MetricsReport, 'start' | 'end' | 'periodSeconds'>,
): (number | undefined)[] {
  const start = Date.parse(window.start);
  const periodMs = window.periodSeconds * 1000;
  const periods = Math.max(0, Math.round((Date.parse(window.end) - start) / periodMs));
  const values: (number | undefined)[] = new Array(periods).fill(undefined);
  series.timestamps.forEach((timestamp, index) => {
    const at = Math.floor((Date.parse(timestamp) - start) / periodMs);
    if (at >= 0 && at < periods) values[at] = series.values[index];
  });
  return values;
}

const grouping = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** A figure in its unit: `1,204`, `182 ms`, `3.5 ms`, `12.5 units`. */
export function formatFigure(value: number, unit: ReportSeries['unit']): string {
  if (unit === 'ms') return `${value >= 100 ? Math.round(value) : grouping.format(value)} ms`;
  const text = grouping.format(value);
  return unit === 'units' ? `${text} units` : text;
}

/** `1m`, `5m`, `1h`, `3h 20m`: a period's length. */
export function formatPeriod(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h ${(seconds % 3600) / 60}m`;
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

const perMinute = (total: number, window: Pick<MetricsReport, 'start' | 'end'>) =>
  total / ((Date.parse(window.end) - Date.parse(window.start)) / 60_000);

/** The figures beside a sparkline (and the console's charts): a count's total and rate, a latency's last value; the peak of either. */
export function seriesFigures(series: ReportSeries, report: MetricsReport): { main: string; peak: string } {
  if (series.values.length === 0) return { main: 'no data', peak: '' };
  const peak = `peak ${formatFigure(Math.max(...series.values), series.unit)}`;
  if (series.stat === 'Sum') {
    const total = series.values.reduce((sum, value) => sum + value, 0);
    return { main: `${formatFigure(total, series.unit)} (${grouping.format(perMinute(total, report))}/min)`, peak };
  }
  return { main: `last ${formatFigure(series.values[series.values.length - 1] as number, series.unit)}`, peak };
}

/** The heading of each group of series, from the names they are kept under. */
export const GROUP_TITLES: Record<MetricGroup, (names: MetricsReport['names']) => string> = {
  api: (names) => `API ${names.api} / ${names.stage}`,
  function: (names) => `function ${names.function}`,
  table: (names) => `table ${names.table}`,
};

const percent = (share: number) => `${grouping.format(share * 100)}%`;

/** The heading of a series' group; one executed version's series have their own, with the share it is routed. */
function groupTitle(series: ReportSeries, names: MetricsReport['names']): string {
  const title = GROUP_TITLES[series.group](names);
  if (series.version === undefined) return title;
  return `${title}, executed version ${series.version}${series.share === undefined ? '' : ` (${percent(series.share)} of the alias)`}`;
}

/** The one line a person reads first: `1,204 requests, 0.4% 5XX, p99 182 ms, no throttles`. */
export function summaryLine(summary: MetricsSummary, report: Pick<MetricsReport, 'start'>): string {
  if (summary.requests === 0)
    return `no requests since ${report.start.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC')}`;
  const parts = [`${grouping.format(summary.requests)} ${summary.requests === 1 ? 'request' : 'requests'}`];
  if (summary.serverErrorRate !== undefined) parts.push(`${grouping.format(summary.serverErrorRate * 100)}% 5XX`);
  if (summary.p99Ms !== undefined) parts.push(`p99 ${formatFigure(summary.p99Ms, 'ms')}`);
  parts.push(summary.throttles === 0 ? 'no throttles' : `${grouping.format(summary.throttles)} throttled`);
  return parts.join(', ');
}

/** The summary of a report's series. */
export function summarize(series: readonly Pick<ReportSeries, 'id' | 'values'>[]): MetricsSummary {
  const total = (id: string) => series.find((s) => s.id === id)?.values.reduce((sum, value) => sum + value, 0) ?? 0;
  const requests = total('api.count');
  const p99 = series.find((s) => s.id === 'api.latency.p99')?.values ?? [];
  return {
    requests,
    ...(requests > 0 ? { serverErrorRate: total('api.5xx') / requests } : {}),
    ...(p99.length > 0 ? { p99Ms: Math.max(...p99) } : {}),
    throttles:
      total('api.throttled') +
      total('function.throttles') +
      total('table.readThrottles') +
      total('table.writeThrottles'),
  };
}

/** The whole report: heading, summary line, then each group's series, the columns aligned. */
export function renderMetrics(report: MetricsReport, style: Style): string {
  const labelWidth = Math.max(...report.series.map((series) => series.label.length));
  const rows = report.series.map((series) => ({
    series,
    line: sparkline(onTimeline(series, report)),
    ...seriesFigures(series, report),
  }));
  const mainWidth = Math.max(...rows.map((row) => row.main.length));
  const lines = [
    style.dim(
      `${report.target === 'local' ? 'local stack' : 'CloudWatch'} · ${report.start.replace('T', ' ').slice(0, 16)} – ${report.end.replace('T', ' ').slice(0, 16)} UTC · ${formatPeriod(report.periodSeconds)} periods`,
    ),
    style.bold(summaryLine(report.summary, report)),
  ];
  let title: string | undefined;
  for (const row of rows) {
    if (groupTitle(row.series, report.names) !== title) {
      title = groupTitle(row.series, report.names);
      lines.push('', style.cyan(title));
    }
    const unit = row.series.unit === 'count' ? '' : row.series.unit;
    lines.push(
      `  ${row.series.label.padEnd(labelWidth)}  ${row.line}  ${unit.padEnd(5)}  ${padToWidth(row.main, mainWidth, 'right')}  ${style.dim(row.peak)}`.trimEnd(),
    );
  }
  return lines.join('\n');
}

/** One line for a refresh of `--watch` when the output is not a terminal: the time and the summary. */
export function renderRefreshLine(report: MetricsReport): string {
  return `${report.end.slice(0, 19)}Z ${summaryLine(report.summary, report)}`;
}
