// What a caller allowed only what it needs meets: answers that differ when a permission is missing, and
// AWS's eventual consistency read right.
import { describe, expect, it } from 'vitest';
import { deploy } from '../../src/commands/deploy.js';
import { logs } from '../../src/commands/logs/index.js';
import { setupAws } from '../../src/commands/setup/aws.js';
import { statusAws } from '../../src/commands/status/aws.js';
import { teardownAws } from '../../src/commands/teardown/aws.js';
import { translateAwsError } from '../../src/aws/errors.js';
import { renderStatus } from '../../src/commands/status/index.js';
import { plainStyle } from '../../src/output/style.js';
import { fakeWorld, mutatingCalls, testContext } from '../aws/fake/harness.js';

const noVerify = { verify: false } as const;

describe('GetFunction without lambda:ListTags (TagsError in place of Tags)', () => {
  it('reads the tags with ListTags when GetFunction hides them, so a rerun finds its own function', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    world.fake.hiddenFunctionTags = true;
    const before = world.fake.calls.length;
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    expect(world.fake.calls.slice(before).filter((c) => c.op === 'ListTags' && !c.error).length).toBeGreaterThan(0);
    const seen = await statusAws(noVerify, testContext(world.cwd), world.deps());
    expect(seen.resources.find((r) => r.resource === 'function')?.outcome).toBe('present');
  });

  it('names lambda:ListTags when it is denied, in setup and deploy, rather than calling the function foreign', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    world.fake.denied.add('lambda:ListTags');
    const setupError = await setupAws(noVerify, testContext(world.cwd), world.deps()).then(
      () => new Error('setup passed'),
      (e: unknown) => e as Error,
    );
    expect(setupError.message).toMatch(/AWS denied lambda:ListTags/);
    expect(setupError.message).not.toMatch(/not this stack's/);
    const deployError = await deploy(
      {},
      testContext(world.cwd),
      world.deps({ readCode: async () => new TextEncoder().encode('PK v2') }),
    ).then(
      () => new Error('deploy passed'),
      (e: unknown) => e as Error,
    );
    expect(deployError.message).toMatch(/AWS denied lambda:ListTags/);
  });

  it('teardown never deletes the role of a function it keeps', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    world.fake.denied.add('lambda:ListTags');
    await teardownAws({ yes: true }, testContext(world.cwd), world.deps()).catch(() => undefined);
    expect(world.fake.functions.has('productFunction')).toBe(true);
    expect(world.fake.roles.has('productFunctionRole')).toBe(true);
  });

  it('keeps the role when the function is not this stack’s', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const fn = world.fake.functions.get('productFunction');
    if (fn) fn.tags = {};
    const result = await teardownAws({ yes: true }, testContext(world.cwd), world.deps());
    expect(result.steps.find((s) => s.resource === 'function')?.outcome).toBe('kept');
    expect(result.steps.find((s) => s.resource === 'role')).toMatchObject({
      outcome: 'kept',
      detail: 'function productFunction is kept and runs as this role',
    });
    expect(world.fake.roles.has('productFunctionRole')).toBe(true);
  });
});

