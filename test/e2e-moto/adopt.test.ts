// setup --adopt against moto, through the built CLI: the tutorial's stack made by hand with the SDK (no tags,
// tutorial-shaped items), taken over, checked with describe calls, and torn down to nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateTableCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  ScanCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';
import { motoAvailable, useEmulator, type Emulator } from './moto-server.js';
import { ROUTES } from '../../src/contract/routes.js';

const REGION = 'us-east-1';
let emulator: Emulator;
let clients: AwsClients;

const cli = (args: string[], cwd: string) =>
  runCli(args, { cwd, env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: REGION } });

/** The tutorial's console steps as SDK calls, untagged, under the names of stack `tut`. */
async function makeTutorialStack(): Promise<string> {
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: 'tut-product',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client: clients.dynamodb, maxWaitTime: 30 }, { TableName: 'tut-product' });
  await clients.dynamodb.send(
    new PutItemCommand({
      TableName: 'tut-product',
      Item: { id: { S: '1' }, title: { S: 'IPhone' }, description: { S: 'This is an IPhone' }, price: { N: '900' } },
    }),
  );
  await clients.dynamodb.send(
    new PutItemCommand({
      TableName: 'tut-product',
      Item: { id: { S: '2' }, title: { S: 'IPad' }, price: { N: '499' } },
    }),
  );
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  const role = await clients.iam.send(
    new CreateRoleCommand({ RoleName: 'tut-productFunctionRole', AssumeRolePolicyDocument: trust }),
  );
  const template = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
        Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/*',
      },
    ],
  });
  const policy = await clients.iam.send(
    new CreatePolicyCommand({
      PolicyName: 'AWSLambdaMicroserviceExecutionRole-tut',
      Path: '/service-role/',
      PolicyDocument: template,
    }),
  );
  await clients.iam.send(
    new AttachRolePolicyCommand({ RoleName: 'tut-productFunctionRole', PolicyArn: policy.Policy?.Arn }),
  );
  // arm64, as setup makes it: moto's UpdateFunctionCode does not change the architecture (AWS's does).
  const zip = zipSync({
    'index.mjs': new TextEncoder().encode('export const handler = async () => ({ statusCode: 200, body: "{}" });'),
  });
  const fn = await clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'tut-productFunction',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: role.Role?.Arn,
      Code: { ZipFile: zip },
      Architectures: ['arm64'],
    }),
  );
  await clients.logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/tut-productFunction' }));
  const api = await clients.apigateway.send(
    new CreateRestApiCommand({ name: 'tut-productApi', endpointConfiguration: { types: ['REGIONAL'] } }),
  );
  const [rootResource] = (await clients.apigateway.send(new GetResourcesCommand({ restApiId: api.id }))).items ?? [];
  const product = await clients.apigateway.send(
    new CreateResourceCommand({ restApiId: api.id, parentId: rootResource?.id, pathPart: 'product' }),
  );
  const uri = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fn.FunctionArn}/invocations`;
  for (const httpMethod of ['GET', 'POST']) {
    await clients.apigateway.send(
      new PutMethodCommand({ restApiId: api.id, resourceId: product.id, httpMethod, authorizationType: 'NONE' }),
    );
    await clients.apigateway.send(
      new PutIntegrationCommand({
        restApiId: api.id,
        resourceId: product.id,
        httpMethod,
        type: 'AWS_PROXY',
        integrationHttpMethod: 'POST',
        uri,
      }),
    );
  }
  await clients.apigateway.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod' }));
  return api.id as string;
}

describe.runIf(motoAvailable)('setup --adopt against moto', () => {
  beforeAll(() => {
    requireBuild();
  });
  useEmulator(REGION, (started, made) => {
    emulator = started;
    clients = made;
  });

  it('takes over the hand-made stack, keeps its items, and teardown leaves nothing', async () => {
    // Prepare
    const cwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-adopt-'));
    const where = ['--endpoint-url', emulator.url, '--region', REGION, '--stack', 'tut'];
    // The tutorial's open API: moto has no UpdateMethod, so the console's NONE methods stay as they are (the
    // fake's adopt test covers switching them to AWS_IAM).
    const open = ['--auth', 'none'];
    const apiId = await makeTutorialStack();

    // Without --adopt: refused before any change, the flag named.
    const refused = await cli(['setup', ...where, ...open, '--no-verify'], cwd);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(
      /table tut-product, role tut-productFunctionRole, function tut-productFunction, log group \/aws\/lambda\/tut-productFunction, REST API tut-productApi \(\w+\) already exist and are not this stack's.*run setup --adopt/,
    );
    expect(
      (await clients.apigateway.send(new GetRestApisCommand({}))).items?.filter((a) => a.name === 'tut-productApi'),
    ).toHaveLength(1);

    // --adopt --dry-run: the plan only.
    const plan = await cli(['setup', ...where, ...open, '--adopt', '--dry-run', '--json'], cwd);
    expect(plan.code).toBe(0);
    const planned = JSON.parse(plan.stdout) as { adopted: Array<{ resource: string }> };
    expect(planned.adopted.map((a) => a.resource)).toEqual(['table', 'role', 'function', 'log group', 'REST API']);

    // Act
    const adopted = await cli(['setup', ...where, ...open, '--adopt', '--no-verify'], cwd);

    // Assess
    expect(adopted.stderr).not.toMatch(/NodeVersion|warning/i);
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toMatch(
      /Took over \(now tagged as this stack's\): table tut-product, role tut-productFunctionRole/,
    );
    const items = (await clients.dynamodb.send(new ScanCommand({ TableName: 'tut-product' }))).Items ?? [];
    expect(items.map((i) => i.id?.S).sort()).toEqual(['1', '2']);
    const tableArn = `arn:aws:dynamodb:${REGION}:123456789012:table/tut-product`;
    expect((await clients.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: tableArn }))).Tags).toContainEqual(
      { Key: 'products-cli:stack', Value: 'tut' },
    );
    expect(
      (await clients.iam.send(new GetRoleCommand({ RoleName: 'tut-productFunctionRole' }))).Role?.Tags,
    ).toContainEqual({ Key: 'products-cli:stack', Value: 'tut' });
    expect(
      (await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'tut-productFunctionRole' })))
        .AttachedPolicies,
    ).toEqual([]);
    expect(
      (await clients.iam.send(new ListRolePoliciesCommand({ RoleName: 'tut-productFunctionRole' }))).PolicyNames,
    ).toEqual(['tut-productFunctionPolicy']);
    const fn = await clients.lambda.send(new GetFunctionCommand({ FunctionName: 'tut-productFunction' }));
    expect(fn.Tags?.['products-cli:stack']).toBe('tut');
    expect(fn.Configuration).toMatchObject({
      Runtime: 'nodejs24.x',
      Environment: { Variables: { TABLE_NAME: 'tut-product' } },
    });
    const [group] =
      (await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/tut-productFunction' })))
        .logGroups ?? [];
    expect(group?.retentionInDays).toBe(14);
    const resources =
      (await clients.apigateway.send(new GetResourcesCommand({ restApiId: apiId, embed: ['methods'] }))).items ?? [];
    expect(resources.flatMap((r) => Object.keys(r.resourceMethods ?? {}).map((m) => `${m} ${r.path}`)).sort()).toEqual(
      ROUTES.flatMap((r) => r.methods.map((m) => `${m} ${r.resource}`)).sort(),
    );

    const statusRun = await cli(['status', ...where, '--no-verify', '--json'], cwd);
    const seen = JSON.parse(statusRun.stdout) as {
      overall: string;
      resources: Array<{ resource: string; outcome: string; detail?: string }>;
    };
    expect(seen.resources.filter((r) => r.outcome !== 'present')).toEqual([]);
    expect(seen.overall).toBe('present');
    const rerun = await cli(['setup', ...where, ...open, '--no-verify'], cwd);
    expect(rerun.stdout).toMatch(/^Nothing to do/);

    // Teardown removes the adopted resources like any of ours.
    const down = await cli(['teardown', ...where, '--yes'], cwd);
    expect(down.code).toBe(0);
    expect((await clients.dynamodb.send(new ListTablesCommand({}))).TableNames).not.toContain('tut-product');
    expect(
      (await clients.apigateway.send(new GetRestApisCommand({}))).items?.filter((a) => a.name === 'tut-productApi'),
    ).toEqual([]);
    await expect(
      clients.lambda.send(new GetFunctionCommand({ FunctionName: 'tut-productFunction' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(clients.iam.send(new GetRoleCommand({ RoleName: 'tut-productFunctionRole' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
    expect(
      (await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/tut-productFunction' })))
        .logGroups,
    ).toEqual([]);
  }, 120_000);
});
