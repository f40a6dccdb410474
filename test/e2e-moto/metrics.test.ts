// `metrics` against moto: data points written with PutMetricData under the namespaces and dimensions AWS
// publishes them with (per executed version of alias live during a canary too) come back from one GetMetricData
// call per refresh, exactly, and render as sparklines; the console's Health route answers the same report for the
// AWS stack that setup recorded.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsReport } from '../../src/output/render-metrics.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';
import { consoleCookie, startConsoleCli } from '../helpers/console-cli.js';
import { motoAvailable, startEmulator, type Emulator } from './moto-server.js';

let emulator: Emulator;
const REGION = 'us-east-1';
const MINUTE = 60_000;
// Whole minutes, 10 and 5 minutes ago, so that both fall inside `--since 1h` and on its 1-minute periods.
const now = Date.now();
const older = Math.floor(now / MINUTE) * MINUTE - 10 * MINUTE;
const newer = older + 5 * MINUTE;

const datum = (name: string, dimensions: Record<string, string>, at: number, value: number): MetricDatum => ({
  MetricName: name,
  Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
  Timestamp: new Date(at),
  Value: value,
});

/** The function of stack `canary` with versions 1 and 2, and alias live at version 1 with 25% on version 2. */
async function makeCanaryFunction() {
  const config = {
    region: REGION,
    endpoint: emulator.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const iam = new IAMClient(config);
  const lambda = new LambdaClient(config);
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  const role = await iam.send(
    new CreateRoleCommand({ RoleName: 'canary-productFunctionRole', AssumeRolePolicyDocument: trust }),
  );
  const zip = (body: string) =>
    zipSync({ 'index.mjs': new TextEncoder().encode(`export const handler = async () => (${body});`) });
  const FunctionName = 'canary-productFunction';
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: role.Role?.Arn,
      Code: { ZipFile: zip('1') },
      Publish: true,
    }),
  );
  await lambda.send(new UpdateFunctionCodeCommand({ FunctionName, ZipFile: zip('2'), Publish: true }));
  await lambda.send(
    new CreateAliasCommand({
      FunctionName,
      Name: 'live',
      FunctionVersion: '1',
      RoutingConfig: { AdditionalVersionWeights: { 2: 0.25 } },
    }),
  );
  iam.destroy();
  lambda.destroy();
}

