// The whole setup → rerun → teardown lifecycle against the stateful fake, on a virtual clock.
import { readFileSync, statSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/contract/operations.js';
import { setupAws } from '../../src/commands/setup/aws.js';
import { teardownAws } from '../../src/commands/teardown/aws.js';
import { statusAws } from '../../src/commands/status/aws.js';
import { AwsError, EXIT, UsageError } from '../../src/errors.js';
import { readState, statePath } from '../../src/state/state-file.js';
import { CrashError } from '../aws/fake/fake-aws.js';
import { fakeWorld, mutatingCalls, testContext } from '../aws/fake/harness.js';

const noVerify = { verify: false } as const;

describe('setup → rerun → teardown on the fake', () => {
  it('creates every resource, converges with no create on a rerun, and teardown leaves nothing', async () => {
    // Prepare
    const world = fakeWorld();
    const ctx = testContext(world.cwd);

    // Act
    const first = await setupAws({}, ctx, world.deps());

    // Assess: every resource, as setup makes it
    expect(first.unchanged).toBe(false);
    expect(first.verify?.ok).toBe(true);
    const { fake } = world;
    const table = fake.tables.get('product');
    expect(table?.billing).toBe('PAY_PER_REQUEST');
    expect(table?.tags['products-cli:stack']).toBe('default');
    expect(fake.roles.get('productFunctionRole')?.inline.has('productFunctionPolicy')).toBe(true);
    expect(fake.functions.get('productFunction')?.config).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      LoggingConfig: { LogFormat: 'JSON', LogGroup: '/aws/lambda/productFunction' },
    });
    expect(fake.logGroups.get('/aws/lambda/productFunction')?.retention).toBe(14);
    const [api] = [...fake.apis.values()];
    expect(api?.stages.get('prod')?.methodSettings['*/*']).toEqual({
      throttlingRateLimit: 100,
      throttlingBurstLimit: 200,
    });
    expect(first.url).toBe(`https://${api?.api.id}.execute-api.us-east-1.amazonaws.com/prod`);
    expect(ctx.stderr.text()).toMatch(/waiting for IAM/);
    const state = await readState(world.cwd);
    expect(state.current).toBe('aws');
    expect(state.aws?.url).toBe(first.url);
    expect(state.aws?.resources).toMatchObject({
      apiId: api?.api.id,
      roleArn: 'arn:aws:iam::123456789012:role/productFunctionRole',
    });

    // Act: a rerun
    const before = fake.calls.length;
    const ctx2 = testContext(world.cwd);
    const second = await setupAws(noVerify, ctx2, world.deps());

    // Assess: reads only
    expect(mutatingCalls(fake, before)).toEqual([]);
    expect(second.unchanged).toBe(true);
    expect(second.steps.every((s) => s.outcome === 'unchanged')).toBe(true);

    // Act: teardown
    const ctx3 = testContext(world.cwd);
    const down = await teardownAws({ yes: true }, ctx3, world.deps());

    // Assess
    expect(fake.summary()).toEqual([]);
    expect(down.removed.sort()).toEqual(
      [
        'REST API productApi',
        'function productFunction',
        'log group /aws/lambda/productFunction',
        'role productFunctionRole',
        'table product',
      ].sort(),
    );
    expect(down.stateCleared).toBe(true);
    expect(existsSync(statePath(world.cwd))).toBe(false);

    // A second teardown finds nothing and succeeds.
    const again = await teardownAws({ yes: true }, testContext(world.cwd), world.deps());
    expect(again.removed).toEqual([]);
  });

  it('runs the table, role, log group and API concurrently and waits only where a dependency is', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const { fake } = world;
    const first = (op: string) => fake.calls.find((c) => c.op === op && !c.error)?.at ?? Number.NaN;
    const last = (op: string) => [...fake.calls].reverse().find((c) => c.op === op && !c.error)?.at ?? Number.NaN;
    const start = fake.calls[0]?.at ?? 0;
    // The four independent creations all start within the first half second.
    for (const op of ['CreateTable', 'CreateRole', 'CreateLogGroup', 'CreateRestApi'])
      expect(first(op) - start).toBeLessThan(500);
    // The function needs the role to be usable (7 s); the permission needs the function and the API.
    expect(first('CreateFunction')).toBeGreaterThanOrEqual(first('CreateRole') + 7_000);
    expect(first('AddPermission')).toBeGreaterThan(first('CreateFunction'));
    // The deployment comes after every integration.
    expect(first('CreateDeployment')).toBeGreaterThan(last('PutIntegration'));
    expect(first('UpdateStage')).toBeGreaterThan(first('CreateDeployment'));
    // No API Gateway call was throttled (the pacer kept within the quotas) or met a concurrent change.
    expect(fake.calls.filter((c) => c.service === 'apigateway' && c.error && c.error !== 'NotFoundException')).toEqual(
      [],
    );
  });

  it('--dry-run lists what it would create using read calls only', async () => {
    const world = fakeWorld();
    const result = await setupAws({ dryRun: true }, testContext(world.cwd), world.deps());
    expect(mutatingCalls(world.fake)).toEqual([]);
    expect(result.steps.map((s) => [s.resource, s.action])).toEqual([
      ['table', 'create'],
      ['role', 'create'],
      ['log group', 'create'],
      ['function', 'create'],
      ['alias', 'create'],
      ['REST API', 'create'],
      ['permission', 'create'],
    ]);
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const again = await setupAws({ dryRun: true }, testContext(world.cwd), world.deps());
    expect(again.unchanged).toBe(true);
  });

  it('--stack prefixes every name, and two stacks live side by side', async () => {
    const world = fakeWorld();
    await setupAws({ ...noVerify, stack: 'blue' }, testContext(world.cwd), world.deps());
    await setupAws({ ...noVerify, stack: 'green' }, testContext(world.cwd), world.deps());
    expect([...world.fake.tables.keys()].sort()).toEqual(['blue-product', 'green-product']);
    expect([...world.fake.functions.keys()].sort()).toEqual(['blue-productFunction', 'green-productFunction']);
    expect([...world.fake.logGroups.keys()].sort()).toEqual([
      '/aws/lambda/blue-productFunction',
      '/aws/lambda/green-productFunction',
    ]);
    await teardownAws({ yes: true, stack: 'blue' }, testContext(world.cwd), world.deps());
    expect(world.fake.summary().every((name) => name.includes('green'))).toBe(true);
  });
});

