// AWS's failure modes on first contact, each produced by the fake: conflicts, propagation, update windows.
import { ConflictException } from '@aws-sdk/client-api-gateway';
import { type AddPermissionCommandInput, ResourceConflictException } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { setupAws } from '../../src/commands/setup/aws.js';
import { statusAws } from '../../src/commands/status/aws.js';
import { AwsError } from '../../src/errors.js';
import { rolePropagationDelay } from '../../src/provision/function.js';
import { fakeWorld, testContext } from '../aws/fake/harness.js';
import { statementId } from '../../src/stack/stage-name.js';
import { invokeSources } from '../../src/provision/description.js';

const noVerify = { verify: false } as const;
const MUTATING = /^(Get|Describe|List|Filter|Scan)/;

describe('first contact', () => {
  const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
  it(`setup succeeds first time under ${seeds.length} seeds of latencies and throttling, and a rerun changes nothing`, async () => {
    for (const seed of seeds) {
      const world = fakeWorld({ seed });
      await setupAws({ ...noVerify, apiKey: seed % 4 === 0 }, testContext(world.cwd), world.deps());
      const seen = await statusAws({ ...noVerify, apiKey: seed % 4 === 0 }, testContext(world.cwd), world.deps());
      expect({ seed, bad: seen.resources.filter((r) => r.outcome !== 'present') }).toEqual({ seed, bad: [] });
      const before = world.fake.calls.length;
      await setupAws({ ...noVerify, apiKey: seed % 4 === 0 }, testContext(world.cwd), world.deps());
      expect({
        seed,
        calls: world.fake.calls
          .slice(before)
          .filter((c) => !MUTATING.test(c.op))
          .map((c) => c.op),
      }).toEqual({ seed, calls: [] });
    }
  });
});

describe('one REST API is changed one call at a time', () => {
  it.each([1, 2, 3, 4, 5])('no two changes of the API overlap, so none gets 409 (seed %i)', async (seed) => {
    const world = fakeWorld({ seed });
    await setupAws({ ...noVerify, apiKey: true }, testContext(world.cwd), world.deps());
    const changes = world.fake.calls
      .filter((c) => c.service === 'apigateway' && !MUTATING.test(c.op) && c.input.restApiId)
      .sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < changes.length; i += 1) {
      const [before, after] = [changes[i - 1], changes[i]];
      if (before?.input.restApiId === after?.input.restApiId)
        expect({ op: after?.op, startedAt: after?.startedAt }).toEqual({
          op: after?.op,
          startedAt: Math.max(after?.startedAt ?? 0, before?.at ?? 0),
        });
    }
    expect(world.fake.calls.filter((c) => c.error === 'ConflictException')).toEqual([]);
  });

  it('retries when another process is changing the same API (409 concurrent modification)', async () => {
    const world = fakeWorld();
    let refused = 0;
    world.fake.intercept = (call) => {
      if (call.op !== 'PutIntegration' || refused >= 2) return undefined;
      refused += 1;
      return new ConflictException({
        message: 'Unable to complete operation due to concurrent modification. Please try again later.',
        $metadata: { httpStatusCode: 409 },
      });
    };
    const ctx = testContext(world.cwd);
    await setupAws(noVerify, ctx, world.deps());
    expect(refused).toBe(2);
    expect(ctx.stderr.text()).toMatch(
      /API Gateway refused PutIntegration: another change to the REST API is under way; retrying in 0\.5 s/,
    );
    const seen = await statusAws(noVerify, testContext(world.cwd), world.deps());
    expect(seen.overall).toBe('present');
  });
});

