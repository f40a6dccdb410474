// setup --adopt: taking over the stack a tutorial user made by hand, keeping the table and its items.
import { describe, expect, it } from 'vitest';
import { setupAws } from '../../src/commands/setup/aws.js';
import { statusAws } from '../../src/commands/status/aws.js';
import { teardownAws } from '../../src/commands/teardown/aws.js';
import { AwsError } from '../../src/errors.js';
import { CrashError } from '../aws/fake/fake-aws.js';
import { fakeWorld, mutatingCalls, testContext } from '../aws/fake/harness.js';
import { makeTutorialStack, TUTORIAL_ITEMS } from '../aws/fake/tutorial.js';
import { ROUTES } from '../../src/contract/routes.js';

const noVerify = { verify: false } as const;
const ALL =
  'table product, role productFunctionRole, function productFunction, log group /aws/lambda/productFunction, REST API productApi';

describe('a stack made by hand', () => {
  it('without --adopt, setup refuses before any change, naming every resource and the flag', async () => {
    const world = fakeWorld();
    makeTutorialStack(world.fake);
    const before = world.fake.calls.length;
    const error = await setupAws(noVerify, testContext(world.cwd), world.deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).exitCode).toBe(6);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${ALL.replace(/[/]/g, '\\/')} \\(\\w+\\) already exist and are not this stack's .*run setup --adopt to take them over`,
      ),
    );
    expect(mutatingCalls(world.fake, before)).toEqual([]);
    expect(world.fake.apis.size).toBe(1);
  });

  it('--adopt --dry-run shows what it would take over, with read calls only', async () => {
    const world = fakeWorld();
    makeTutorialStack(world.fake);
    const before = world.fake.calls.length;
    const plan = await setupAws({ ...noVerify, adopt: true, dryRun: true }, testContext(world.cwd), world.deps());
    expect(mutatingCalls(world.fake, before)).toEqual([]);
    expect(plan.adopted?.map((f) => f.resource)).toEqual(['table', 'role', 'function', 'log group', 'REST API']);
    expect(plan.steps.filter((s) => s.action === 'adopt').map((s) => s.resource)).toEqual([
      'table',
      'role',
      'log group',
      'function',
      'REST API',
    ]);
  });

  it('--adopt tags each resource, brings it to our configuration, keeps the items, and teardown removes it all', async () => {
    // Prepare
    const world = fakeWorld();
    const { apiId } = makeTutorialStack(world.fake);
    const { fake } = world;

    // Act
    const ctx = testContext(world.cwd);
    const result = await setupAws({ ...noVerify, adopt: true }, ctx, world.deps());

    // Assess: one of each, all ours, the items untouched
    expect(ctx.stderr.text()).toMatch(/taking over table product, role productFunctionRole/);
    expect(result.apiId).toBe(apiId);
    expect(fake.apis.size).toBe(1);
    expect([...fake.tables.get('product')!.items.values()]).toEqual(TUTORIAL_ITEMS);
    expect(fake.tables.get('product')?.tags['products-cli:stack']).toBe('default');
    expect(fake.tables.get('product')?.pitr).toBe(true);
    const role = fake.roles.get('productFunctionRole')!;
    expect(role.tags['products-cli:stack']).toBe('default');
    expect(role.attached).toEqual([]);
    expect([...role.inline.keys()]).toEqual(['productFunctionPolicy']);
    const fn = fake.functions.get('productFunction')!;
    expect(fn.tags['products-cli:stack']).toBe('default');
    expect(fn.config).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Environment: { Variables: { TABLE_NAME: 'product' } },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: '/aws/lambda/productFunction' },
    });
    expect(fake.logGroups.get('/aws/lambda/productFunction')).toMatchObject({
      retention: 14,
      tags: { 'products-cli:stack': 'default' },
    });
    const api = fake.apis.get(apiId)!;
    expect(api.api.tags['products-cli:stack']).toBe('default');
    const methods = [...api.resources.values()]
      .flatMap((r) => Object.keys(r.resourceMethods ?? {}).map((m) => `${m} ${r.path}`))
      .sort();
    expect(methods).toEqual(ROUTES.flatMap((r) => r.methods.map((m) => `${m} ${r.resource}`)).sort());
    expect(api.stages.get('prod')?.methodSettings['*/*']).toEqual({
      throttlingRateLimit: 100,
      throttlingBurstLimit: 200,
    });
    expect((await statusAws(noVerify, testContext(world.cwd), world.deps())).overall).toBe('present');

    // A rerun needs no --adopt and changes nothing.
    const before = fake.calls.length;
    const rerun = await setupAws(noVerify, testContext(world.cwd), world.deps());
    expect(rerun.unchanged).toBe(true);
    expect(mutatingCalls(fake, before)).toEqual([]);

    // Teardown removes the adopted resources like any of ours.
    await teardownAws({ yes: true }, testContext(world.cwd), world.deps());
    expect(fake.summary()).toEqual([]);
  });

  it('refuses to adopt when two REST APIs share the name, changing nothing', async () => {
    const world = fakeWorld();
    makeTutorialStack(world.fake);
    world.fake.apigateway.CreateRestApi({ name: 'productApi' });
    const before = world.fake.calls.length;
    const error = await setupAws({ ...noVerify, adopt: true }, testContext(world.cwd), world.deps()).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /^setup --adopt cannot take over REST API productApi \(\w+\) \(2 REST APIs are named productApi; delete all but one\)/,
    );
    expect(mutatingCalls(world.fake, before)).toEqual([]);
  });

  it('a crash after any mutating call of --adopt, then a rerun with --adopt, converges', async () => {
    const probe = fakeWorld();
    makeTutorialStack(probe.fake);
    const start = probe.fake.mutationCount;
    await setupAws({ ...noVerify, adopt: true }, testContext(probe.cwd), probe.deps());
    const total = probe.fake.mutationCount - start;
    expect(total).toBeGreaterThan(15);
    for (let k = 1; k <= total; k += 1) {
      const world = fakeWorld({ seed: k });
      makeTutorialStack(world.fake);
      world.fake.crashAfterMutations(k);
      await expect(setupAws({ ...noVerify, adopt: true }, testContext(world.cwd), world.deps())).rejects.toBeInstanceOf(
        CrashError,
      );
      world.fake.crashAfterMutations(undefined);
      await setupAws({ ...noVerify, adopt: true }, testContext(world.cwd), world.deps());
      const seen = await statusAws(noVerify, testContext(world.cwd), world.deps());
      expect({ k, bad: seen.resources.filter((r) => r.outcome !== 'present') }).toEqual({ k, bad: [] });
      expect({ k, items: world.fake.tables.get('product')?.items.size, apis: world.fake.apis.size }).toEqual({
        k,
        items: 2,
        apis: 1,
      });
    }
  });
});