describe('crash and resume', () => {
  // How many mutating calls a full setup makes, measured once on a clean account.
  const countMutations = async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    return world.fake.mutationCount;
  };

  it('a crash after any mutating call, then a rerun, converges on the complete stack', async () => {
    const total = await countMutations();
    expect(total).toBeGreaterThan(15);
    for (let k = 1; k <= total; k += 1) {
      // Prepare: a setup that dies after its kth mutating call, each run with other latencies
      const world = fakeWorld({ seed: 100 + k });
      world.fake.crashAfterMutations(k);
      await expect(setupAws(noVerify, testContext(world.cwd), world.deps())).rejects.toBeInstanceOf(CrashError);
      world.fake.crashAfterMutations(undefined);

      // Act
      const rerun = await setupAws(noVerify, testContext(world.cwd), world.deps());

      // Assess: status finds everything present, and a third run changes nothing
      const seen = await statusAws({ verify: false }, testContext(world.cwd), world.deps());
      expect({ k, overall: seen.overall, resources: seen.resources.filter((r) => r.outcome !== 'present') }).toEqual({
        k,
        overall: 'present',
        resources: [],
      });
      expect(world.fake.apis.size).toBe(1);
      const before = world.fake.calls.length;
      await setupAws(noVerify, testContext(world.cwd), world.deps());
      expect({ k, calls: mutatingCalls(world.fake, before) }).toEqual({ k, calls: [] });
      expect(rerun.url).toMatch(/^https:\/\//);
    }
  });

  it('teardown after any partial setup leaves nothing, with or without the state file', async () => {
    const total = await countMutations();
    for (let k = 1; k <= total; k += 1) {
      const world = fakeWorld({ seed: 200 + k });
      world.fake.crashAfterMutations(k);
      await expect(setupAws(noVerify, testContext(world.cwd), world.deps())).rejects.toBeInstanceOf(CrashError);
      world.fake.crashAfterMutations(undefined);
      if (k % 2 === 0) rmSync(statePath(world.cwd), { force: true });
      await teardownAws({ yes: true }, testContext(world.cwd), world.deps());
      expect({ k, left: world.fake.summary() }).toEqual({ k, left: [] });
    }
  });
});

