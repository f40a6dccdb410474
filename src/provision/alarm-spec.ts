/**
 * The alarms setup makes with `--alarm-email`: an SNS topic that mails each address, and one CloudWatch alarm per
 * failure worth waking someone for, each watching the metrics `metrics` reports, as plain data that setup and the
 * template both read. Every alarm is given as a `Metrics` array (PutMetricAlarm's metric math form): metric
 * queries, and for a rate one expression over them; exactly one item returns data, the value the alarm watches.
 */
import type { PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type { ResourceNames } from './names.js';

/** What each alarm fires at; every one can be set by its flag. */
export interface AlarmThresholds {
  /** Percent of the API's requests answered 5XX, in 3 of 5 one-minute periods. */
  serverErrorPercent: number;
  /** Percent of the API's requests answered 4XX (throttled 429s among them), in 3 of 5 one-minute periods. */
  clientErrorPercent: number;
  /** Function errors in 5 minutes, at least. */
  functionErrors: number;
  /** Throttles in 5 minutes, at least: function invocations, table reads and writes. */
  throttles: number;
  /** The API's p99 latency in ms, above it in 3 of 5 one-minute periods. */
  p99LatencyMs: number;
}

export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
  serverErrorPercent: 5,
  clientErrorPercent: 25,
  functionErrors: 5,
  throttles: 1,
  p99LatencyMs: 1000,
};

/** `--alarm-email` and the thresholds: no address, no topic and no alarms. */
export interface AlarmSettings {
  emails: string[];
  thresholds: AlarmThresholds;
}

/** One metric an alarm reads, where CloudWatch keeps it. */
export interface AlarmMetricQuery {
  id: string;
  namespace: string;
  metric: string;
  /** Dimension name → value; `stage` and the names come from the stack's names. */
  dimensions: Record<string, string>;
  stat: 'Sum' | 'p99';
  periodSeconds: number;
  /** True for the one item the alarm watches (a single metric), false when an expression uses it. */
  returnData: boolean;
}

export interface AlarmExpression {
  id: string;
  expression: string;
  label: string;
}

export interface AlarmSpec {
  /** Stable key, also the template's logical id suffix. */
  key: 'ServerErrors' | 'ClientErrors' | 'FunctionErrors' | 'FunctionThrottles' | 'TableThrottles' | 'Latency';
  name: string;
  description: string;
  metrics: AlarmMetricQuery[];
  /** The expression the alarm watches; absent when it watches one metric. */
  expression?: AlarmExpression;
  comparison: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold';
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  /** A minute without traffic is no failure. */
  treatMissingData: 'notBreaching';
}

export interface AlarmsSpec {
  /** Made with `--alarm-email` only; teardown looks for the topic and the alarms by name either way. */
  wanted: boolean;
  topic: { name: string; displayName: string; emails: string[] };
  alarms: AlarmSpec[];
}

const MINUTE = 60;
const FIVE_MINUTES = 300;

