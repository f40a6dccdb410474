// metrics on AWS against the fake: the failures a caller meets, each said in one line, and the series of each
// version alias live routes to during a canary.
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { metrics } from '../../src/commands/metrics/index.js';
import { setupAws } from '../../src/commands/setup/aws.js';
import { AwsError } from '../../src/errors.js';
import { renderMetrics, type MetricsReport } from '../../src/output/render-metrics.js';
import { fakeWorld, testContext, type FakeWorld } from '../aws/fake/harness.js';

const plain = new Chalk({ level: 0 });

describe('metrics on AWS', () => {
  it('names cloudwatch:GetMetricData when the caller may not read metrics', async () => {
    const world = fakeWorld();
    world.fake.denied.add('cloudwatch:GetMetricData');

    const run = metrics({ region: 'us-east-1' }, testContext(world.cwd), () => undefined, world.deps());

    await expect(run).rejects.toThrow(AwsError);
    await expect(run).rejects.toThrow(/^AWS denied cloudwatch:GetMetricData: grant that permission/);
    expect(world.fake.calls.filter((c) => c.op === 'GetMetricData').map((c) => c.error)).toEqual([
      'AccessDeniedException',
    ]);
  });
});

const MINUTE = 60_000;
const VERSION_DIMENSIONS = ['FunctionName', 'Resource', 'ExecutedVersion'];

/** Lambda's figures of one version invoked through alias live, `minutesAgo` whole minutes back. */
function emitVersion(
  world: FakeWorld,
  version: string,
  minutesAgo: number,
  figures: { invocations: number; errors: number; durationMs: number },
) {
  const Dimensions = [
    { Name: 'FunctionName', Value: 'productFunction' },
    { Name: 'Resource', Value: 'productFunction:live' },
    { Name: 'ExecutedVersion', Value: version },
  ];
  const Timestamp = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - minutesAgo * MINUTE);
  world.fake.cloudwatch.PutMetricData({
    Namespace: 'AWS/Lambda',
    MetricData: [
      { MetricName: 'Invocations', Dimensions, Timestamp, Value: figures.invocations },
      { MetricName: 'Errors', Dimensions, Timestamp, Value: figures.errors },
      { MetricName: 'Duration', Dimensions, Timestamp, Value: figures.durationMs },
    ],
  });
}

async function stackWithLive(weights: Record<string, number>) {
  const world = fakeWorld();
  await setupAws({ verify: false }, testContext(world.cwd), world.deps());
  const live = world.fake.functions.get('productFunction')?.aliases?.get('live');
  if (!live) throw new Error('setup made no alias live');
  live.weights = weights;
  return world;
}

const report = async (world: FakeWorld) =>
  (await metrics({ region: 'us-east-1' }, testContext(world.cwd), () => undefined, world.deps())) as MetricsReport;
const metricCalls = (world: FakeWorld) => world.fake.callsOf('GetMetricData');
const versionSeries = (r: MetricsReport) =>
  r.series.filter((s) => s.version !== undefined).map((s) => [s.id, s.version, s.share, s.values]);

describe('metrics on AWS, per executed version of alias live', () => {
  it('reads each routed version by FunctionName, Resource and ExecutedVersion in the same GetMetricData call', async () => {
    const world = await stackWithLive({ 2: 0.1 });
    emitVersion(world, '1', 5, { invocations: 90, errors: 1, durationMs: 40 });
    emitVersion(world, '2', 5, { invocations: 10, errors: 3, durationMs: 250 });
    // Another alias's invocations of version 2 are not live's.
    world.fake.cloudwatch.PutMetricData({
      Namespace: 'AWS/Lambda',
      MetricData: [
        {
          MetricName: 'Invocations',
          Timestamp: new Date(Date.now() - 5 * MINUTE),
          Value: 999,
          Dimensions: [
            { Name: 'FunctionName', Value: 'productFunction' },
            { Name: 'Resource', Value: 'productFunction:beta' },
            { Name: 'ExecutedVersion', Value: '2' },
          ],
        },
      ],
    });

    const result = await report(world);

    expect(metricCalls(world)).toHaveLength(1);
    const queries = metricCalls(world)[0]!.input.MetricDataQueries as MetricDataQuery[];
    const perVersion = queries.filter((q) =>
      q.MetricStat?.Metric?.Dimensions?.some((d) => d.Name === 'ExecutedVersion'),
    );
    expect(
      perVersion.map((q) => [q.MetricStat?.Metric?.MetricName, q.MetricStat?.Stat, q.MetricStat?.Metric?.Dimensions]),
    ).toEqual(
      ['1', '2'].flatMap((version) =>
        [
          ['Invocations', 'Sum'],
          ['Errors', 'Sum'],
          ['Duration', 'p99'],
        ].map(([metric, stat]) => [
          metric,
          stat,
          [
            { Name: 'FunctionName', Value: 'productFunction' },
            { Name: 'Resource', Value: 'productFunction:live' },
            { Name: 'ExecutedVersion', Value: version },
          ],
        ]),
      ),
    );
    expect(
      perVersion.every(
        (q) => q.MetricStat?.Metric?.Dimensions?.map((d) => d.Name).join() === VERSION_DIMENSIONS.join(),
      ),
    ).toBe(true);
    expect(versionSeries(result)).toEqual([
      ['function.invocations@1', '1', 0.9, [90]],
      ['function.errors@1', '1', 0.9, [1]],
      ['function.duration.p99@1', '1', 0.9, [40]],
      ['function.invocations@2', '2', 0.1, [10]],
      ['function.errors@2', '2', 0.1, [3]],
      ['function.duration.p99@2', '2', 0.1, [250]],
    ]);
    // The function's own series are by FunctionName alone, as before.
    expect(result.series.find((s) => s.id === 'function.invocations')?.values).toEqual([]);

    const text = renderMetrics(result, plain).split('\n');
    const heading = (version: string) =>
      text.indexOf(
        `function productFunction, executed version ${version} (${version === '1' ? 90 : 10}% of the alias)`,
      );
    expect(heading('1')).toBeGreaterThan(0);
    expect(heading('2')).toBeGreaterThan(heading('1'));
    expect(text.slice(heading('2') + 1, heading('2') + 4).map((line) => line.trim().split(/\s+/)[0])).toEqual([
      'invocations',
      'errors',
      'duration',
    ]);
    expect(text[heading('2') + 1]).toMatch(/10 \([\d.]+\/min\)\s+peak 10$/);
    expect(text[heading('2') + 3]).toMatch(/ms\s+last 250 ms\s+peak 250 ms$/);
  });

  it('shows no per-version rows while live runs one version, nor for a stack without the alias', async () => {
    const one = await stackWithLive({});
    emitVersion(one, '1', 5, { invocations: 90, errors: 0, durationMs: 40 });
    const single = await report(one);
    expect(versionSeries(single)).toEqual([]);
    expect(renderMetrics(single, plain)).not.toContain('executed version');

    const older = await stackWithLive({});
    older.fake.functions.get('productFunction')?.aliases?.delete('live');
    const without = await report(older);
    expect(versionSeries(without)).toEqual([]);
    const queries = metricCalls(older)[0]!.input.MetricDataQueries as MetricDataQuery[];
    expect(queries.map((q) => q.Label)).toEqual(
      (metricCalls(one)[0]!.input.MetricDataQueries as MetricDataQuery[]).map((q) => q.Label),
    );
    expect(queries.some((q) => q.MetricStat?.Metric?.Dimensions?.some((d) => d.Name === 'ExecutedVersion'))).toBe(
      false,
    );
  });
});