describe('eventual consistency and quotas', () => {
  it('retries CreateFunction while the role propagates, and says so once', async () => {
    const world = fakeWorld();
    const ctx = testContext(world.cwd);
    await setupAws(noVerify, ctx, world.deps());
    const attempts = world.fake.calls.filter((c) => c.op === 'CreateFunction');
    expect(attempts.length).toBeGreaterThan(3);
    expect(
      attempts
        .slice(0, -1)
        .every((c) => c.error === 'InvalidParameterValueException' || c.error === 'TooManyRequestsException'),
    ).toBe(true);
    expect(attempts.at(-1)?.error).toBeUndefined();
    expect(ctx.stderr.text().match(/waiting for IAM/g)).toHaveLength(1);
  });

  it('gives up on IAM propagation with a clear message when the bound is hit', async () => {
    const world = fakeWorld({ roleUsableMs: 10 * 60_000 });
    const error = await setupAws(noVerify, testContext(world.cwd), world.deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).message).toMatch(/Lambda still cannot assume role productFunctionRole after 1\d\d s/);
    expect((error as AwsError).exitCode).toBe(EXIT.aws);
  });

  it('honours retryAfterSeconds when DeleteRestApi is throttled (1 per 30 s per account)', async () => {
    const world = fakeWorld();
    await setupAws({ ...noVerify, stack: 'one' }, testContext(world.cwd), world.deps());
    await setupAws({ ...noVerify, stack: 'two' }, testContext(world.cwd), world.deps());
    await teardownAws({ yes: true, stack: 'one' }, testContext(world.cwd), world.deps());
    const ctx = testContext(world.cwd);
    await teardownAws({ yes: true, stack: 'two' }, ctx, world.deps());
    const deletes = world.fake.calls.filter((c) => c.op === 'DeleteRestApi');
    const throttled = deletes.filter((c) => c.error === 'TooManyRequestsException');
    const done = deletes.filter((c) => !c.error);
    expect(done).toHaveLength(2);
    expect(throttled.length).toBeGreaterThan(0);
    expect((done[1]?.at ?? 0) - (done[0]?.at ?? 0)).toBeGreaterThanOrEqual(30_000);
    expect(ctx.stderr.text()).toMatch(
      /API Gateway throttled DeleteRestApi \(an account-wide quota\); retrying in \d+ s/,
    );
    expect(world.fake.summary()).toEqual([]);
  });

  it('waits for a table still CREATING before deleting it', async () => {
    const world = fakeWorld();
    // A crash right after CreateTable leaves the table CREATING for 8 s.
    world.fake.intercept = (call) => (call.op === 'CreateRole' ? new CrashError() : undefined);
    await expect(setupAws(noVerify, testContext(world.cwd), world.deps())).rejects.toBeInstanceOf(CrashError);
    world.fake.intercept = undefined;
    await teardownAws({ yes: true }, testContext(world.cwd), world.deps());
    expect(world.fake.summary()).toEqual([]);
  });
});