describe('DynamoDB tags are eventually consistent', () => {
  /** A first setup that dies right after creating the table, while its tags still read empty. */
  async function crashedAfterTable(): Promise<ReturnType<typeof fakeWorld>> {
    // The steps start together, so the table's create is found by a first run, not assumed to come first.
    const probe = fakeWorld({ tableTagsVisibleMs: 4_000 });
    await setupAws(noVerify, testContext(probe.cwd), probe.deps());
    const createTable = mutatingCalls(probe.fake).indexOf('dynamodb:CreateTable') + 1;
    expect(createTable).toBeGreaterThan(0);
    const world = fakeWorld({ tableTagsVisibleMs: 4_000 });
    world.fake.crashAfterMutations(createTable);
    await setupAws(noVerify, testContext(world.cwd), world.deps()).catch(() => undefined);
    world.fake.crashAfterMutations(undefined);
    expect(world.fake.tables.has('product')).toBe(true);
    return world;
  }

  it('a rerun right after a failed first run takes its own new table for its own', async () => {
    const world = await crashedAfterTable();
    const result = await setupAws(noVerify, testContext(world.cwd), world.deps());
    const table = result.steps.find((s) => s.resource === 'table');
    expect(table?.outcome).not.toBe('created');
    expect(table?.detail ?? '').not.toMatch(/tags/);
    expect(world.fake.callsOf('TagResource').filter((c) => c.service === 'dynamodb')).toEqual([]);
  });

  it('status right after does not call the new table drifted', async () => {
    const world = await crashedAfterTable();
    const seen = await statusAws(noVerify, testContext(world.cwd), world.deps());
    expect(seen.resources.find((r) => r.resource === 'table')?.detail ?? '').not.toMatch(/not tagged/);
  });

  it('a quick teardown deletes the new table rather than keeping it', async () => {
    const world = await crashedAfterTable();
    const result = await teardownAws({ yes: true }, testContext(world.cwd), world.deps());
    expect(result.steps.find((s) => s.resource === 'table')?.outcome).toBe('removed');
  });
});

