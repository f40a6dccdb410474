/**
 * The series `metrics` reports, for both stacks: what each one measures, its unit and statistic, and where
 * CloudWatch keeps it (namespace, metric and dimension names as API Gateway, Lambda and DynamoDB publish them).
 * The local stack serves the same ids from its own records; a series one side cannot measure is absent there.
 */

export type MetricGroup = 'api' | 'function' | 'table';
export type MetricUnit = 'count' | 'ms' | 'units';
/** How a period's samples become one value: a sum, a maximum, an average or a percentile. */
export type MetricStat = 'Sum' | 'Maximum' | 'Average' | 'p50' | 'p99';

/** Which resource's name a CloudWatch dimension takes. */
export type DimensionSource = 'api' | 'stage' | 'function' | 'table' | { fixed: string };

export interface SeriesDefinition {
  /** Stable id, also the GetMetricData query id's source: `api.count`, `function.duration.p99`. */
  id: string;
  group: MetricGroup;
  label: string;
  unit: MetricUnit;
  stat: MetricStat;
  /** Where CloudWatch keeps it; absent for a figure only the local stack records. */
  cloudwatch?: { namespace: string; metric: string; dimensions: Record<string, DimensionSource> };
  /** The local stack records it. */
  local: boolean;
}

const API = { ApiName: 'api', Stage: 'stage' } as const;
const FUNCTION = { FunctionName: 'function' } as const;
const TABLE = { TableName: 'table' } as const;
const api = (metric: string) => ({ namespace: 'AWS/ApiGateway', metric, dimensions: API });
const fn = (metric: string) => ({ namespace: 'AWS/Lambda', metric, dimensions: FUNCTION });
const table = (metric: string, operation?: string) => ({
  namespace: 'AWS/DynamoDB',
  metric,
  dimensions: operation ? { ...TABLE, Operation: { fixed: operation } } : TABLE,
});

/** The DynamoDB operations the function sends; SuccessfulRequestLatency is published per table and operation. */
export const TABLE_OPERATIONS = ['GetItem', 'Scan', 'PutItem', 'UpdateItem', 'DeleteItem'] as const;

/** Every series, in the order the report shows them. */
export const SERIES: readonly SeriesDefinition[] = [
  {
    id: 'api.count',
    group: 'api',
    label: 'requests',
    unit: 'count',
    stat: 'Sum',
    cloudwatch: api('Count'),
    local: true,
  },
  {
    id: 'api.4xx',
    group: 'api',
    label: '4XX errors',
    unit: 'count',
    stat: 'Sum',
    cloudwatch: api('4XXError'),
    local: true,
  },
  {
    id: 'api.5xx',
    group: 'api',
    label: '5XX errors',
    unit: 'count',
    stat: 'Sum',
    cloudwatch: api('5XXError'),
    local: true,
  },
  // API Gateway counts its 429s among the 4XX errors and publishes no metric of its own for them.
  { id: 'api.throttled', group: 'api', label: 'throttled (429)', unit: 'count', stat: 'Sum', local: true },
  {
    id: 'api.latency.p50',
    group: 'api',
    label: 'latency p50',
    unit: 'ms',
    stat: 'p50',
    cloudwatch: api('Latency'),
    local: true,
  },
  {
    id: 'api.latency.p99',
    group: 'api',
    label: 'latency p99',
    unit: 'ms',
    stat: 'p99',
    cloudwatch: api('Latency'),
    local: true,
  },
  {
    id: 'api.integration.p50',
    group: 'api',
    label: 'integration p50',
    unit: 'ms',
    stat: 'p50',
    cloudwatch: api('IntegrationLatency'),
    local: true,
  },
  {
    id: 'api.integration.p99',
    group: 'api',
    label: 'integration p99',
    unit: 'ms',
    stat: 'p99',
    cloudwatch: api('IntegrationLatency'),
    local: true,
  },
  {
    id: 'function.invocations',
    group: 'function',
    label: 'invocations',
    unit: 'count',
    stat: 'Sum',
    cloudwatch: fn('Invocations'),
    local: true,
  },
  {
    id: 'function.errors',
    group: 'function',
    label: 'errors',
    unit: 'count',
    stat: 'Sum',
    cloudwatch: fn('Errors'),
    local: true,
  },
  {
    id: 'function.throttles',
    group: 'function',
    label: 'throttles',
    unit: 'count',
    stat: 'Sum',
    cloudwatch: fn('Throttles'),
    local: false,
  },
  {
    id: 'function.duration.p50',
    group: 'function',
    label: 'duration p50',
    unit: 'ms',
    stat: 'p50',
    cloudwatch: fn('Duration'),
    local: true,
  },
  {
    id: 'function.duration.p99',
    group: 'function',
    label: 'duration p99',
    unit: 'ms',
    stat: 'p99',
    cloudwatch: fn('Duration'),
    local: true,
  },
  {
    id: 'function.concurrent',
    group: 'function',
    label: 'concurrent',
    unit: 'count',
    stat: 'Maximum',
    cloudwatch: fn('ConcurrentExecutions'),
    local: true,
  },
  // Lambda publishes no cold-start metric (only each environment's init report in the log).
  { id: 'function.coldStarts', group: 'function', label: 'cold starts', unit: 'count', stat: 'Sum', local: true },
  {
    id: 'table.reads',
    group: 'table',
    label: 'read units',
    unit: 'units',
    stat: 'Sum',
    cloudwatch: table('ConsumedReadCapacityUnits'),
    local: false,
  },
  {
    id: 'table.writes',
    group: 'table',
    label: 'write units',
    unit: 'units',
    stat: 'Sum',
    cloudwatch: table('ConsumedWriteCapacityUnits'),
    local: false,
  },
  {
    id: 'table.readThrottles',
    group: 'table',
    label: 'read throttles',
    unit: 'count',
    stat: 'Sum',
    cloudwatch: table('ReadThrottleEvents'),
    local: false,
  },
  {
    id: 'table.writeThrottles',
    group: 'table',
    label: 'write throttles',
    unit: 'count',
    stat: 'Sum',
    cloudwatch: table('WriteThrottleEvents'),
    local: false,
  },
  // The embedded engine counts requests, not capacity units, and never throttles.
  { id: 'table.requests', group: 'table', label: 'engine requests', unit: 'count', stat: 'Sum', local: true },
  ...TABLE_OPERATIONS.map(
    (operation): SeriesDefinition => ({
      id: `table.latency.${operation}`,
      group: 'table',
      label: `${operation} latency`,
      unit: 'ms',
      stat: 'Average',
      cloudwatch: table('SuccessfulRequestLatency', operation),
      local: true,
    }),
  ),
];

