/** `metrics` (AWS): every series of the stack in one GetMetricData call per refresh, by the dimensions AWS publishes them under. */
import type { MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { Context } from '../../context.js';
import type { AwsDeps } from '../../provision/session.js';
import { emptySeries, SERIES, type DimensionSource, type MetricSeries, type MetricsWindow, type SeriesDefinition } from '../../stack/metric-series.js';
import type { MetricsOptions, MetricsSource } from './index.js';
import type { MetricsReport } from '../../output/render-metrics.js';

/** The series CloudWatch keeps, each with the id of its query (`m0`, `m1`, …: ids must start with a lower-case letter). */
const QUERIED = SERIES.filter((definition) => definition.cloudwatch).map((definition, index) => ({ definition, queryId: `m${index}` }));

const dimensionValue = (source: DimensionSource, names: MetricsReport['names']) => (typeof source === 'object' ? source.fixed : names[source]);

/** The GetMetricData queries of every series, for the stack's names and the window's period. */
export function metricQueries(names: MetricsReport['names'], periodSeconds: number): MetricDataQuery[] {
  return QUERIED.map(({ definition, queryId }) => {
    const cloudwatch = definition.cloudwatch as NonNullable<SeriesDefinition['cloudwatch']>;
    return {
      Id: queryId,
      Label: definition.id,
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: cloudwatch.namespace,
          MetricName: cloudwatch.metric,
          Dimensions: Object.entries(cloudwatch.dimensions).map(([Name, source]) => ({ Name, Value: dimensionValue(source, names) })),
        },
        Period: periodSeconds,
        Stat: definition.stat,
      },
    };
  });
}

/** The series of GetMetricData's results (pages merged), ascending, in the order of SERIES. */
export function seriesOf(results: readonly MetricDataResult[]): MetricSeries[] {
  return QUERIED.map(({ definition, queryId }) => {
    const series = emptySeries(definition);
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
export async function awsMetricsSource(opts: MetricsOptions, ctx: Context, deps: Partial<AwsDeps> = {}): Promise<MetricsSource> {
  // Loaded here, so that `metrics --help` does not load the AWS SDK.
  const [{ awsTarget, openSession }, { withTerminalProgress }, { GetMetricDataCommand }, { translateAwsError }, { retryThrottled }] = await Promise.all([
    import('../../provision/session.js'),
    import('../../output/progress.js'),
    import('@aws-sdk/client-cloudwatch'),
    import('../../aws/errors.js'),
    import('../../aws/retry.js'),
  ]);
  const session = await openSession(awsTarget(opts), withTerminalProgress(ctx), deps);
  const { pctx } = session;
  const names = { api: pctx.names.api, stage: pctx.names.stage, function: pctx.names.function, table: pctx.names.table };
  return {
    target: 'aws',
    names,
    queries: QUERIED.length,
    async read(window: MetricsWindow) {
      const queries = metricQueries(names, window.periodSeconds);
      const results: MetricDataResult[] = [];
      let nextToken: string | undefined;
      do {
        const input = { MetricDataQueries: queries, StartTime: new Date(window.start), EndTime: new Date(window.end), ScanBy: 'TimestampAscending' as const, ...(nextToken ? { NextToken: nextToken } : {}) };
        let page;
        try {
          page = await retryThrottled(() => pctx.clients.cloudwatch.send(new GetMetricDataCommand(input)), {
            clock: pctx.clock,
            onRetry: (_attempt, ms) => session.progress.note(`CloudWatch throttled GetMetricData; retrying in ${(ms / 1000).toFixed(1)} s`),
            ...(ctx.signal ? { signal: ctx.signal } : {}),
          });
        } catch (error) {
          throw translateAwsError(error, 'cloudwatch:GetMetricData');
        }
        results.push(...(page.MetricDataResults ?? []));
        nextToken = page.NextToken;
      } while (nextToken);
      return seriesOf(results);
    },
    close: () => session.close(),
  };
}
