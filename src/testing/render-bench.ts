/** How a bench run looks: the load, throughput, percentiles, statuses, errors and a latency histogram. */
import type { Style } from '../output/render-style.js';
import { formatMs, renderHistogram, type HistogramBar, type LatencySummary } from './latency.js';

export interface BenchReport {
  target: string;
  connections: number;
  mix: string;
  /** Requests per second asked for with --rate; null when unlimited. */
  rate: number | null;
  /** What bounded the run: `10 s` or `1000 requests`. */
  bound: string;
  durationMs: number;
  requests: number;
  throughput: number;
  latencyMs: LatencySummary;
  statusCounts: Record<string, number>;
  /** 429 answers: API Gateway's throttle refused them. */
  throttled: number;
  errors: number;
  errorSamples: string[];
  operations: Record<string, number>;
  histogram: HistogramBar[];
  seeded: number;
  cleanedUp: number;
  leftBehind: number;
  interrupted: boolean;
}

/** The report for people. */
export function renderBench(report: BenchReport, style: Style): string {
  const l = report.latencyMs;
  const statuses = Object.entries(report.statusCounts)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, count]) => {
      const text = `${status} ${count}`;
      return status.startsWith('2') ? text : status === '429' ? style.yellow(text) : style.red(text);
    });
  const ops = Object.entries(report.operations)
    .filter(([, count]) => count > 0)
    .map(([op, count]) => `${op} ${count}`)
    .join('  ');
  const lines = [
    `${style.bold('target')}      ${report.target}`,
    `${style.bold('load')}        ${report.connections} connections, ${report.bound}${report.rate ? `, at ${report.rate} req/s` : ''}, mix ${report.mix}`,
    `${style.bold('requests')}    ${report.requests} in ${(report.durationMs / 1000).toFixed(2)} s = ${style.bold(`${report.throughput.toFixed(1)} req/s`)}${report.interrupted ? style.yellow('  (interrupted)') : ''}`,
    `${style.bold('operations')}  ${ops || 'none'}`,
    `${style.bold('latency')}     p50 ${formatMs(l.p50)}  p90 ${formatMs(l.p90)}  p99 ${formatMs(l.p99)}  p99.9 ${formatMs(l.p99_9)}  max ${formatMs(l.max)}  (mean ${formatMs(l.mean)})`,
    `${style.bold('status')}      ${statuses.join('  ') || 'none'}`,
    `${style.bold('errors')}      ${report.errors === 0 ? '0' : style.red(`${report.errors}: ${report.errorSamples[0] ?? ''}`)}`,
  ];
  if (report.throttled > 0) {
    const share = ((report.throttled / Math.max(1, report.requests)) * 100).toFixed(1);
    lines.push(style.yellow(`throttled   ${report.throttled} requests (${share}%) got 429 Too Many Requests from the stage throttle; lower --connections or --rate, or raise the stage's limits`));
  }
  const chart = renderHistogram(report.histogram);
  if (chart.length > 0) lines.push('', style.bold('latency histogram'), ...chart.map((line) => `  ${line}`));
  lines.push('', style.dim(`seeded ${report.seeded} products; deleted ${report.cleanedUp} afterwards${report.leftBehind > 0 ? `; ${report.leftBehind} could not be deleted` : ''}`));
  return lines.join('\n');
}