/**
 * The dimensions Lambda publishes an invocation through an alias under, per version that ran it (Lambda Developer
 * Guide, "Using CloudWatch metrics with Lambda": FunctionName, Resource `function:alias`, ExecutedVersion).
 */
export function executedVersionDimensions(
  fn: string,
  alias: string,
  version: string,
): { Name: string; Value: string }[] {
  return [
    { Name: 'FunctionName', Value: fn },
    { Name: 'Resource', Value: `${fn}:${alias}` },
    { Name: 'ExecutedVersion', Value: version },
  ];
}

/** The function's series `metrics` also shows per executed version while the alias routes to two versions. */
export const VERSION_SERIES: readonly SeriesDefinition[] = SERIES.filter((definition) =>
  ['function.invocations', 'function.errors', 'function.duration.p99'].includes(definition.id),
);

/** One version the alias routes to and its share of the alias's invocations (0–1). */
export interface RoutedVersion {
  version: string;
  share: number;
}

/** One series over the report's window: the periods that have a value (a period without one is a gap, not a zero). */
export interface MetricSeries {
  id: string;
  group: MetricGroup;
  label: string;
  unit: MetricUnit;
  stat: MetricStat;
  /** For a series of one executed version through the alias: that version and its routed share (0–1). */
  version?: string;
  share?: number;
  /** Period starts, ms since the epoch, ascending; `values[i]` belongs to `timestamps[i]`. */
  timestamps: number[];
  values: number[];
}

/** What `metrics` reports: the window, its period, and each series. */
export interface MetricsWindow {
  /** ms since the epoch, aligned to the period. */
  start: number;
  end: number;
  periodSeconds: number;
}

/** A series with no points yet, from its definition (and the executed version it is read for, `id@version`). */
export function emptySeries(definition: SeriesDefinition, routed?: RoutedVersion): MetricSeries {
  const { id, group, label, unit, stat } = definition;
  if (!routed) return { id, group, label, unit, stat, timestamps: [], values: [] };
  return {
    id: `${id}@${routed.version}`,
    group,
    label,
    unit,
    stat,
    version: routed.version,
    share: routed.share,
    timestamps: [],
    values: [],
  };
}

/** How many points a report aims at: a sparkline that fits a terminal line beside its label and figures. */
export const TARGET_POINTS = 60;

const MINUTE_S = 60;
const DAY_MS = 86_400_000;

/**
 * CloudWatch's retention of AWS metrics by age of the start time: 1-minute points for 15 days, 5-minute for 63
 * days, 1-hour for 455 days (15 months). A period must be a multiple of the step kept that long ago.
 */
export const RETENTION: readonly { maxAgeMs: number; stepSeconds: number }[] = [
  { maxAgeMs: 15 * DAY_MS, stepSeconds: 60 },
  { maxAgeMs: 63 * DAY_MS, stepSeconds: 300 },
  { maxAgeMs: 455 * DAY_MS, stepSeconds: 3600 },
];

/** GetMetricData's limit of data points a call (it also takes at most 500 queries, more than the metrics ask). */
export const MAX_DATAPOINTS = 100_800;

/** Why CloudWatch cannot serve a window; the message says what would work. */
export class UnservableWindowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnservableWindowError';
  }
}

/**
 * The window `--since` asks for, ending `now`: a period that is a multiple of the step CloudWatch keeps for a
 * start that old, giving at most about TARGET_POINTS points (more only when the step forces it), with start and
 * end aligned to it.
 */
export function chooseWindow(sinceMs: number, now: number, queries = 1): MetricsWindow {
  if (sinceMs < MINUTE_S * 1000)
    throw new UnservableWindowError('--since must be at least 1m: AWS services publish their metrics once a minute');
  const rule = RETENTION.find((r) => sinceMs <= r.maxAgeMs);
  if (!rule)
    throw new UnservableWindowError('--since must be at most 455d: CloudWatch keeps metrics for 15 months (455 days)');
  const step = rule.stepSeconds;
  let periodSeconds = Math.max(step, Math.ceil(sinceMs / 1000 / TARGET_POINTS / step) * step);
  const periodMs = () => periodSeconds * 1000;
  // Ends at the start of the next period, so the current, filling period is the last point.
  const bounds = () => ({
    start: Math.floor((now - sinceMs) / periodMs()) * periodMs(),
    end: Math.ceil(now / periodMs()) * periodMs(),
  });
  while (((bounds().end - bounds().start) / periodMs()) * queries > MAX_DATAPOINTS) periodSeconds += step;
  return { ...bounds(), periodSeconds };
}