describe('creating with tags needs the service tag permission', () => {
  it.each([
    ['logs:TagResource', /AWS denied logs:TagResource \(for logs:CreateLogGroup\)/],
    ['lambda:TagResource', /AWS denied lambda:TagResource \(for lambda:CreateFunction\)/],
    ['iam:TagRole', /AWS denied iam:TagRole \(for iam:CreateRole\)/],
    ['dynamodb:TagResource', /AWS denied dynamodb:TagResource \(for dynamodb:CreateTable\)/],
  ])('without %s, setup names that action', async (action, message) => {
    const world = fakeWorld();
    world.fake.denied.add(action);
    const error = await setupAws(noVerify, testContext(world.cwd), world.deps()).then(
      () => new Error('setup passed'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toMatch(message);
  });

  it('says a create needs the tag permission too when AWS names only the create', () => {
    const error = Object.assign(
      new Error('User: arn:aws:iam::1:user/x is not authorized to perform: logs:CreateLogGroup'),
      { name: 'AccessDeniedException', $metadata: {} },
    );
    expect((translateAwsError(error, 'logs:CreateLogGroup') as Error).message).toMatch(
      /it creates with tags, which also needs logs:TagResource$/,
    );
  });
});

describe('credentials and regions', () => {
  it("keeps the SSO provider's message, which says to run aws sso login", async () => {
    const world = fakeWorld();
    const sso =
      'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.';
    world.fake.intercept = (call) =>
      call.op === 'GetCallerIdentity' ? Object.assign(new Error(sso), { name: 'CredentialsProviderError' }) : undefined;
    const error = await setupAws(noVerify, testContext(world.cwd), world.deps()).then(
      () => new Error('setup passed'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toMatch(/aws sso login/);
    expect(error.message).not.toMatch(/no AWS credentials found/);
  });

  it.each(['InvalidClientTokenId', 'UnrecognizedClientException'])(
    'reads %s in an opt-in region as a region not enabled',
    async (name) => {
      const world = fakeWorld();
      world.fake.intercept = (call) =>
        call.op === 'GetCallerIdentity'
          ? Object.assign(new Error('The security token included in the request is invalid.'), {
              name,
              $metadata: { httpStatusCode: 403 },
            })
          : undefined;
      const error = await setupAws(
        { ...noVerify, region: 'ap-southeast-5' },
        testContext(world.cwd),
        world.deps(),
      ).then(
        () => new Error('setup passed'),
        (e: unknown) => e as Error,
      );
      expect(error.message).toMatch(/ap-southeast-5, a region each account must enable first/);
      const elsewhere = await setupAws({ ...noVerify, region: 'eu-west-1' }, testContext(world.cwd), world.deps()).then(
        () => new Error('setup passed'),
        (e: unknown) => e as Error,
      );
      expect(elsewhere.message).toMatch(/AWS rejected the credentials/);
    },
  );
});

describe('a failed function update', () => {
  it('does not block the next update: setup and deploy both repair it', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const fn = world.fake.functions.get('productFunction');
    if (!fn) throw new Error('no function');
    fn.lastUpdateFailed = 'The function could not be updated (EniLimitExceeded)';
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const result = await setupAws({ ...noVerify, memory: 512 }, testContext(world.cwd), world.deps());
    expect(result.steps.find((s) => s.resource === 'function')?.outcome).toBe('updated');
    fn.lastUpdateFailed = 'The function could not be updated (EniLimitExceeded)';
    const deployed = await deploy(
      {},
      testContext(world.cwd),
      world.deps({ readCode: async () => new TextEncoder().encode('PK v2') }),
    );
    expect(deployed.uploaded).toBe(true);
  });
});

describe('a role under a path', () => {
  it('is not drifted after --adopt: the expected ARN carries its /service-role/ path', async () => {
    const world = fakeWorld();
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    await world.fake.handle('iam', 'CreateRole', {
      RoleName: 'productFunctionRole',
      Path: '/service-role/',
      AssumeRolePolicyDocument: trust,
    });
    await setupAws({ ...noVerify, adopt: true }, testContext(world.cwd), world.deps());
    expect(world.fake.functions.get('productFunction')?.config.Role).toBe(
      'arn:aws:iam::123456789012:role/service-role/productFunctionRole',
    );
    const seen = await statusAws(noVerify, testContext(world.cwd), world.deps());
    expect(seen.resources.find((r) => r.resource === 'function')).toMatchObject({ outcome: 'present' });
  });
});

describe('logs --follow under the FilterLogEvents quota', () => {
  it('reads the two-minute window again only once in ten polls, and slows down when throttled instead of ending', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const group = '/aws/lambda/productFunction';
    let throttled = 0;
    world.fake.intercept = (call) => {
      if (call.op !== 'FilterLogEvents' || throttled >= 3 || world.fake.callsOf('FilterLogEvents').length < 2)
        return undefined;
      throttled += 1;
      return Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      });
    };
    const from = world.fake.calls.length;
    const abort = new AbortController();
    const seen: string[] = [];
    const ctx = testContext(world.cwd, { signal: abort.signal });
    const following = logs({ follow: true }, ctx, (e) => seen.push(e.message), world.deps());
    // Loading the SDK takes real time; the virtual clock must not run ahead of the first poll.
    while (!world.fake.calls.slice(from).some((c) => c.op === 'FilterLogEvents'))
      await new Promise((resolve) => setTimeout(resolve, 5));
    const firstPoll = world.clock.now();
    world.fake.putLogEvent(group, 'after the throttling', firstPoll + 30_000, 0);
    while (world.clock.now() - firstPoll < 80_000) await world.clock.sleep(1_000);
    abort.abort();
    await following;
    expect(throttled).toBe(3);
    expect(seen).toEqual(['after the throttling']);
    expect(ctx.stderr.text()).toMatch(/CloudWatch Logs is throttling FilterLogEvents/);
    const polls = world.fake.calls.slice(from).filter((c) => c.op === 'FilterLogEvents');
    const attempts = polls
      .map((c, i) => ({ c, next: polls[i + 1] }))
      .filter(({ c }) => c.error === 'ThrottlingException');
    const gaps = attempts.filter(({ next }) => next).map(({ c, next }) => (next?.startedAt ?? 0) - c.at);
    expect(gaps).toEqual([...gaps].sort((a, b) => a - b));
    expect(gaps.at(-1)).toBeGreaterThan(gaps[0] ?? 0);
    const wide = polls.slice(1).filter((c) => c.startedAt - Number(c.input.startTime) > 60_000);
    expect(wide.length).toBeLessThanOrEqual(Math.ceil(polls.length / 10) + 1);
  });
});