describe('ownership, confirmation and backups', () => {
  it('refuses a name taken by a resource that is not ours, naming it (exit 6)', async () => {
    const world = fakeWorld();
    await world.deps().clients!.iam.send({
      input: { RoleName: 'productFunctionRole', AssumeRolePolicyDocument: '{}' },
      constructor: { name: 'CreateRoleCommand' },
    } as never);
    const error = await setupAws(noVerify, testContext(world.cwd), world.deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as Error).message).toBe(
      "role productFunctionRole already exists and is not this stack's (no products-cli:stack=default tag); run setup --adopt to take it over (setup --adopt --dry-run shows how), or pick other names with --stack NAME",
    );
    expect(mutatingCalls(world.fake).filter((c) => c !== 'iam:CreateRole')).toEqual([]);
  });

  it('teardown leaves resources without our tag alone unless --force', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const table = world.fake.tables.get('product');
    if (table) table.tags = {};
    const role = world.fake.roles.get('productFunctionRole');
    if (role) role.tags = {};
    const kept = await teardownAws({ yes: true }, testContext(world.cwd), world.deps());
    expect(kept.kept.map((k) => k.split(':')[0])).toEqual(['role productFunctionRole', 'table product']);
    expect(world.fake.summary().sort()).toEqual(['role productFunctionRole', 'table product']);
    expect(kept.stateCleared).toBe(false);
    await teardownAws({ yes: true, force: true }, testContext(world.cwd), world.deps());
    expect(world.fake.summary()).toEqual([]);
  });

  it('refuses to run without --yes when stdin is not a terminal, saying how many items would be lost', async () => {
    const world = fakeWorld();
    await setupAws({ ...noVerify, pitr: false }, testContext(world.cwd), world.deps());
    for (const id of ['1', '2', '3'])
      world.fake.dynamodb.PutItem({
        TableName: 'product',
        Item: { id: { S: id }, title: { S: `t${id}` }, price: { N: '9' } },
      });
    const error = await teardownAws({}, testContext(world.cwd), world.deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(
      /\(table product holds 3 items that will be lost\); run it again with --yes/,
    );
    expect(world.fake.tables.size).toBe(1);
  });

  it('--backup writes every item to NDJSON before deleting the table', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    for (const id of ['a', 'b', 'c', 'd', 'e'])
      world.fake.dynamodb.PutItem({
        TableName: 'product',
        Item: { id: { S: id }, title: { S: `title ${id}` }, price: { N: '1.5' } },
      });
    const file = join(world.cwd, 'backup.ndjson');
    const result = await teardownAws({ yes: true, backup: file }, testContext(world.cwd), world.deps());
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; price: number });
    expect(lines.map((l) => l.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(lines[0]).toEqual({ id: 'a', title: 'title a', price: 1.5 });
    expect(result.backup).toEqual({ file, items: 5 });
    expect(world.fake.summary()).toEqual([]);
  });

  it('--api-key adds a usage plan and key, keeps the key in a 0600 state file, and teardown removes both', async () => {
    const world = fakeWorld();
    const result = await setupAws({ ...noVerify, apiKey: true }, testContext(world.cwd), world.deps());
    const [plan] = [...world.fake.usagePlans.values()];
    const [key] = [...world.fake.apiKeys.values()];
    const [api] = [...world.fake.apis.values()];
    expect(plan?.apiStages).toEqual([{ apiId: api?.api.id, stage: 'prod' }]);
    expect([...(world.fake.planKeys.get(plan?.id ?? '') ?? [])]).toEqual([key?.id]);
    const methods = [...(api?.resources.values() ?? [])].flatMap((r) =>
      Object.values(
        (r.resourceMethods ?? {}) as Record<
          string,
          { httpMethod: string; apiKeyRequired: boolean; authorizationType: string }
        >,
      ),
    );
    expect(methods).toHaveLength(OPERATIONS.length);
    // The key guards the writes; anyone may read the catalogue (--private-reads puts GET behind it too).
    const writes = OPERATIONS.filter((op) => op.access === 'write').map((op) => op.method);
    expect(
      methods
        .filter((m) => m.apiKeyRequired)
        .map((m) => m.httpMethod)
        .sort(),
    ).toEqual(writes.sort());
    expect(methods.filter((m) => !m.apiKeyRequired).every((m) => m.httpMethod === 'GET')).toBe(true);
    expect(methods.every((m) => m.authorizationType === 'NONE')).toBe(true);
    const state = await readState(world.cwd);
    expect(state.aws?.apiKey).toBe(key?.value);
    expect(statSync(statePath(world.cwd)).mode & 0o777).toBe(0o600);
    expect(result.apiKeyStoredIn).toBe(statePath(world.cwd));
    // A rerun without --api-key turns the requirement off (and redeploys), keeping the stack consistent.
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const after = [...(api?.resources.values() ?? [])].flatMap((r) =>
      Object.values((r.resourceMethods ?? {}) as Record<string, { apiKeyRequired: boolean }>),
    );
    expect(after.every((m) => !m.apiKeyRequired)).toBe(true);
    await teardownAws({ yes: true }, testContext(world.cwd), world.deps());
    expect(world.fake.summary()).toEqual([]);
  });

  it('corrects drift: billing mode, retention, memory and stage throttling', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const { fake } = world;
    (fake.tables.get('product') as { billing: string }).billing = 'PROVISIONED';
    (fake.logGroups.get('/aws/lambda/productFunction') as { retention?: number }).retention = 3;
    (fake.functions.get('productFunction') as unknown as { config: { MemorySize: number } }).config.MemorySize = 128;
    const drifted = await statusAws({ verify: false }, testContext(world.cwd), world.deps());
    expect(drifted.overall).toBe('partial');
    expect(drifted.resources.filter((r) => r.outcome === 'drifted').map((r) => r.resource)).toEqual([
      'table',
      'log group',
      'function',
    ]);
    const fixed = await setupAws({ ...noVerify, rateLimit: 50 }, testContext(world.cwd), world.deps());
    expect(
      fixed.steps
        .filter((s) => s.outcome === 'updated')
        .map((s) => s.resource)
        .sort(),
    ).toEqual(['function', 'log group', 'stage', 'table']);
    expect(fake.tables.get('product')?.billing).toBe('PAY_PER_REQUEST');
    expect(fake.logGroups.get('/aws/lambda/productFunction')?.retention).toBe(14);
    expect(fake.functions.get('productFunction')?.config.MemorySize).toBe(256);
    expect([...fake.apis.values()][0]?.stages.get('prod')?.methodSettings['*/*']?.throttlingRateLimit).toBe(50);
  });
});