describe.runIf(motoAvailable)('metrics against moto', () => {
  beforeAll(async () => {
    requireBuild();
    emulator = await startEmulator();
    const cloudwatch = new CloudWatchClient({
      region: REGION,
      endpoint: emulator.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const api = { ApiName: 'shop-productApi', Stage: 'prod' };
    const fn = { FunctionName: 'shop-productFunction' };
    const table = { TableName: 'shop-product' };
    const put = (namespace: string, data: MetricDatum[]) =>
      cloudwatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data }));
    await put('AWS/ApiGateway', [
      datum('Count', api, older, 120),
      datum('Count', api, newer, 80),
      datum('5XXError', api, newer, 2),
      datum('4XXError', api, older, 7),
      // Another stage's requests are not this stack's.
      datum('Count', { ApiName: 'shop-productApi', Stage: 'dev' }, newer, 999),
    ]);
    await put('AWS/Lambda', [
      datum('Invocations', fn, older, 118),
      datum('Errors', fn, newer, 2),
      datum('Throttles', fn, newer, 3),
      datum('ConcurrentExecutions', fn, older, 4),
    ]);
    await put('AWS/DynamoDB', [
      datum('ConsumedReadCapacityUnits', table, older, 59.5),
      datum('SuccessfulRequestLatency', { ...table, Operation: 'GetItem' }, older, 4.25),
    ]);
    // Stack `canary`: alias live runs version 1 and routes a quarter of its invocations to version 2. No Duration
    // points: moto 5.2.1 fails GetMetricData for a percentile statistic over stored points.
    await makeCanaryFunction();
    const through = (version: string, alias = 'live') => ({
      FunctionName: 'canary-productFunction',
      Resource: `canary-productFunction:${alias}`,
      ExecutedVersion: version,
    });
    await put('AWS/Lambda', [
      datum('Invocations', through('1'), newer, 75),
      datum('Errors', through('1'), newer, 0),
      datum('Invocations', through('2'), newer, 25),
      datum('Errors', through('2'), newer, 4),
      // Another alias's invocations of version 2 are not live's.
      datum('Invocations', through('2', 'beta'), newer, 999),
    ]);
    cloudwatch.destroy();
  }, 60_000);
  afterAll(async () => emulator?.stop());

  it('returns exactly the points written, under the names of --stack and --stage', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-metrics-'));
    const run = await runCli(
      ['metrics', '--endpoint-url', emulator.url, '--region', REGION, '--stack', 'shop', '--since', '1h', '--json'],
      { cwd },
    );

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as MetricsReport;
    const points = (id: string) => {
      const series = report.series.find((s) => s.id === id);
      return series?.timestamps.map((t, i) => [Date.parse(t), series.values[i]]);
    };
    expect(report).toMatchObject({
      target: 'aws',
      periodSeconds: 60,
      names: { api: 'shop-productApi', stage: 'prod', function: 'shop-productFunction', table: 'shop-product' },
    });
    expect(points('api.count')).toEqual([
      [older, 120],
      [newer, 80],
    ]);
    expect(points('api.5xx')).toEqual([[newer, 2]]);
    expect(points('api.4xx')).toEqual([[older, 7]]);
    expect(points('function.invocations')).toEqual([[older, 118]]);
    expect(points('function.errors')).toEqual([[newer, 2]]);
    expect(points('function.throttles')).toEqual([[newer, 3]]);
    expect(points('function.concurrent')).toEqual([[older, 4]]);
    expect(points('table.reads')).toEqual([[older, 59.5]]);
    expect(points('table.latency.GetItem')).toEqual([[older, 4.25]]);
    // Nothing was written for these: no points, not zeros.
    expect(points('table.writes')).toEqual([]);
    expect(points('table.latency.PutItem')).toEqual([]);
    expect(report.summary).toMatchObject({ requests: 200, serverErrorRate: 0.01, throttles: 3 });
  });

  it('reads each version alias live routes to by FunctionName, Resource and ExecutedVersion, and shows them', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-metrics-'));
    const args = ['metrics', '--endpoint-url', emulator.url, '--region', REGION, '--stack', 'canary', '--since', '1h'];
    const run = await runCli([...args, '--json'], { cwd });

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as MetricsReport;
    const perVersion = report.series.filter((s) => s.version !== undefined);
    expect(perVersion.map((s) => [s.id, s.version, s.share, s.timestamps.map(Date.parse), s.values])).toEqual([
      ['function.invocations@1', '1', 0.75, [newer], [75]],
      ['function.errors@1', '1', 0.75, [newer], [0]],
      ['function.duration.p99@1', '1', 0.75, [], []],
      ['function.invocations@2', '2', 0.25, [newer], [25]],
      ['function.errors@2', '2', 0.25, [newer], [4]],
      ['function.duration.p99@2', '2', 0.25, [], []],
    ]);

    const text = (await runCli(args, { cwd })).stdout.split('\n');
    const heading = text.indexOf('function canary-productFunction, executed version 2 (25% of the alias)');
    expect(heading).toBeGreaterThan(
      text.indexOf('function canary-productFunction, executed version 1 (75% of the alias)'),
    );
    expect(text[heading + 2]).toMatch(/^  errors .*4 \([\d.]+\/min\)\s+peak 4$/);
  });

  it('renders the same data for people: the summary first, gaps where nothing was written', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-metrics-'));
    const run = await runCli(['metrics', '--endpoint-url', emulator.url, '--region', REGION, '--stack', 'shop'], {
      cwd,
    });

    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[1]).toMatch(/^200 requests, 1% 5XX, (p99 [\d.]+ ms, )?3 throttled$/);
    const requests = lines.find((line) => line.trimStart().startsWith('requests')) as string;
    // 120 then, five periods later, 80: the four periods between are blanks, not bars.
    expect(requests).toContain('█    ▆');
    expect(requests).toMatch(/200 \(3\.\d\/min\)\s+peak 120$/);
    expect(lines.find((line) => line.trimStart().startsWith('write units'))).toMatch(/no data$/);
  });

  it("is what the console's Health route answers for the AWS stack setup recorded, read through GetMetricData", async () => {
    // Prepare: a directory whose state file records the stack shop on AWS (reached at the emulator).
    const cwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-console-'));
    const aws = {
      url: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod',
      region: REGION,
      stack: 'shop',
      stage: 'prod',
      resources: {},
      updatedAt: new Date().toISOString(),
    };
    mkdirSync(join(cwd, '.products-cli'), { mode: 0o700 });
    writeFileSync(join(cwd, '.products-cli', 'state.json'), JSON.stringify({ version: 1, current: 'aws', aws }), {
      mode: 0o600,
    });
    const running = await startConsoleCli(['--port', '0'], { cwd, env: { AWS_ENDPOINT_URL: emulator.url } });
    try {
      const cookie = await consoleCookie(running.url);
      const base = new URL(running.url).origin;

      // Act
      const answer = await fetch(`${base}/console/metrics?since=1h`, { headers: { cookie } });

      // Assess
      expect(answer.status, running.stderr()).toBe(200);
      const report = (await answer.json()) as MetricsReport;
      expect(report).toMatchObject({
        target: 'aws',
        periodSeconds: 60,
        names: { api: 'shop-productApi', stage: 'prod' },
        summary: { requests: 200, serverErrorRate: 0.01, throttles: 3 },
      });
      expect(report.series.find((s) => s.id === 'api.count')?.values).toEqual([120, 80]);
      expect((await fetch(`${base}/console/metrics?since=500d`, { headers: { cookie } })).status).toBe(400);
    } finally {
      running.process.kill('SIGINT');
    }
  });
});