describe('IAM propagation', () => {
  it('spaces the retries by elapsed time: every 0.5 s for 15 s, then longer, up to 5 s', () => {
    expect([0, 14_999, 15_000, 19_000, 25_000, 40_000, 120_000].map(rolePropagationDelay)).toEqual([
      500, 500, 500, 1_500, 3_000, 5_000, 5_000,
    ]);
  });

  it('keeps at least half a second between CreateFunction attempts when each attempt itself is slow', async () => {
    // A slow IAM and a 600 ms CreateFunction: a schedule by attempt count collapses to a few ms after 15 s.
    const world = fakeWorld({ roleUsableMs: 40_000, lambdaThrottleRate: 0 });
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const attempts = world.fake.calls.filter((c) => c.op === 'CreateFunction');
    expect(attempts.at(-1)?.error).toBeUndefined();
    const gaps = attempts.slice(1).map((c, i) => c.startedAt - (attempts[i]?.at ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
    expect(attempts.length).toBeLessThan(40);
  });

  it('waits as Lambda asks when it throttles CreateFunction meanwhile, instead of giving up', async () => {
    const world = fakeWorld({ lambdaThrottleRate: 0.6 });
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const attempts = world.fake.calls.filter((c) => c.op === 'CreateFunction');
    const throttled = attempts
      .map((c, i) => ({ c, next: attempts[i + 1] }))
      .filter(({ c }) => c.error === 'TooManyRequestsException');
    expect(throttled.length).toBeGreaterThan(0);
    // retryAfterSeconds is 1: the next attempt comes at least a second later.
    for (const { c, next } of throttled) if (next) expect(next.startedAt - c.at).toBeGreaterThanOrEqual(1_000);
    expect(world.fake.functions.has('productFunction')).toBe(true);
  });
});

describe('Lambda update windows', () => {
  it('waits for each update to finish before the next: tags, configuration, code', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const fn = world.fake.functions.get('productFunction');
    if (!fn) throw new Error('no function');
    delete fn.tags['products-cli:managed-by'];
    fn.config.MemorySize = 128;
    fn.config.CodeSha256 = 'old';
    const result = await setupAws(noVerify, testContext(world.cwd), world.deps());
    expect(result.steps.find((s) => s.resource === 'function')?.detail).toBe('updated tags, memory 128 MB, code');
    expect(world.fake.calls.filter((c) => c.error === 'ResourceConflictException')).toEqual([]);
    expect(fn.config.MemorySize).toBe(256);
  });

  it('AddPermission during an update: reads the policy again and retries until the statement is there', async () => {
    const world = fakeWorld();
    let bumped = false;
    world.fake.intercept = (call) => {
      // Another process starts an update of the function just as the permission step begins.
      const fn = world.fake.functions.get('productFunction');
      if (call.op === 'GetPolicy' && fn && !bumped) {
        bumped = true;
        fn.updateDoneAt = world.clock.now() + 1_500;
      }
      return undefined;
    };
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const adds = world.fake.calls.filter((c) => c.op === 'AddPermission');
    expect(adds.some((c) => c.error === 'ResourceConflictException')).toBe(true);
    const wanted = invokeSources('prod').map((source) => statementId(source.stage, source.resource));
    expect(wanted).toEqual(
      expect.arrayContaining(['apigateway-prod-product', 'apigateway-test-invoke-stage-product-id']),
    );
    expect([...world.fake.policy('productFunction', 'live').keys()].sort()).toEqual(wanted.sort());
  });

  it('an AddPermission whose statement a concurrent run added is done, not a failure', async () => {
    const world = fakeWorld();
    world.fake.intercept = (call) => {
      // The intercepted call is an AddPermission: its recorded input is that command's.
      const input = call.input as unknown as AddPermissionCommandInput;
      if (call.op !== 'AddPermission' || world.fake.policy('productFunction', 'live').has(input.StatementId ?? ''))
        return undefined;
      // The other run's statement lands first; ours then meets it.
      world.fake.lambda.AddPermission(input);
      return new ResourceConflictException({
        message: `The statement id (${call.input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
        $metadata: { httpStatusCode: 409 },
      });
    };
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    expect(world.fake.policy('productFunction', 'live').size).toBe(invokeSources('prod').length);
  });
});

describe('status', () => {
  it('reads an EDGE API as drifted, and setup makes it REGIONAL', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const [api] = [...world.fake.apis.values()];
    if (!api) throw new Error('no API');
    api.api.endpointConfiguration = { types: ['EDGE'] };
    const seen = await statusAws(noVerify, testContext(world.cwd), world.deps());
    expect(seen.resources.find((r) => r.resource === 'REST API')).toMatchObject({
      outcome: 'drifted',
      detail: expect.stringContaining('endpoint EDGE, not REGIONAL'),
    });
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    expect(api.api.endpointConfiguration.types).toEqual(['REGIONAL']);
    expect((await statusAws(noVerify, testContext(world.cwd), world.deps())).overall).toBe('present');
  });

  it('reads an Inactive function as present, as setup accepts it', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const fn = world.fake.functions.get('productFunction');
    if (fn) fn.inactive = true;
    const seen = await statusAws(noVerify, testContext(world.cwd), world.deps());
    expect(seen.resources.find((r) => r.resource === 'function')?.outcome).toBe('present');
  });

  it('a foreign role of our name ends setup with exit 6 naming it, with no unhandled rejection', async () => {
    // Another process makes a role of our name just after setup checked the names; the function's read
    // outlasts the role step, which fails while nobody awaits the role yet.
    const world = fakeWorld({ opMs: { GetFunction: 2_000 } });
    let reads = 0;
    world.fake.intercept = (call) => {
      // Setup reads the role once (the name check's answer serves the role step), so the other role comes just before ours.
      if (call.op === 'CreateRole' && ++reads === 1)
        world.fake.iam.CreateRole({ RoleName: 'productFunctionRole', AssumeRolePolicyDocument: '{}' });
      return undefined;
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const error = await setupAws(noVerify, testContext(world.cwd), world.deps()).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(error).toBeInstanceOf(AwsError);
      expect((error as AwsError).exitCode).toBe(6);
      expect((error as Error).message).toMatch(/IAM role named productFunctionRole/);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