describe('more interruptions', () => {
  it('a crash after any mutating call of teardown, then another teardown, leaves nothing', async () => {
    const probe = fakeWorld();
    await setupAws({ ...noVerify, apiKey: true }, testContext(probe.cwd), probe.deps());
    const before = probe.fake.mutationCount;
    await teardownAws({ yes: true }, testContext(probe.cwd), probe.deps());
    const total = probe.fake.mutationCount - before;
    expect(total).toBeGreaterThan(8);
    for (let k = 1; k <= total; k += 1) {
      const world = fakeWorld({ seed: 300 + k });
      await setupAws({ ...noVerify, apiKey: true }, testContext(world.cwd), world.deps());
      world.fake.crashAfterMutations(k);
      await expect(teardownAws({ yes: true }, testContext(world.cwd), world.deps())).rejects.toBeInstanceOf(CrashError);
      world.fake.crashAfterMutations(undefined);
      await teardownAws({ yes: true }, testContext(world.cwd), world.deps());
      expect({ k, left: world.fake.summary() }).toEqual({ k, left: [] });
      expect(existsSync(statePath(world.cwd))).toBe(false);
    }
  });

  it('with --api-key too, a crash after any mutating call of setup, then a rerun, converges', async () => {
    const probe = fakeWorld();
    await setupAws({ ...noVerify, apiKey: true }, testContext(probe.cwd), probe.deps());
    const total = probe.fake.mutationCount;
    for (let k = 1; k <= total; k += 1) {
      const world = fakeWorld({ seed: 400 + k });
      world.fake.crashAfterMutations(k);
      await expect(
        setupAws({ ...noVerify, apiKey: true }, testContext(world.cwd), world.deps()),
      ).rejects.toBeInstanceOf(CrashError);
      world.fake.crashAfterMutations(undefined);
      await setupAws({ ...noVerify, apiKey: true }, testContext(world.cwd), world.deps());
      expect({
        k,
        plans: world.fake.usagePlans.size,
        keys: world.fake.apiKeys.size,
        apis: world.fake.apis.size,
      }).toEqual({ k, plans: 1, keys: 1, apis: 1 });
      const [plan] = [...world.fake.usagePlans.values()];
      expect(world.fake.planKeys.get(plan?.id ?? '')?.size).toBe(1);
      expect((await readState(world.cwd)).aws?.apiKey).toBe([...world.fake.apiKeys.values()][0]?.value);
    }
  });

  it('setup right after teardown waits for the old table to go, then creates a new one', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    // A teardown that stops right after DeleteTable leaves the table DELETING.
    world.fake.intercept = (call) =>
      call.op === 'DescribeTable' && world.fake.callsOf('DeleteTable').length > 0 ? new CrashError() : undefined;
    await teardownAws({ yes: true }, testContext(world.cwd), world.deps()).catch(() => undefined);
    world.fake.intercept = undefined;
    expect(world.fake.tables.get('product')?.deletedAt).toBeDefined();
    const again = await setupAws(noVerify, testContext(world.cwd), world.deps());
    expect(again.steps.find((s) => s.resource === 'table')?.outcome).toBe('created');
    expect(world.fake.tables.get('product')?.deletedAt).toBeUndefined();
  });
});
