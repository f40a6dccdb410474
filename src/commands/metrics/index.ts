/**
 * `metrics`: how the API is doing over a period, each series as a sparkline with its total or rate and peak, and a
 * summary line first. From CloudWatch (one GetMetricData call per refresh), or with --local from the local stack's
 * own records; each side is loaded only when it runs. `--watch` refreshes until Ctrl-C.
 */
import { defineCommand, type RunContext } from '../../cli/command.js';
import { awsOptions, FLAG, type AwsTargetOptions } from '../../cli/option-sets.js';
import { jsonOption } from '../../cli/target-options.js';
import { onlyLocalRecorded } from '../../cli/local-default.js';
import { readDuration } from '../../cli/parsers.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { printResult } from '../../output/print.js';
import {
  renderMetrics,
  renderRefreshLine,
  summarize,
  type MetricsReport,
  type ReportSeries,
} from '../../output/render-metrics.js';
import { DEFAULT_SINCE, SINCE_CHOICES } from '../../stack/metric-since.js';
import {
  chooseWindow,
  UnservableWindowError,
  type MetricSeries,
  type MetricsWindow,
} from '../../stack/metric-series.js';
import type { AwsDeps } from '../../provision/session.js';

export interface MetricsOptions extends AwsTargetOptions {
  local?: boolean;
  /** How far back, in ms. */
  since?: number;
  watch?: boolean;
  /** How often --watch refreshes, in ms. */
  every?: number;
}

export const DEFAULT_SINCE_MS = readDuration(DEFAULT_SINCE, null) as number;

/** Reads `--since`: a length of time back from now, with its unit (`15m`, `3h`, `7d`). */
export function readMetricsSince(text: string): number {
  const ms = readDuration(text, null);
  if (ms === undefined || !(ms > 0))
    throw new UsageError(`--since must be a length of time such as 15m, 1h, 3h, 1d or 7d, not "${text}"`);
  return ms;
}

function readEvery(text: string): number {
  const ms = readDuration(text);
  if (ms === undefined || ms < 1000 || ms > 3_600_000)
    throw new UsageError(`--every must be a time from 1s to 1h, such as 5s or 1m, not "${text}"`);
  return ms;
}

/** What one side (local or AWS) gives for a window: the names its series are kept under, and the series. */
export interface MetricsSource {
  target: MetricsReport['target'];
  names: MetricsReport['names'];
  /** How many series one read asks for, so that the window stays within GetMetricData's data points. */
  queries: number;
  read(window: MetricsWindow): Promise<MetricSeries[]>;
  close(): void;
}

/** A report from a source's series over a window. */
export function toReport(
  source: Pick<MetricsSource, 'target' | 'names'>,
  window: MetricsWindow,
  series: readonly MetricSeries[],
): MetricsReport {
  const reportSeries: ReportSeries[] = series.map((s) => ({
    ...s,
    timestamps: s.timestamps.map((t) => new Date(t).toISOString()),
  }));
  return {
    target: source.target,
    start: new Date(window.start).toISOString(),
    end: new Date(window.end).toISOString(),
    periodSeconds: window.periodSeconds,
    names: source.names,
    series: reportSeries,
    summary: summarize(series),
  };
}

export type MetricsResult = MetricsReport | { watched: true; refreshes: number };

/** The refresh of `--watch` as it is shown: the whole report redrawn in place on a terminal, one line otherwise. */
export interface MetricsRefresh {
  report: MetricsReport;
  inPlace: boolean;
  /** With --json each refresh prints as its report alone. */
  toJSON(): MetricsReport;
}

/** The side a report is read from: the local stack's own records with `local` (or when only it is recorded), else CloudWatch. */
export async function openMetricsSource(
  opts: MetricsOptions,
  ctx: Context,
  deps: Partial<AwsDeps> = {},
): Promise<MetricsSource> {
  if (opts.local || (await onlyLocalRecorded(opts, ctx.cwd))) {
    const { localMetricsSource } = await import('./local.js');
    return localMetricsSource(ctx);
  }
  const { awsMetricsSource } = await import('./aws.js');
  return awsMetricsSource(opts, ctx, deps);
}

