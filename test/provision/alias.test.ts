// Versions and the `live` alias: setup publishes, the API invokes the alias, an old stack converges with
// every deployed route invokable at every step, and the fake refuses what Lambda refuses.
import {
  LambdaClient,
  PublishVersionCommand,
  GetFunctionConfigurationCommand,
  ResourceConflictException,
  GetAliasCommand,
  ResourceNotFoundException,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { invokeSources } from '../../src/provision/description.js';
import { ROUTES } from '../../src/contract/routes.js';
import { setupAws } from '../../src/commands/setup/aws.js';
import {
  readVersionDescription,
  versionDescription,
  versionsToPrune,
  publishVersion,
  moveLiveAlias,
} from '../../src/provision/alias.js';
import { DEFAULT_WAITS, type ProvisionContext } from '../../src/provision/context.js';
import { resourceNames, stackTags } from '../../src/provision/names.js';
import { DEFAULT_SETTINGS } from '../../src/provision/session.js';
import { PRODUCT_VERSION } from '../../src/defaults.js';
import type { FakeAws } from '../aws/fake/fake-aws.js';
import { FAKE_ZIP, fakeWorld, testContext } from '../aws/fake/harness.js';
import { VirtualClock } from '../aws/fake/virtual-clock.js';

const noVerify = { verify: false } as const;

function integrationUris(fake: FakeAws): string[] {
  const [api] = [...fake.apis.values()];
  return [...(api?.resources.values() ?? [])].flatMap((r) =>
    Object.entries(r.resourceMethods ?? {})
      .filter(([m]) => m !== 'OPTIONS')
      .map(([, def]: [string, any]) => def.methodIntegration?.uri as string),
  );
}

/** Turns a stack made by setup into one an earlier products-cli made: unqualified integrations and permission, no versions. */
function makeUnqualified(fake: FakeAws): string {
  const [api] = [...fake.apis.values()];
  const fn = fake.functions.get('productFunction');
  if (!api || !fn) throw new Error('no stack');
  for (const r of api.resources.values()) {
    for (const [m, def] of Object.entries(r.resourceMethods ?? {}) as Array<[string, any]>) {
      if (m !== 'OPTIONS' && def.methodIntegration)
        def.methodIntegration.uri = def.methodIntegration.uri.replace(':live/invocations', '/invocations');
    }
  }
  for (const [sid, st] of fake.policy('productFunction', 'live'))
    fn.statements.set(sid, { ...st, Resource: fn.config.FunctionArn });
  fn.qualifiedStatements = undefined;
  fn.aliases = undefined;
  fn.versions = undefined;
  fake.apigateway.CreateDeployment({ restApiId: api.api.id, stageName: 'prod' });
  return api.api.id as string;
}

describe('setup publishes a version and the API invokes alias live', () => {
  it('points live at version 1, integrates every route with the qualified ARN, grants invoke on the alias only', async () => {
    const world = fakeWorld();
    const result = await setupAws(noVerify, testContext(world.cwd), world.deps());
    const fn = world.fake.functions.get('productFunction');
    expect(fn?.versions?.map((v) => v.version)).toEqual(['1']);
    expect(fn?.aliases?.get('live')).toMatchObject({ version: '1', weights: {} });
    expect(readVersionDescription(fn?.versions?.[0]?.description)).toEqual({
      productVersion: PRODUCT_VERSION,
      codeSha256: fn?.config.CodeSha256,
    });
    const uris = integrationUris(world.fake);
    expect(uris).toHaveLength(ROUTES.flatMap((r) => r.methods).length);
    for (const uri of uris)
      expect(uri).toBe(
        'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:productFunction:live/invocations',
      );
    expect(world.fake.policy('productFunction', 'live').size).toBe(invokeSources('prod').length);
    expect(world.fake.policy('productFunction').size).toBe(0);
    expect(world.fake.invokeProblems(result.apiId ?? '', 'prod')).toEqual([]);
    expect(result.steps.find((s) => s.resource === 'alias')).toMatchObject({ outcome: 'created', detail: 'version 1' });
  });

  it('a configuration change of a rerun goes out as a new version; live keeps the old one until it is published', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const fn = world.fake.functions.get('productFunction');
    // While $LATEST changes, every request still runs version 1's memory.
    world.fake.intercept = (call) => {
      if (call.op === 'UpdateFunctionConfiguration') expect(fn?.aliases?.get('live')?.version).toBe('1');
      return undefined;
    };
    const second = await setupAws({ ...noVerify, memory: 512 } as never, testContext(world.cwd), world.deps());
    expect(fn?.versions?.map((v) => [v.version, v.config.MemorySize])).toEqual([
      ['1', 256],
      ['2', 512],
    ]);
    expect(fn?.aliases?.get('live')?.version).toBe('2');
    expect(second.steps.find((s) => s.resource === 'alias')).toMatchObject({
      outcome: 'updated',
      detail: 'version 1 → 2',
    });
    const third = await setupAws({ ...noVerify, memory: 512 } as never, testContext(world.cwd), world.deps());
    expect(third.unchanged).toBe(true);
    expect(fn?.versions).toHaveLength(2);
  });

  it('an old stack with unqualified integrations converges with every deployed route invokable after each call', async () => {
    // Prepare
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const apiId = makeUnqualified(world.fake);
    expect(world.fake.invokeProblems(apiId, 'prod')).toEqual([]);
    const problems: string[] = [];
    world.fake.intercept = () => {
      problems.push(...world.fake.invokeProblems(apiId, 'prod'));
      return undefined;
    };
    const from = world.fake.calls.length;

    // Act
    const result = await setupAws(noVerify, testContext(world.cwd), world.deps());

    // Assess: no moment at which a request could fail, and the order that guarantees it
    problems.push(...world.fake.invokeProblems(apiId, 'prod'));
    expect(problems).toEqual([]);
    const ops = world.fake.calls
      .slice(from)
      .filter((c) => !c.error)
      .map((c) => `${c.op}${c.input.Qualifier ? `:${c.input.Qualifier}` : ''}`);
    const first = (op: string) => ops.indexOf(op);
    const last = (op: string) => ops.lastIndexOf(op);
    expect(first('CreateAlias')).toBeGreaterThan(first('PublishVersion'));
    expect(first('AddPermission:live')).toBeGreaterThan(first('CreateAlias'));
    expect(first('PutIntegration')).toBeGreaterThan(last('AddPermission:live'));
    expect(first('CreateDeployment')).toBeGreaterThan(last('PutIntegration'));
    expect(first('RemovePermission')).toBeGreaterThan(first('CreateDeployment'));
    expect(world.fake.policy('productFunction').size).toBe(0);
    expect(integrationUris(world.fake).every((u) => u.includes(':productFunction:live/'))).toBe(true);
    expect(result.steps.find((s) => s.name.includes('(unqualified)'))).toMatchObject({ outcome: 'removed' });
  });
});