/** The topic and alarms of a stack of these names. */
export function describeAlarms(names: ResourceNames, settings: AlarmSettings): AlarmsSpec {
  const t = settings.thresholds;
  const api = { ApiName: names.api, Stage: names.stage };
  const query = (
    id: string,
    namespace: string,
    metric: string,
    dimensions: Record<string, string>,
    stat: AlarmMetricQuery['stat'],
    periodSeconds: number,
    returnData = false,
  ): AlarmMetricQuery => ({ id, namespace, metric, dimensions, stat, periodSeconds, returnData });
  const threeOfFive = { evaluationPeriods: 5, datapointsToAlarm: 3, treatMissingData: 'notBreaching' } as const;
  const once = { evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: 'notBreaching' } as const;
  const rate = (metric: string, label: string) => ({
    metrics: [
      query('failed', 'AWS/ApiGateway', metric, api, 'Sum', MINUTE),
      query('requests', 'AWS/ApiGateway', 'Count', api, 'Sum', MINUTE),
    ],
    // A minute without requests divides by zero and gives no point: missing data, not a breach.
    expression: { id: 'rate', expression: '100 * failed / requests', label },
  });
  const name = (what: string) => `${names.api}-${names.stage}-${what}`;
  // By function name only: the figure covers every version and alias of the function.
  const functionAlarm = (key: AlarmSpec['key'], metric: string, threshold: number, what: string): AlarmSpec => ({
    key,
    name: `${names.function}-${metric.toLowerCase()}`,
    description: `${threshold} or more ${what} of function ${names.function} in 5 minutes (products-cli)`,
    metrics: [
      query(metric.toLowerCase(), 'AWS/Lambda', metric, { FunctionName: names.function }, 'Sum', FIVE_MINUTES, true),
    ],
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold,
    ...once,
  });
  return {
    wanted: settings.emails.length > 0,
    topic: { name: `${names.api}-alarms`, displayName: `${names.api} alarms`, emails: [...settings.emails] },
    alarms: [
      {
        key: 'ServerErrors',
        name: name('5xx-rate'),
        description: `More than ${t.serverErrorPercent}% of ${names.api}'s requests answered 5XX in 3 of the last 5 minutes (products-cli)`,
        ...rate('5XXError', '5XX % of requests'),
        comparison: 'GreaterThanThreshold',
        threshold: t.serverErrorPercent,
        ...threeOfFive,
      },
      {
        key: 'ClientErrors',
        name: name('4xx-rate'),
        description: `More than ${t.clientErrorPercent}% of ${names.api}'s requests answered 4XX, throttled 429s among them, in 3 of the last 5 minutes (products-cli)`,
        ...rate('4XXError', '4XX % of requests'),
        comparison: 'GreaterThanThreshold',
        threshold: t.clientErrorPercent,
        ...threeOfFive,
      },
      {
        key: 'Latency',
        name: name('p99-latency'),
        description: `${names.api}'s p99 latency above ${t.p99LatencyMs} ms in 3 of the last 5 minutes (products-cli)`,
        metrics: [query('p99', 'AWS/ApiGateway', 'Latency', api, 'p99', MINUTE, true)],
        comparison: 'GreaterThanThreshold',
        threshold: t.p99LatencyMs,
        ...threeOfFive,
      },
      functionAlarm('FunctionErrors', 'Errors', t.functionErrors, 'errors'),
      functionAlarm('FunctionThrottles', 'Throttles', t.throttles, 'throttled invocations'),
      {
        key: 'TableThrottles',
        name: `${names.table}-throttles`,
        description: `${t.throttles} or more throttled reads and writes of table ${names.table} in 5 minutes (products-cli)`,
        metrics: [
          query('reads', 'AWS/DynamoDB', 'ReadThrottleEvents', { TableName: names.table }, 'Sum', FIVE_MINUTES),
          query('writes', 'AWS/DynamoDB', 'WriteThrottleEvents', { TableName: names.table }, 'Sum', FIVE_MINUTES),
        ],
        // FILL: a period with throttled writes and no throttled reads still counts.
        expression: { id: 'throttled', expression: 'FILL(reads, 0) + FILL(writes, 0)', label: 'throttled requests' },
        comparison: 'GreaterThanOrEqualToThreshold',
        threshold: t.throttles,
        ...once,
      },
    ],
  };
}

/** The PutMetricAlarm input of an alarm (CloudFormation's AWS::CloudWatch::Alarm takes the same properties), notifying the topic when it fires and when it recovers. */
export function alarmInput(spec: AlarmSpec, topic: string): Omit<PutMetricAlarmCommandInput, 'Tags'> {
  return {
    AlarmName: spec.name,
    AlarmDescription: spec.description,
    ActionsEnabled: true,
    AlarmActions: [topic],
    OKActions: [topic],
    Metrics: [
      ...spec.metrics.map((m) => ({
        Id: m.id,
        ReturnData: m.returnData,
        MetricStat: {
          Metric: {
            Namespace: m.namespace,
            MetricName: m.metric,
            Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
          },
          Period: m.periodSeconds,
          Stat: m.stat,
        },
      })),
      ...(spec.expression
        ? [
            {
              Id: spec.expression.id,
              Expression: spec.expression.expression,
              Label: spec.expression.label,
              ReturnData: true,
            },
          ]
        : []),
    ],
    ComparisonOperator: spec.comparison,
    Threshold: spec.threshold,
    EvaluationPeriods: spec.evaluationPeriods,
    DatapointsToAlarm: spec.datapointsToAlarm,
    TreatMissingData: spec.treatMissingData,
  };
}
