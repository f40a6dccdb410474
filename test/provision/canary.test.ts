// deploy --canary against the stateful fake: the alias's routing, per-version figures written with PutMetricData
// under the dimensions Lambda publishes alias invocations with, promotion, rollback, Ctrl-C and a killed canary.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { checkDeploy, deploy, renderCanaryCheck, renderDeploy } from '../../src/commands/deploy.js';
import { rollback } from '../../src/commands/rollback.js';
import { setupAws } from '../../src/commands/setup/aws.js';
import { AppError, CheckFailedError, EXIT } from '../../src/errors.js';
import type { CanaryCheck } from '../../src/provision/canary.js';
import { fakeWorld, testContext, type FakeWorld } from '../aws/fake/harness.js';

const plain = new Chalk({ level: 0 });
const bundle2 = async () => new TextEncoder().encode('PK bundle 2');

/** Lambda's figures of one version invoked through alias live, `afterMs` into the canary. */
function emit(world: FakeWorld, version: string, afterMs: number, invocations: number, errors: number) {
  const dimensions = [
    { Name: 'FunctionName', Value: 'productFunction' },
    { Name: 'Resource', Value: 'productFunction:live' },
    { Name: 'ExecutedVersion', Value: version },
  ];
  const Timestamp = new Date(world.clock.now() + afterMs);
  world.fake.cloudwatch.PutMetricData({
    Namespace: 'AWS/Lambda',
    MetricData: [
      { MetricName: 'Invocations', Dimensions: dimensions, Timestamp, Value: invocations },
      { MetricName: 'Errors', Dimensions: dimensions, Timestamp, Value: errors },
    ],
  });
}

async function setUp() {
  const world = fakeWorld();
  await setupAws({ verify: false }, testContext(world.cwd), world.deps());
  return world;
}

const aliasCalls = (world: FakeWorld) =>
  world.fake
    .inputsOf('lambda', 'UpdateAlias')
    .map((input) => [input.FunctionVersion, input.RoutingConfig?.AdditionalVersionWeights]);

