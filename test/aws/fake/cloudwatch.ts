/** CloudWatch: alarms under PutMetricAlarm's rules as the API reference states them, and metric data. */
import {
  InvalidParameterValueException,
  LimitExceededFault,
  type MetricAlarm,
  type MetricDataQuery,
  ResourceNotFound,
  type Tag,
} from '@aws-sdk/client-cloudwatch';
import { type FakeCore, type Handlers, meta } from './core.js';

/** An alarm as PutMetricAlarm left it, with the tags of its creation. */
export type AlarmRecord = MetricAlarm & { AlarmName: string; AlarmArn: string; Tags: Tag[] };

export interface MetricPoint {
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  at: number;
  value: number;
}

const periodOk = (p: number | undefined) => p !== undefined && ([10, 20, 30].includes(p) || (p >= 60 && p % 60 === 0));

/** PutMetricAlarm's rules for math alarms: at most 20 items, one returning data, ids used as declared. */
function checkMetrics(metrics: MetricDataQuery[], evaluationPeriods: number | undefined): void {
  const invalid = (message: string) => new InvalidParameterValueException({ message, ...meta });
  if (metrics.length > 20) throw invalid('At most 20 items in Metrics');
  const stats = metrics.filter((m) => m.MetricStat);
  const expressions = metrics.filter((m) => m.Expression);
  if (stats.length > 10 || expressions.length > 10)
    throw invalid('At most 10 MetricStat and 10 Expression items in Metrics');
  if (metrics.some((m) => Boolean(m.MetricStat) === Boolean(m.Expression)))
    throw invalid('Each item of Metrics has either MetricStat or Expression');
  const returning = metrics.filter((m) => m.ReturnData !== false);
  if (returning.length !== 1) throw invalid('Exactly one element of the metrics list should return data.');
  if (metrics.some((m) => !/^[a-z][a-zA-Z0-9_]*$/.test(m.Id ?? '')))
    throw invalid('Metric ids start with a lower-case letter');
  const ids = new Set(metrics.map((m) => m.Id));
  for (const e of expressions) {
    const used =
      String(e.Expression)
        .match(/\b[a-z][a-zA-Z0-9_]*\b/g)
        ?.filter((w) => !/^(fill|if|max|min|sum|avg)$/i.test(w)) ?? [];
    if (used.some((id) => !ids.has(id))) throw invalid(`Expression ${e.Expression} uses an id that is not in Metrics`);
  }
  for (const m of stats) {
    const period = m.MetricStat?.Period;
    if (!periodOk(period)) throw invalid('The period must be 10, 20, 30 or a multiple of 60 seconds');
    if (Number(period) * Number(evaluationPeriods) > 86_400)
      throw invalid('Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400)');
  }
}

/** Moves an alarm to a state, as CloudWatch does when it evaluates (SetAlarmState does the same). */
export function setAlarmState(
  aws: FakeCore,
  name: string,
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA',
  reason: string,
): void {
  const alarm = aws.alarms.get(name);
  if (!alarm) throw new Error(`no alarm ${name}`);
  Object.assign(alarm, { StateValue: state, StateReason: reason });
}