describe("status's live check", () => {
  it('signs its read when the stack has --private-reads, as the API then demands', async () => {
    const world = fakeWorld();
    await setupAws(
      { ...noVerify, auth: 'iam', privateReads: true } as Parameters<typeof setupAws>[0],
      testContext(world.cwd),
      world.deps(),
    );
    // API Gateway answers an unsigned request to an AWS_IAM method 403 Missing Authentication Token.
    const gateway = (async (_url: string, init?: RequestInit) => {
      const signed = Object.keys((init?.headers ?? {}) as Record<string, string>).some(
        (h) => h.toLowerCase() === 'authorization',
      );
      return signed
        ? new Response('{"items":[],"nextCursor":null}', {
            status: 200,
            headers: { 'content-type': 'application/json' },
          })
        : new Response('{"message":"Missing Authentication Token"}', { status: 403 });
    }) as typeof fetch;
    const seen = await statusAws({}, testContext(world.cwd), world.deps({ fetch: gateway }));
    expect(seen.verify?.ok).toBe(true);
  });
});

describe('Lambda concurrency below the stage throttle', () => {
  it('setup warns with the numbers and status shows them', async () => {
    const world = fakeWorld();
    world.fake.lambdaConcurrency = 10;
    const ctx = testContext(world.cwd);
    await setupAws(noVerify, ctx, world.deps());
    expect(ctx.stderr.text()).toMatch(
      /warning: the account's Lambda concurrency \(10 unreserved of 10\) is below the stage's burst limit 200/,
    );
    const seen = await statusAws(noVerify, testContext(world.cwd), world.deps());
    expect(seen.concurrency).toMatchObject({ accountLimit: 10, unreserved: 10, burstLimit: 200 });
    expect(renderStatus(seen, plainStyle)).toMatch(
      /Lambda concurrency: the account's Lambda concurrency \(10 unreserved of 10\)/,
    );
  });

  it('says nothing alarming when the account can run what the stage sends', async () => {
    const world = fakeWorld();
    const ctx = testContext(world.cwd);
    await setupAws(noVerify, ctx, world.deps());
    expect(ctx.stderr.text()).not.toMatch(/Lambda concurrency/);
    const seen = await statusAws(noVerify, testContext(world.cwd), world.deps());
    expect(seen.concurrency?.warning).toBeUndefined();
  });
});

describe("an organisation's rules for the function's role", () => {
  const boundary = 'arn:aws:iam::123456789012:policy/DeveloperBoundary';

  it('--role-path and --permissions-boundary make the role so, and a rerun and status accept it', async () => {
    const world = fakeWorld();
    await setupAws(
      { ...noVerify, rolePath: '/service-role/', permissionsBoundary: boundary },
      testContext(world.cwd),
      world.deps(),
    );
    const role = (await world.fake.handle('iam', 'GetRole', { RoleName: 'productFunctionRole' })).Role;
    expect(role).toMatchObject({
      Path: '/service-role/',
      Arn: 'arn:aws:iam::123456789012:role/service-role/productFunctionRole',
      PermissionsBoundary: { PermissionsBoundaryArn: boundary },
    });
    expect(world.fake.functions.get('productFunction')?.config.Role).toBe(role?.Arn);
    const before = world.fake.calls.length;
    const rerun = await setupAws(
      { ...noVerify, rolePath: '/service-role/', permissionsBoundary: boundary },
      testContext(world.cwd),
      world.deps(),
    );
    expect(rerun.steps.filter((s) => s.outcome !== 'unchanged')).toEqual([]);
    expect(world.fake.calls.slice(before).filter((c) => !/^(Get|Describe|List|Filter|Scan)/.test(c.op))).toEqual([]);
    const seen = await statusAws(noVerify, testContext(world.cwd), world.deps());
    expect(seen.overall).toBe('present');
  });

  it('puts the boundary on a role made without it', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const result = await setupAws({ ...noVerify, permissionsBoundary: boundary }, testContext(world.cwd), world.deps());
    expect(result.steps.find((s) => s.resource === 'role')).toMatchObject({
      outcome: 'updated',
      detail: 'updated permissions boundary',
    });
  });
});