describe('deploy --canary', () => {
  it('routes the share to the new version, reads both versions each minute, and promotes a clean canary', async () => {
    const world = await setUp();
    for (let minute = 0; minute < 5; minute += 1) {
      emit(world, '2', minute * 60_000 + 30_000, 10, 0);
      emit(world, '1', minute * 60_000 + 30_000, 90, 1);
    }
    const seen: CanaryCheck[] = [];
    const ctx = { ...testContext(world.cwd), emit: (check: CanaryCheck) => seen.push(check) };
    const result = await deploy({ canary: 10, for: 5 * 60_000 }, ctx, world.deps({ readCode: bundle2 }));

    expect(aliasCalls(world)).toEqual([
      ['1', { 2: 0.1 }],
      ['2', {}],
    ]);
    expect(result).toMatchObject({
      version: '2',
      replacedVersion: '1',
      canary: { outcome: 'promoted', weight: 0.1, maxErrorRate: 0.01 },
    });
    expect(
      seen.map((c) => [
        Math.round(c.elapsedMs / 60_000),
        c.canary.invocations,
        c.canary.errors,
        c.live.invocations,
        c.live.errors,
      ]),
    ).toEqual([1, 2, 3, 4, 5].map((m) => [m, m * 10, 0, m * 90, m]));
    expect(seen.at(-1)!.elapsedMs).toBeGreaterThanOrEqual(5 * 60_000);
    expect(result.canary?.checks).toEqual(seen);
    expect(renderCanaryCheck(seen[0]!)).toMatch(/^canary at 1:00: /);
    expect(renderCanaryCheck(seen[0]!)).toContain(
      ': new version 2 (10%): 10 invocations, 0 errors · live version 1 (90%): 90 invocations, 1 errors',
    );
    expect(renderDeploy(result, plain)).toMatch(
      /^Promoted version 2 after 5 min at 10%: 50 invocations, 0 errors\. live runs it alone, replacing version 1\./,
    );
    expect(() => checkDeploy(result)).not.toThrow();
    expect(world.fake.functions.get('productFunction')?.aliases?.get('live')).toMatchObject({
      version: '2',
      weights: {},
    });
  });

  it('rolls back a canary whose new version reports errors past --max-error-rate, says what it saw, and ends with exit 1', async () => {
    const world = await setUp();
    emit(world, '2', 30_000, 20, 0);
    emit(world, '1', 30_000, 180, 0);
    emit(world, '2', 90_000, 20, 3);
    const result = await deploy(
      { canary: 10, for: 10 * 60_000, maxErrorRate: 5 },
      testContext(world.cwd),
      world.deps({ readCode: bundle2 }),
    );

    expect(aliasCalls(world)).toEqual([
      ['1', { 2: 0.1 }],
      ['1', {}],
    ]);
    expect(result.canary).toMatchObject({
      outcome: 'rolled-back',
      reason: 'version 2 failed 3 of 40 invocations (7.5%, above 5%); version 1 failed 0 of 180',
    });
    expect(result.canary?.checks).toHaveLength(2);
    expect(result).toMatchObject({ version: '1' });
    expect(result.replacedVersion).toBeUndefined();
    expect(renderDeploy(result, plain)).toBe(
      'Rolled back the canary of version 2: version 2 failed 3 of 40 invocations (7.5%, above 5%); version 1 failed 0 of 180. live runs version 1 alone.',
    );
    expect(() => checkDeploy(result)).toThrow(
      new CheckFailedError(
        'the canary of version 2 was rolled back: version 2 failed 3 of 40 invocations (7.5%, above 5%); version 1 failed 0 of 180',
      ),
    );
    expect(world.fake.functions.get('productFunction')?.aliases?.get('live')).toMatchObject({
      version: '1',
      weights: {},
    });
  });

  it('with the default limit, rolls back on one error in a hundred and one', async () => {
    const world = await setUp();
    emit(world, '2', 30_000, 101, 2);
    const result = await deploy(
      { canary: 50, for: 3 * 60_000 },
      testContext(world.cwd),
      world.deps({ readCode: bundle2 }),
    );
    expect(result.canary).toMatchObject({ outcome: 'rolled-back', maxErrorRate: 0.01 });
  });

  it('rolls back on Ctrl-C or SIGTERM during the canary, and says so', async () => {
    const world = await setUp();
    const abort = new AbortController();
    const ctx = { ...testContext(world.cwd, { signal: abort.signal }), emit: () => abort.abort() };
    const result = await deploy({ canary: 10, for: 5 * 60_000 }, ctx, world.deps({ readCode: bundle2 }));
    expect(result.canary).toMatchObject({ outcome: 'interrupted' });
    expect(aliasCalls(world)).toEqual([
      ['1', { 2: 0.1 }],
      ['1', {}],
    ]);
    expect(renderDeploy(result, plain)).toBe('Stopped: took out the canary of version 2; live runs version 1 alone.');
    expect(() => checkDeploy(result)).toThrow(
      new AppError('deploy was stopped during the canary of version 2; live runs version 1 alone', EXIT.interrupted),
    );
  });

  it('rolls back when CloudWatch cannot be read during the canary, and says why', async () => {
    const world = await setUp();
    world.fake.denied.add('cloudwatch:GetMetricData');
    await expect(
      deploy({ canary: 10, for: 5 * 60_000 }, testContext(world.cwd), world.deps({ readCode: bundle2 })),
    ).rejects.toThrow(
      /^the canary of version 2 stopped \(AWS denied cloudwatch:GetMetricData: .*\); live runs version 1 alone again$/,
    );
    expect(world.fake.functions.get('productFunction')?.aliases?.get('live')).toMatchObject({
      version: '1',
      weights: {},
    });
  });

  it('a canary a killed deploy left is taken out by the next deploy, and by rollback, each saying what it found', async () => {
    const world = await setUp();
    await deploy({}, testContext(world.cwd), world.deps({ readCode: bundle2 }));
    await rollback({}, testContext(world.cwd), world.deps());
    // What a deploy killed with SIGKILL during its canary leaves: live on 1, a tenth of the requests on 2.
    world.fake.lambda.UpdateAlias({
      FunctionName: 'productFunction',
      Name: 'live',
      RoutingConfig: { AdditionalVersionWeights: { 2: 0.1 } },
    });
    const next = await deploy(
      {},
      testContext(world.cwd),
      world.deps({ readCode: async () => new TextEncoder().encode('PK bundle 3') }),
    );
    expect(next).toMatchObject({ foundCanary: { version: '2', weight: 0.1 }, version: '3', replacedVersion: '1' });
    expect(renderDeploy(next, plain)).toMatch(
      /^Took out the canary of version 2 \(10%\) an earlier deploy left on live\.\nDeployed productFunction/,
    );
    expect(world.fake.functions.get('productFunction')?.aliases?.get('live')).toMatchObject({
      version: '3',
      weights: {},
    });
  });

  it('refuses --for or --max-error-rate without --canary', async () => {
    const world = await setUp();
    await expect(deploy({ for: 60_000 }, testContext(world.cwd), world.deps())).rejects.toThrow(
      '--for and --max-error-rate go with --canary PERCENT',
    );
  });
});