describe('Lambda versions and aliases in the fake', () => {
  it('refuses PublishVersion and UpdateAlias while an update is in progress, and publishes nothing twice', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const { fake } = world;
    const fn = fake.functions.get('productFunction');
    if (!fn) throw new Error('no function');
    expect(fake.lambda.PublishVersion({ FunctionName: 'productFunction' }).Version).toBe('1');
    fn.updateDoneAt = world.clock.now() + 1_000;
    expect(() => fake.lambda.PublishVersion({ FunctionName: 'productFunction' })).toThrow(/update is in progress/);
    expect(() =>
      fake.lambda.UpdateAlias({ FunctionName: 'productFunction', Name: 'live', FunctionVersion: '1' }),
    ).toThrow(ResourceConflictException);
    expect(() => fake.lambda.PublishVersion({ FunctionName: 'productFunction', CodeSha256: 'other' })).toThrow();
  });

  it.each([
    [{ '1': 0.1, '2': 0.1 }, /cannot be greater than 1/],
    [{ '2': 1.5 }, /less than or equal to 1/],
    [{ '9': 0.1 }, /Function not found/],
  ])('refuses routing %j', async (weights, message) => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    await setupAws({ ...noVerify, memory: 512 } as never, testContext(world.cwd), world.deps());
    expect(() =>
      world.fake.lambda.UpdateAlias({
        FunctionName: 'productFunction',
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: weights },
      }),
    ).toThrow(message);
    expect(
      world.fake.lambda.UpdateAlias({
        FunctionName: 'productFunction',
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } },
      }),
    ).toMatchObject({ RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } } });
    // A version the alias routes to cannot be deleted.
    expect(() => world.fake.lambda.DeleteFunction({ FunctionName: 'productFunction', Qualifier: '2' })).toThrow(
      /aliases reference it/,
    );
  });

  it('keeps a policy per qualifier', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const statement = {
      FunctionName: 'productFunction',
      StatementId: 's1',
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: 'arn:aws:execute-api:us-east-1:123456789012:x/*/*/product',
    };
    world.fake.lambda.AddPermission({ ...statement, Qualifier: '1' });
    expect(world.fake.policy('productFunction', '1').has('s1')).toBe(true);
    expect(world.fake.policy('productFunction', 'live').has('s1')).toBe(false);
    expect(() => world.fake.lambda.AddPermission({ ...statement, Qualifier: '7' })).toThrow(/not found/i);
  });
});

