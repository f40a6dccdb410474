/** `metrics` (AWS): every series of the stack in one GetMetricData call per refresh, by the dimensions AWS publishes them under. */
import type { MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { Context } from '../../context.js';
import type { AwsDeps } from '../../provision/session.js';
import {
  emptySeries,
  executedVersionDimensions,
  SERIES,
  VERSION_SERIES,
  type DimensionSource,
  type MetricSeries,
  type MetricsWindow,
  type RoutedVersion,
  type SeriesDefinition,
} from '../../stack/metric-series.js';
import type { AliasRouting } from '../../provision/alias.js';
import type { MetricsOptions, MetricsSource } from './index.js';
import type { MetricsReport } from '../../output/render-metrics.js';

/** The series CloudWatch keeps, each with the id of its query (`m0`, `m1`, …: ids must start with a lower-case letter). */
const QUERIED = SERIES.filter((definition) => definition.cloudwatch).map((definition, index) => ({
  definition,
  queryId: `m${index}`,
}));

/** The most queries one read sends: every series, and the per-version ones for an alias routing to two versions. */
export const MAX_QUERIES = QUERIED.length + 2 * VERSION_SERIES.length;

const dimensionValue = (source: DimensionSource, names: MetricsReport['names']) =>
  typeof source === 'object' ? source.fixed : names[source];

interface Queried {
  definition: SeriesDefinition;
  queryId: string;
  routed?: RoutedVersion;
}

/** Every query of a read: the stack's series, then each routed version's (`v0m0`, …) when the alias routes to two. */
function queried(routing?: AliasRouting): Queried[] {
  if (!routing || routing.versions.length < 2) return QUERIED;
  const perVersion = routing.versions.flatMap((routed, v) =>
    VERSION_SERIES.map((definition, m) => ({ definition, queryId: `v${v}m${m}`, routed })),
  );
  return [...QUERIED, ...perVersion];
}

/** The GetMetricData queries of every series, for the stack's names, the window's period and the alias's routing. */
export function metricQueries(
  names: MetricsReport['names'],
  periodSeconds: number,
  routing?: AliasRouting,
): MetricDataQuery[] {
  return queried(routing).map(({ definition, queryId, routed }) => {
    const cloudwatch = definition.cloudwatch as NonNullable<SeriesDefinition['cloudwatch']>;
    const dimensions =
      routed && routing
        ? executedVersionDimensions(names.function, routing.alias, routed.version)
        : Object.entries(cloudwatch.dimensions).map(([Name, source]) => ({
            Name,
            Value: dimensionValue(source, names),
          }));
    return {
      Id: queryId,
      Label: routed ? `${definition.id}@${routed.version}` : definition.id,
      ReturnData: true,
      MetricStat: {
        Metric: { Namespace: cloudwatch.namespace, MetricName: cloudwatch.metric, Dimensions: dimensions },
        Period: periodSeconds,
        Stat: definition.stat,
      },
    };
  });
}

/** The series of GetMetricData's results (pages merged), ascending, in the order of SERIES, then per version. */
export function seriesOf(results: readonly MetricDataResult[], routing?: AliasRouting): MetricSeries[] {
  return queried(routing).map(({ definition, queryId, routed }) => {
    const series = emptySeries(definition, routed);
    const points = new Map<number, number>();
    for (const result of results.filter((r) => r.Id === queryId)) {
      (result.Timestamps ?? []).forEach((timestamp, index) => {
        const value = result.Values?.[index];
        if (value !== undefined) points.set(new Date(timestamp).getTime(), value);
      });
    }
    for (const [timestamp, value] of [...points].sort(([a], [b]) => a - b)) {
      series.timestamps.push(timestamp);
      series.values.push(value);
    }
    return series;
  });
}

/** The stack's series in CloudWatch, read for the names `setup` gives its resources. */
export async function awsMetricsSource(
  opts: MetricsOptions,
  ctx: Context,
  deps: Partial<AwsDeps> = {},
): Promise<MetricsSource> {
  // Loaded here, so that `metrics --help` does not load the AWS SDK.
  const [
    { awsTarget, openSession },
    { withTerminalProgress },
    { GetMetricDataCommand },
    { translateAwsError },
    { retryThrottled },
    { liveRouting },
  ] = await Promise.all([
    import('../../provision/session.js'),
    import('../../output/progress.js'),
    import('@aws-sdk/client-cloudwatch'),
    import('../../aws/errors.js'),
    import('../../aws/retry.js'),
    import('../../provision/alias.js'),
  ]);
  const session = await openSession(awsTarget(opts), withTerminalProgress(ctx), deps);
  const { pctx } = session;
  const names = {
    api: pctx.names.api,
    stage: pctx.names.stage,
    function: pctx.names.function,
    table: pctx.names.table,
  };
  return {
    target: 'aws',
    names,
    queries: MAX_QUERIES,
    async read(window: MetricsWindow) {
      // Read each refresh, since a canary may start or end while --watch runs; a stack without the alias has none.
      const routing = await liveRouting(pctx);
      const queries = metricQueries(names, window.periodSeconds, routing);
      const results: MetricDataResult[] = [];
      let nextToken: string | undefined;
      do {
        const input = {
          MetricDataQueries: queries,
          StartTime: new Date(window.start),
          EndTime: new Date(window.end),
          ScanBy: 'TimestampAscending' as const,
          ...(nextToken ? { NextToken: nextToken } : {}),
        };
        let page;
        try {
          page = await retryThrottled(() => pctx.clients.cloudwatch.send(new GetMetricDataCommand(input)), {
            clock: pctx.clock,
            onRetry: (_attempt, ms) =>
              session.progress.note(`CloudWatch throttled GetMetricData; retrying in ${(ms / 1000).toFixed(1)} s`),
            ...(ctx.signal ? { signal: ctx.signal } : {}),
          });
        } catch (error) {
          throw translateAwsError(error, 'cloudwatch:GetMetricData');
        }
        results.push(...(page.MetricDataResults ?? []));
        nextToken = page.NextToken;
      } while (nextToken);
      return seriesOf(results, routing);
    },
    close: () => session.close(),
  };
}
