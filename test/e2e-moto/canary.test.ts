// deploy --canary through the built CLI against moto: Lambda's per-version figures are written with PutMetricData
// under the dimensions Lambda publishes alias invocations with (FunctionName, Resource `function:alias`,
// ExecutedVersion). A canary whose new version reports errors is rolled back with exit 1; a clean one is promoted.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, runCli } from '../helpers/run-cli.js';
import { motoAvailable, startEmulator, type Emulator } from './moto-server.js';

const REGION = 'us-east-1';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
let emulator: Emulator;

describe.runIf(motoAvailable)('deploy --canary against moto', () => {
  beforeAll(async () => {
    requireBuild();
    emulator = await startEmulator();
  }, 60_000);
  afterAll(async () => emulator?.stop());

  it('rolls back a canary whose new version reports errors (exit 1) and promotes a clean one (exit 0)', async () => {
    // Prepare: two stacks, and a bundle other than the one setup uploaded
    const lambda = new LambdaClient({ region: REGION, endpoint: emulator.url, credentials });
    const cloudwatch = new CloudWatchClient({ region: REGION, endpoint: emulator.url, credentials });
    const cwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-canary-'));
    const zip = join(cwd, 'next.zip');
    writeFileSync(
      zip,
      zipSync({
        'index.mjs': new TextEncoder().encode('export const handler = async () => ({ statusCode: 200, body: "[]" });'),
      }),
    );
    const where = (stack: string) => ['--endpoint-url', emulator.url, '--region', REGION, '--stack', stack];
    for (const stack of ['bad', 'good']) {
      const dir = join(cwd, stack);
      mkdirSync(dir);
      await runCli(['setup', ...where(stack), '--no-verify'], { cwd: dir }).then((r) =>
        expect(r.code, r.stderr).toBe(0),
      );
    }
    const alias = (stack: string) =>
      lambda.send(new GetAliasCommand({ FunctionName: `${stack}-productFunction`, Name: 'live' }));
    const figures = (stack: string, version: string, invocations: number, errors: number) => {
      const Dimensions = [
        { Name: 'FunctionName', Value: `${stack}-productFunction` },
        { Name: 'Resource', Value: `${stack}-productFunction:live` },
        { Name: 'ExecutedVersion', Value: version },
      ];
      return cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: 'AWS/Lambda',
          MetricData: [
            { MetricName: 'Invocations', Dimensions, Value: invocations },
            { MetricName: 'Errors', Dimensions, Value: errors },
          ],
        }),
      );
    };

    // Act: both canaries at once, a minute each
    const runs = ['bad', 'good'].map((stack) =>
      runCli(['deploy', ...where(stack), '--zip', zip, '--canary', '10', '--for', '1m'], { cwd: join(cwd, stack) }),
    );
    for (const stack of ['bad', 'good']) {
      for (let i = 0; !(await alias(stack)).RoutingConfig?.AdditionalVersionWeights?.['2']; i += 1) {
        if (i > 100) throw new Error(`no canary on ${stack}'s alias`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect((await alias(stack)).RoutingConfig?.AdditionalVersionWeights).toEqual({ 2: 0.1 });
    }
    await figures('bad', '2', 12, 4);
    await figures('bad', '1', 100, 0);
    await figures('good', '2', 12, 0);
    await figures('good', '1', 100, 0);
    const [bad, good] = await Promise.all(runs);

    // Assess
    expect(bad!.code).toBe(1);
    expect(bad!.stdout).toContain(
      'Rolled back the canary of version 2: version 2 failed 4 of 12 invocations (33.3%, above 1%); version 1 failed 0 of 100',
    );
    expect(bad!.stderr).toContain('products-cli: the canary of version 2 was rolled back');
    expect(await alias('bad')).toMatchObject({ FunctionVersion: '1' });
    expect((await alias('bad')).RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    expect(good!.code, good!.stderr).toBe(0);
    expect(good!.stdout).toContain(
      'canary at 1:00: new version 2 (10%): 12 invocations, 0 errors · live version 1 (90%): 100 invocations, 0 errors',
    );
    expect(good!.stdout).toMatch(
      /\nPromoted version 2 after 1 min at 10%: 12 invocations, 0 errors\. live runs it alone, replacing version 1\./,
    );
    expect(await alias('good')).toMatchObject({ FunctionVersion: '2' });
    lambda.destroy();
    cloudwatch.destroy();
  }, 180_000);
});
