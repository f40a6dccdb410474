// setup → rerun → status → deploy → teardown against moto's server mode, through the real SDK clients over HTTP.
// moto has no data plane, so setup runs with --no-verify; each resource is then checked with describe calls.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetResourcesCommand, GetRestApisCommand, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetAliasCommand, GetFunctionCommand, GetPolicyCommand } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { deploy } from '../../src/commands/deploy.js';
import { rollback } from '../../src/commands/rollback.js';
import { listFunctionVersions } from '../../src/commands/versions.js';
import { setupAws } from '../../src/commands/setup/aws.js';
import { statusAws } from '../../src/commands/status/aws.js';
import { teardownAws } from '../../src/commands/teardown/aws.js';
import { HANDLER_ZIP } from '../../src/provision/session.js';
import { codeSha256 } from '../../src/provision/version-description.js';
import { readState } from '../../src/state/state-file.js';
import { testContext } from '../aws/fake/harness.js';
import { motoAvailable, useEmulator, type Emulator } from './moto-server.js';
import { statementId } from '../../src/stack/stage-name.js';
import { invokeSources } from '../../src/provision/description.js';
import { ROUTES } from '../../src/contract/routes.js';

const REGION = 'us-east-1';
let emulator: Emulator;
let clients: AwsClients;
const cwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-'));
// The real bundle when it is built; otherwise a small valid zip (moto stores the code without running it).
const bundle = existsSync(HANDLER_ZIP)
  ? new Uint8Array(readFileSync(HANDLER_ZIP))
  : zipSync({ 'index.mjs': new TextEncoder().encode('export const handler = async () => ({ statusCode: 200 });') });
const code = async () => bundle;

const target = () => ({ region: REGION, endpointUrl: emulator.url });