/** One report of the source over the window `sinceMs` asks for, ending now; a UsageError for a window CloudWatch cannot serve. */
export async function readReport(source: MetricsSource, sinceMs: number): Promise<MetricsReport> {
  let window: MetricsWindow;
  try {
    window = chooseWindow(sinceMs, Date.now(), source.queries);
  } catch (error) {
    if (error instanceof UnservableWindowError) throw new UsageError(error.message);
    throw error;
  }
  return toReport(source, window, await source.read(window));
}

/** Reads the report once, or with `watch` every `every` ms (default: the period, at most a minute) until the signal aborts. */
export async function metrics(
  opts: MetricsOptions,
  ctx: Context,
  emit: (refresh: MetricsRefresh) => void,
  deps: Partial<AwsDeps> = {},
): Promise<MetricsResult> {
  const sinceMs = opts.since ?? DEFAULT_SINCE_MS;
  const source = await openMetricsSource(opts, ctx, deps);
  const once = () => readReport(source, sinceMs);
  try {
    if (!opts.watch) return await once();
    const inPlace = Boolean(ctx.stdout.isTTY) && !ctx.json;
    let refreshes = 0;
    while (!ctx.signal.aborted) {
      const report = await once();
      refreshes += 1;
      emit({ report, inPlace, toJSON: () => report });
      const every = opts.every ?? Math.min(report.periodSeconds * 1000, 60_000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, every);
        function done() {
          clearTimeout(timer);
          ctx.signal.removeEventListener('abort', done);
          resolve();
        }
        ctx.signal.addEventListener('abort', done, { once: true });
      });
    }
    return { watched: true, refreshes };
  } finally {
    source.close();
  }
}

/** Clears the terminal and puts the cursor home, so that a refresh replaces the one before. */
const REDRAW = '\x1b[H\x1b[J';

export const command = defineCommand({
  options: [
    {
      flags: '--local',
      description: "the local stack's own records (the default when only a local stack is recorded)",
    },
    ...awsOptions(),
    {
      flags: '--stage <name>',
      description: 'the stage (default: the one setup recorded, then prod)',
      parse: FLAG.stage,
    },
    {
      flags: '--since <time>',
      description: `how far back: ${SINCE_CHOICES.join(', ')} (default: ${DEFAULT_SINCE}; at least 1m, at most 455d)`,
      parse: readMetricsSince,
    },
    {
      flags: '--watch',
      description: 'refresh until Ctrl-C: in place on a terminal, one summary line per refresh otherwise',
    },
    {
      flags: '--every <time>',
      description: 'how often --watch refreshes (default: each period, at most 1m)',
      parse: readEvery,
    },
    jsonOption('print the raw series (with --watch, one JSON report per line)'),
  ],
  help: `Examples:
  $ products-cli metrics
  $ products-cli metrics --since 15m --watch
  $ products-cli metrics --local --since 15m --json
  $ products-cli metrics --since 7d --stack shop

The period is chosen from --since: about 60 points, a multiple of the step CloudWatch keeps that far back
(1 minute for 15 days, 5 minutes for 63 days, 1 hour for 455 days). A period without data is a gap, not a zero.
On AWS each refresh is one GetMetricData call, billed per metric requested (see the README).`,
  run: (_args: [], opts: MetricsOptions, ctx: RunContext<MetricsRefresh>) => metrics(opts, ctx, ctx.emit),
  live: {
    render: ({ report, inPlace }, style) =>
      inPlace ? `${REDRAW}${renderMetrics(report, style)}` : renderRefreshLine(report),
    json: true,
  },
  async print(data: MetricsResult, ctx: Context) {
    // With --watch every refresh has been printed as it came.
    if ('watched' in data) return;
    await printResult(ctx, data, renderMetrics);
  },
});
