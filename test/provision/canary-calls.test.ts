// The canary's calls against aws-sdk-client-mock: the exact GetMetricData queries (the dimensions Lambda publishes
// alias invocations per executed version with), pages summed, and the UpdateAlias calls with their RevisionIds.
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readVersionFigures, runCanary } from '../../src/provision/canary.js';
import { DEFAULT_WAITS, type ProvisionContext } from '../../src/provision/context.js';
import { resourceNames, stackTags } from '../../src/provision/names.js';
import { DEFAULT_SETTINGS } from '../../src/provision/session.js';
import { VirtualClock } from '../aws/fake/virtual-clock.js';

const cloudwatch = mockClient(CloudWatchClient);
const lambda = mockClient(LambdaClient);
afterEach(() => {
  cloudwatch.reset();
  lambda.reset();
});
// The mocks replace the classes' send until restored, for every later test in this worker.
afterAll(() => {
  cloudwatch.restore();
  lambda.restore();
});

/** What the canary reads of a provisioning context: its clients, names and clock. */
function canaryContext(clock = new VirtualClock(Date.UTC(2026, 0, 1))): ProvisionContext {
  const names = resourceNames('shop');
  return {
    clients: { cloudwatch: new CloudWatchClient({}), lambda: new LambdaClient({}) },
    names,
    tags: stackTags(names),
    settings: { ...DEFAULT_SETTINGS },
    clock,
    waits: DEFAULT_WAITS,
    note: () => undefined,
  } as unknown as ProvisionContext;
}

const dimensions = (version: string) => [
  { Name: 'FunctionName', Value: 'shop-productFunction' },
  { Name: 'Resource', Value: 'shop-productFunction:live' },
  { Name: 'ExecutedVersion', Value: version },
];

describe('the canary against aws-sdk-client-mock', () => {
  it('asks for Invocations and Errors of each version by FunctionName, Resource and ExecutedVersion, and sums every page', async () => {
    const ctx = canaryContext();
    const start = ctx.clock.now() - 120_000;
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'inv0', Values: [10, 5] },
          { Id: 'err0', Values: [1] },
        ],
        NextToken: 'more',
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'inv0', Values: [5] },
          { Id: 'inv1', Values: [200] },
          { Id: 'err1', Values: [] },
        ],
      });

    const figures = await readVersionFigures(ctx, ['3', '2'], start);

    expect(figures).toEqual([
      { invocations: 20, errors: 1 },
      { invocations: 200, errors: 0 },
    ]);
    const [first, second] = cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(first?.StartTime).toEqual(new Date(start));
    expect(second?.NextToken).toBe('more');
    expect(
      first?.MetricDataQueries?.map((q) => [
        q.Id,
        q.MetricStat?.Metric?.Namespace,
        q.MetricStat?.Metric?.MetricName,
        q.MetricStat?.Metric?.Dimensions,
        q.MetricStat?.Period,
        q.MetricStat?.Stat,
      ]),
    ).toEqual([
      ['inv0', 'AWS/Lambda', 'Invocations', dimensions('3'), 60, 'Sum'],
      ['err0', 'AWS/Lambda', 'Errors', dimensions('3'), 60, 'Sum'],
      ['inv1', 'AWS/Lambda', 'Invocations', dimensions('2'), 60, 'Sum'],
      ['err1', 'AWS/Lambda', 'Errors', dimensions('2'), 60, 'Sum'],
    ]);
  });

  it('moves live to the canary routing and then to the new version, each with the RevisionId the last move returned', async () => {
    const ctx = canaryContext();
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    lambda
      .on(UpdateAliasCommand)
      .resolvesOnce({ RevisionId: 'r2', FunctionVersion: '2' })
      .resolvesOnce({ RevisionId: 'r3', FunctionVersion: '3' });
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'inv0', Values: [30] },
        { Id: 'inv1', Values: [270] },
      ],
    });

    const ran = await runCanary(ctx, {
      alias: { RevisionId: 'r1', FunctionVersion: '2' },
      stable: '2',
      candidate: '3',
      weight: 0.1,
      durationMs: 120_000,
      maxErrorRate: 0.01,
    });

    expect(ran.outcome).toBe('promoted');
    expect(ran.checks).toHaveLength(2);
    expect(lambda.commandCalls(UpdateAliasCommand).map((c) => c.args[0].input)).toEqual([
      {
        FunctionName: 'shop-productFunction',
        Name: 'live',
        FunctionVersion: '2',
        RoutingConfig: { AdditionalVersionWeights: { 3: 0.1 } },
        RevisionId: 'r1',
      },
      {
        FunctionName: 'shop-productFunction',
        Name: 'live',
        FunctionVersion: '3',
        RoutingConfig: { AdditionalVersionWeights: {} },
        RevisionId: 'r2',
      },
    ]);
  });
});