describe('publishing and moving the alias (aws-sdk-client-mock)', () => {
  function context(lambda: LambdaClient): ProvisionContext {
    const names = resourceNames();
    return {
      clients: { lambda } as never,
      apigateway: undefined as never,
      region: 'us-east-1',
      accountId: async () => '123456789012',
      names,
      tags: stackTags(names),
      settings: { ...DEFAULT_SETTINGS },
      waits: DEFAULT_WAITS,
      clock: new VirtualClock(),
      note: () => undefined,
      force: false,
      code: async () => FAKE_ZIP,
      record: async () => undefined,
      recorded: {},
    };
  }

  it('publishes with the checked CodeSha256 and its description, again after ResourceConflictException', async () => {
    const lambda = new LambdaClient({ region: 'us-east-1' });
    const mock = mockClient(lambda);
    mock
      .on(GetFunctionConfigurationCommand)
      .resolves({ State: 'Active', LastUpdateStatus: 'Successful', CodeSha256: 'abc=' });
    mock
      .on(PublishVersionCommand)
      .rejectsOnce(
        new ResourceConflictException({
          message: 'The operation cannot be performed at this time. An update is in progress for resource: x',
          $metadata: {},
        }),
      )
      .resolves({ Version: '3' });
    expect((await publishVersion(context(lambda))).Version).toBe('3');
    const calls = mock.commandCalls(PublishVersionCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input).toEqual({
      FunctionName: 'productFunction',
      CodeSha256: 'abc=',
      Description: versionDescription('abc='),
    });
  });

  it('moves live in one UpdateAlias call with the RevisionId read, and says so when another process moved it', async () => {
    const lambda = new LambdaClient({ region: 'us-east-1' });
    const mock = mockClient(lambda);
    mock.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    mock.on(UpdateAliasCommand).resolves({ FunctionVersion: '4' });
    mock.on(GetAliasCommand).rejects(new ResourceNotFoundException({ message: 'x', $metadata: {} }));
    await moveLiveAlias(context(lambda), { FunctionVersion: '3', RevisionId: 'r1' }, '4', {
      version: '5',
      weight: 0.1,
    });
    expect(mock.commandCalls(UpdateAliasCommand).map((c) => c.args[0].input)).toEqual([
      {
        FunctionName: 'productFunction',
        Name: 'live',
        FunctionVersion: '4',
        RoutingConfig: { AdditionalVersionWeights: { '5': 0.1 } },
        RevisionId: 'r1',
      },
    ]);
  });

  it('prunes the oldest of its own versions beyond the kept ones, never the live or canary one', () => {
    const v = (version: string, extra: object = {}) => ({ version, productVersion: '0.1.0', live: false, ...extra });
    const versions = [
      { version: '1', live: false },
      v('2'),
      v('3', { live: true }),
      v('4'),
      v('5', { canaryWeight: 0.1 }),
      v('6'),
      v('7'),
    ];
    expect(versionsToPrune(versions, 2)).toEqual(['2', '4']);
    expect(versionsToPrune(versions, 10)).toEqual([]);
  });
});