export function cloudwatchHandlers(aws: FakeCore) {
  return {
    PutMetricAlarm(input) {
      const invalid = (message: string) => new InvalidParameterValueException({ message, ...meta });
      const metrics = input.Metrics;
      if (
        metrics &&
        (input.MetricName ||
          input.Namespace ||
          input.Dimensions ||
          input.Period ||
          input.Statistic ||
          input.ExtendedStatistic)
      ) {
        throw invalid(
          'Metrics cannot be combined with MetricName, Namespace, Dimensions, Period, Statistic or ExtendedStatistic',
        );
      }
      if (!metrics && !input.MetricName) throw invalid('Either MetricName or Metrics must be given');
      if (metrics) checkMetrics(metrics, input.EvaluationPeriods);
      else if (!periodOk(input.Period)) throw invalid('The period must be 10, 20, 30 or a multiple of 60 seconds');
      if (input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm > Number(input.EvaluationPeriods))
        throw invalid('DatapointsToAlarm must be at most EvaluationPeriods');
      const name = input.AlarmName ?? '';
      const existing = aws.alarms.get(name);
      if (!existing && aws.alarms.size >= aws.alarmQuota)
        throw new LimitExceededFault({
          message: 'The maximum number of alarms for this account has been reached',
          ...meta,
        });
      const { Tags, ...config } = input;
      // An update overwrites the whole configuration but keeps the state, and ignores the tags.
      aws.alarms.set(name, {
        ...config,
        AlarmName: name,
        AlarmArn: `arn:aws:cloudwatch:${aws.region}:${aws.accountId}:alarm:${name}`,
        StateValue: existing?.StateValue ?? 'INSUFFICIENT_DATA',
        StateReason: existing?.StateReason ?? 'Unchecked: Initial alarm creation',
        Tags: existing?.Tags ?? [...(Tags ?? [])],
      });
    },

    DescribeAlarms(input) {
      const names = input.AlarmNames;
      if (names && names.length > 100)
        throw new InvalidParameterValueException({ message: 'At most 100 alarm names', ...meta });
      const alarms = [...aws.alarms.values()].filter((a) => !names || names.includes(a.AlarmName));
      return { MetricAlarms: alarms.map(({ Tags: _tags, ...a }) => a), CompositeAlarms: [] };
    },

    ListTagsForResource(input) {
      const alarm = [...aws.alarms.values()].find((a) => a.AlarmArn === input.ResourceARN);
      if (!alarm) throw new ResourceNotFound({ message: `Alarm ${input.ResourceARN} does not exist`, ...meta });
      return { Tags: alarm.Tags };
    },

    DeleteAlarms(input) {
      // One unknown name fails the whole call and deletes nothing.
      const names = input.AlarmNames ?? [];
      const missing = names.filter((n) => !aws.alarms.has(n));
      if (missing.length) throw new ResourceNotFound({ message: `${missing.join(', ')} not found`, ...meta });
      for (const name of names) aws.alarms.delete(name);
    },

    PutMetricData(input) {
      for (const datum of input.MetricData ?? []) {
        aws.metricPoints.push({
          namespace: input.Namespace ?? '',
          metric: datum.MetricName ?? '',
          dimensions: Object.fromEntries((datum.Dimensions ?? []).map((d) => [d.Name, d.Value])),
          at: datum.Timestamp ? new Date(datum.Timestamp).getTime() : aws.clock.now(),
          value: datum.Value ?? 0,
        });
      }
    },

    /**
     * GetMetricData for MetricStat queries: the points of exactly that namespace, name and set of dimensions
     * (as CloudWatch matches them), from StartTime (inclusive) to EndTime (exclusive), in periods from StartTime.
     */
    GetMetricData(input) {
      const start = new Date(input.StartTime ?? 0).getTime();
      const end = new Date(input.EndTime ?? 0).getTime();
      const results = (input.MetricDataQueries ?? []).map((query) => {
        const { Metric, Period, Stat } = query.MetricStat ?? {};
        const periodMs = Number(Period) * 1000;
        const wanted = Object.fromEntries((Metric?.Dimensions ?? []).map((d) => [d.Name, d.Value]));
        const same = (dims: Record<string, string>) =>
          JSON.stringify(Object.entries(dims).sort()) === JSON.stringify(Object.entries(wanted).sort());
        const buckets = new Map<number, number[]>();
        for (const p of aws.metricPoints) {
          if (
            p.namespace !== Metric?.Namespace ||
            p.metric !== Metric.MetricName ||
            !same(p.dimensions) ||
            p.at < start ||
            p.at >= end
          )
            continue;
          const bucket = start + Math.floor((p.at - start) / periodMs) * periodMs;
          buckets.set(bucket, [...(buckets.get(bucket) ?? []), p.value]);
        }
        const sorted = [...buckets].sort(([a], [b]) => a - b);
        const stat = (values: number[]) =>
          Stat === 'Sum'
            ? values.reduce((a, b) => a + b, 0)
            : Stat === 'Maximum'
              ? Math.max(...values)
              : values.reduce((a, b) => a + b, 0) / values.length;
        return {
          Id: query.Id,
          Label: query.Label ?? query.Id,
          StatusCode: 'Complete' as const,
          Timestamps: sorted.map(([at]) => new Date(at)),
          Values: sorted.map(([, values]) => stat(values)),
        };
      });
      return { MetricDataResults: results };
    },
  } satisfies Handlers<'cloudwatch'>;
}