describe.runIf(motoAvailable)('the AWS stack against moto', () => {
  useEmulator(REGION, (started, made) => {
    emulator = started;
    clients = made;
  });

  it('sets up every resource as described, converges on a rerun, and tears down to nothing', async () => {
    // Act
    const result = await setupAws({ ...target(), verify: false }, testContext(cwd), { readCode: code });

    // Assess: each resource, read back with describe calls
    const table = (await clients.dynamodb.send(new DescribeTableCommand({ TableName: 'product' }))).Table;
    expect(table).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    });
    const role = (await clients.iam.send(new GetRoleCommand({ RoleName: 'productFunctionRole' }))).Role;
    expect(JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? ''))).toMatchObject({
      Statement: [{ Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const policy = await clients.iam.send(
      new GetRolePolicyCommand({ RoleName: 'productFunctionRole', PolicyName: 'productFunctionPolicy' }),
    );
    const document = JSON.parse(decodeURIComponent(policy.PolicyDocument ?? '')) as {
      Statement: Array<{ Resource: string }>;
    };
    expect(document.Statement.map((s) => s.Resource)).toEqual([
      `arn:aws:dynamodb:${REGION}:${result.accountId}:table/product`,
      `arn:aws:logs:${REGION}:${result.accountId}:log-group:/aws/lambda/productFunction:*`,
    ]);
    const fn = await clients.lambda.send(new GetFunctionCommand({ FunctionName: 'productFunction' }));
    expect(fn.Configuration).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      Environment: { Variables: { TABLE_NAME: 'product' } },
    });
    expect(fn.Tags).toMatchObject({ 'products-cli:stack': 'default' });
    const groups = (
      await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/productFunction' }))
    ).logGroups;
    expect(groups).toMatchObject([{ logGroupName: '/aws/lambda/productFunction', retentionInDays: 14 }]);
    const apis = (await clients.apigateway.send(new GetRestApisCommand({}))).items?.filter(
      (a) => a.name === 'productApi',
    );
    expect(apis).toHaveLength(1);
    const apiId = apis?.[0]?.id as string;
    expect(result.apiId).toBe(apiId);
    const resources =
      (await clients.apigateway.send(new GetResourcesCommand({ restApiId: apiId, embed: ['methods'] }))).items ?? [];
    const methods = resources.flatMap((r) => Object.keys(r.resourceMethods ?? {}).map((m) => `${m} ${r.path}`)).sort();
    expect(methods).toEqual(ROUTES.flatMap((r) => r.methods.map((m) => `${m} ${r.resource}`)).sort());
    await expect(
      clients.apigateway.send(new GetStageCommand({ restApiId: apiId, stageName: 'prod' })),
    ).resolves.toMatchObject({ stageName: 'prod' });
    const statements = (
      JSON.parse(
        (await clients.lambda.send(new GetPolicyCommand({ FunctionName: 'productFunction' }))).Policy ?? '{}',
      ) as { Statement: Array<{ Sid: string; Resource: string }> }
    ).Statement;
    // moto keeps an alias's statements in the function's one policy; their Resource is the alias.
    expect(statements.every((s) => s.Resource.endsWith(':productFunction:live'))).toBe(true);
    expect(
      await clients.lambda.send(new GetAliasCommand({ FunctionName: 'productFunction', Name: 'live' })),
    ).toMatchObject({ FunctionVersion: '1' });
    expect(statements.map((s) => s.Sid).sort()).toEqual(
      invokeSources('prod')
        .map((s) => statementId(s.stage, s.resource))
        .sort(),
    );
    expect((await readState(cwd)).aws?.url).toBe(`${emulator.url}/restapis/${apiId}/prod/_user_request_`);

    // Act: rerun, status, deploy
    const rerun = await setupAws({ ...target(), verify: false }, testContext(cwd), { readCode: code });
    const seen = await statusAws({ ...target(), verify: false }, testContext(cwd), { readCode: code });
    const deployed = await deploy(target(), testContext(cwd), { readCode: code });

    // Assess
    expect(rerun.steps.filter((s) => s.outcome !== 'unchanged')).toEqual([]);
    expect(seen.resources.filter((r) => r.outcome !== 'present')).toEqual([]);
    expect(deployed.uploaded).toBe(false);

    // Act: teardown
    const down = await teardownAws({ ...target(), yes: true }, testContext(cwd), {});

    // Assess: nothing is left
    expect(down.kept).toEqual([]);
    await expect(clients.dynamodb.send(new DescribeTableCommand({ TableName: 'product' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(clients.iam.send(new GetRoleCommand({ RoleName: 'productFunctionRole' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
    await expect(
      clients.lambda.send(new GetFunctionCommand({ FunctionName: 'productFunction' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(
      (await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/productFunction' })))
        .logGroups,
    ).toEqual([]);
    expect(
      (await clients.apigateway.send(new GetRestApisCommand({}))).items?.filter((a) => a.name === 'productApi'),
    ).toEqual([]);
    expect((await readState(cwd)).aws).toBeUndefined();
  });

  it('deploys a changed bundle, then finds nothing to deploy', async () => {
    const stackCwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-'));
    await setupAws({ ...target(), stack: 'deploy', verify: false }, testContext(stackCwd), { readCode: code });
    const changed = zipSync({
      'index.mjs': new TextEncoder().encode('export const handler = async () => ({ statusCode: 204 });'),
    });
    const first = await deploy({ ...target(), stack: 'deploy' }, testContext(stackCwd), {
      readCode: async () => changed,
    });
    const second = await deploy({ ...target(), stack: 'deploy' }, testContext(stackCwd), {
      readCode: async () => changed,
    });
    expect(first.uploaded).toBe(true);
    expect(second.uploaded).toBe(false);
    expect(
      (await clients.lambda.send(new GetFunctionCommand({ FunctionName: 'deploy-productFunction' }))).Configuration
        ?.CodeSha256,
    ).toBe(first.sha256);
    await teardownAws({ ...target(), stack: 'deploy', yes: true }, testContext(stackCwd), {});
  });

  it('setup, deploy, versions, rollback and teardown: live moves to the new version and back, and goes with the function', async () => {
    // Prepare
    const stackCwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-'));
    const where = { ...target(), stack: 'roll' };
    await setupAws({ ...where, verify: false }, testContext(stackCwd), { readCode: code });
    const changed = zipSync({
      'index.mjs': new TextEncoder().encode('export const handler = async () => ({ statusCode: 202 });'),
    });
    const liveVersion = async () =>
      (await clients.lambda.send(new GetAliasCommand({ FunctionName: 'roll-productFunction', Name: 'live' })))
        .FunctionVersion;

    // Act and assess: deploy publishes and moves live; rollback moves it back without an upload
    const deployed = await deploy(where, testContext(stackCwd), { readCode: async () => changed });
    expect(deployed).toMatchObject({ uploaded: true, version: '2', replacedVersion: '1' });
    expect(await liveVersion()).toBe('2');
    const listed = await listFunctionVersions(where, testContext(stackCwd), {});
    expect(listed.versions.map((v) => [v.version, v.codeSha256, v.live])).toEqual([
      ['1', codeSha256(await code()), false],
      ['2', deployed.sha256, true],
    ]);
    const back = await rollback(where, testContext(stackCwd), {});
    expect(back).toMatchObject({ version: '1', replacedVersion: '2', moved: true });
    expect(await liveVersion()).toBe('1');
    expect(
      (await clients.lambda.send(new GetFunctionCommand({ FunctionName: 'roll-productFunction' }))).Configuration
        ?.CodeSha256,
    ).toBe(deployed.sha256);
    await expect(rollback({ ...where, to: 7 }, testContext(stackCwd), {})).rejects.toThrow(
      'version 7 does not exist or was not published by this stack; versions it can use: 2',
    );

    // teardown takes the versions and the alias with the function
    await teardownAws({ ...where, yes: true }, testContext(stackCwd), {});
    await expect(
      clients.lambda.send(new GetFunctionCommand({ FunctionName: 'roll-productFunction', Qualifier: '1' })),
    ).rejects.toThrow(/not found/i);
    await expect(liveVersion()).rejects.toThrow(/not found|cannot find/i);
  });

  it('--api-key creates a usage plan and key that teardown removes', async () => {
    const stackCwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-'));
    await setupAws({ ...target(), stack: 'keyed', apiKey: true, verify: false }, testContext(stackCwd), {
      readCode: code,
    });
    expect((await readState(stackCwd)).aws?.apiKey).toMatch(/.{20,}/);
    const down = await teardownAws({ ...target(), stack: 'keyed', yes: true }, testContext(stackCwd), {});
    expect(down.removed).toContain('API key keyed-productApi-key');
    expect(down.kept).toEqual([]);
  });
});
