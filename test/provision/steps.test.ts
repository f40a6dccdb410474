// Each provisioning step against aws-sdk-client-mock: the exact inputs, order constraints, and no create on a rerun.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  GetStageCommand,
  NotFoundException,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTagsOfResourceCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  InvalidParameterValueException,
  LambdaClient,
  ResourceNotFoundException as LambdaNotFound,
} from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiGatewayPacer } from '../../src/aws/apigateway-pacer.js';
import { ROUTES } from '../../src/contract/routes.js';
import { DEFAULT_WAITS, type ProvisionContext } from '../../src/provision/context.js';
import { codeSha256, ensureFunction } from '../../src/provision/function.js';
import { ensureLogGroup } from '../../src/provision/log-group.js';
import { resourceNames, stackTags } from '../../src/provision/names.js';
import { ensurePermission } from '../../src/provision/permission.js';
import { ensureRestApi } from '../../src/provision/api.js';
import { ensureStage } from '../../src/provision/stage.js';
import { ensureRole, ensureRolePolicy } from '../../src/provision/role.js';
import { DEFAULT_SETTINGS } from '../../src/provision/session.js';
import { ensureTable } from '../../src/provision/table.js';
import { FAKE_ZIP } from '../aws/fake/harness.js';
import { VirtualClock } from '../aws/fake/virtual-clock.js';

const ACCOUNT = '123456789012';
const TAGS = { 'products-cli:stack': 'default', 'products-cli:managed-by': 'products-cli' };
const meta = { $metadata: {} };

const mocks = {
  dynamodb: mockClient(DynamoDBClient),
  iam: mockClient(IAMClient),
  lambda: mockClient(LambdaClient),
  apigateway: mockClient(APIGatewayClient),
  logs: mockClient(CloudWatchLogsClient),
  sts: mockClient(STSClient),
};

function context(stack?: string): ProvisionContext & { records: Array<[string, string | undefined]>; notes: string[] } {
  const clock = new VirtualClock();
  const apigateway = new APIGatewayClient({ region: 'us-east-1' });
  const names = resourceNames(stack);
  const records: Array<[string, string | undefined]> = [];
  const notes: string[] = [];
  return {
    clients: {
      dynamodb: new DynamoDBClient({}),
      iam: new IAMClient({}),
      lambda: new LambdaClient({}),
      apigateway,
      logs: new CloudWatchLogsClient({}),
      sts: new STSClient({}),
      cloudwatch: new CloudWatchClient({}),
      sns: new SNSClient({}),
    },
    apigateway: new ApiGatewayPacer(apigateway, { clock }),
    region: 'us-east-1',
    accountId: async () => ACCOUNT,
    names,
    tags: stackTags(names),
    settings: { ...DEFAULT_SETTINGS },
    waits: DEFAULT_WAITS,
    clock,
    note: (text) => notes.push(text),
    force: false,
    code: async () => FAKE_ZIP,
    record: async (key, value) => {
      records.push([key, value]);
    },
    recorded: {},
    records,
    notes,
  };
}

beforeEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
});
afterEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
});
afterAll(() => {
  for (const mock of Object.values(mocks)) mock.restore();
});

describe('table', () => {
  it('creates an on-demand table keyed by id, tagged, and waits for ACTIVE', async () => {
    const ctx = context();
    mocks.dynamodb
      .on(DescribeTableCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not found', ...meta }))
      .resolvesOnce({ Table: { TableName: 'product', TableStatus: 'CREATING' } })
      .resolves({
        Table: {
          TableName: 'product',
          TableStatus: 'ACTIVE',
          TableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/product',
        },
      });
    mocks.dynamodb.on(CreateTableCommand).resolves({});
    const result = await ensureTable({
      dynamodb: ctx.clients.dynamodb,
      tableName: 'product',
      tags: ctx.tags,
      stack: 'default',
      clock: ctx.clock,
    });
    expect(result.outcome).toBe('created');
    expect(mocks.dynamodb.commandCalls(CreateTableCommand)[0]?.args[0].input).toEqual({
      TableName: 'product',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      Tags: [
        { Key: 'products-cli:stack', Value: 'default' },
        { Key: 'products-cli:managed-by', Value: 'products-cli' },
      ],
    });
  });

  it('leaves an ACTIVE table of ours alone, with read calls only', async () => {
    const ctx = context();
    mocks.dynamodb.on(DescribeTableCommand).resolves({
      Table: {
        TableName: 'product',
        TableStatus: 'ACTIVE',
        TableArn: 'arn:t',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      },
    });
    mocks.dynamodb
      .on(ListTagsOfResourceCommand)
      .resolves({ Tags: Object.entries(TAGS).map(([Key, Value]) => ({ Key, Value })) });
    const result = await ensureTable({
      dynamodb: ctx.clients.dynamodb,
      tableName: 'product',
      tags: ctx.tags,
      stack: 'default',
      clock: ctx.clock,
    });
    expect(result.outcome).toBe('unchanged');
    expect(mocks.dynamodb.commandCalls(CreateTableCommand)).toHaveLength(0);
  });

  it('keeps working for the local stack, which passes only a client, a name and a bound', async () => {
    const ctx = context();
    mocks.dynamodb
      .on(DescribeTableCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'x', ...meta }))
      .resolves({ Table: { TableName: 'product', TableStatus: 'ACTIVE' } });
    mocks.dynamodb.on(CreateTableCommand).resolves({});
    const result = await ensureTable({ dynamodb: ctx.clients.dynamodb, tableName: 'product', maxWaitSeconds: 30 });
    expect(result.outcome).toBe('created');
    expect(mocks.dynamodb.commandCalls(CreateTableCommand)[0]?.args[0].input.Tags).toBeUndefined();
  });
});

describe('role', () => {
  it("creates the role with Lambda's trust policy and the least-privilege inline policy", async () => {
    const ctx = context();
    mocks.iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'no', ...meta }));
    mocks.iam.on(CreateRoleCommand).resolves({
      Role: {
        RoleName: 'productFunctionRole',
        Arn: `arn:aws:iam::${ACCOUNT}:role/productFunctionRole`,
        Path: '/',
        RoleId: 'x',
        CreateDate: new Date(),
      },
    });
    mocks.iam.on(PutRolePolicyCommand).resolves({});
    const result = await ensureRole(ctx);
    expect(result).toMatchObject({ outcome: 'created', arn: `arn:aws:iam::${ACCOUNT}:role/productFunctionRole` });
    expect(mocks.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0); // a step of its own, which the function does not wait for
    expect((await ensureRolePolicy(ctx, true)).outcome).toBe('created');
    const create = mocks.iam.commandCalls(CreateRoleCommand)[0]?.args[0].input;
    expect(create?.RoleName).toBe('productFunctionRole');
    expect(JSON.parse(create?.AssumeRolePolicyDocument ?? '')).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(create?.Tags).toEqual(Object.entries(TAGS).map(([Key, Value]) => ({ Key, Value })));
    const put = mocks.iam.commandCalls(PutRolePolicyCommand)[0]?.args[0].input;
    expect(put?.PolicyName).toBe('productFunctionPolicy');
    expect(JSON.parse(put?.PolicyDocument ?? '')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ProductTableItems',
          Effect: 'Allow',
          Action: [
            'dynamodb:BatchGetItem',
            'dynamodb:BatchWriteItem',
            'dynamodb:DeleteItem',
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:Scan',
            'dynamodb:UpdateItem',
          ],
          Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/product`,
        },
        {
          Sid: 'OwnLogGroup',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/productFunction:*`,
        },
      ],
    });
    expect(ctx.records).toEqual([['roleArn', `arn:aws:iam::${ACCOUNT}:role/productFunctionRole`]]);
  });

  it('sends no write when the role and its URL-encoded policies already match', async () => {
    const ctx = context();
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    mocks.iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'productFunctionRole',
        Arn: 'arn:r',
        Path: '/',
        RoleId: 'x',
        CreateDate: new Date(),
        AssumeRolePolicyDocument: encodeURIComponent(trust),
        Tags: Object.entries(TAGS).map(([Key, Value]) => ({ Key, Value })),
      },
    });
    const { wantedPolicy } = await import('../../src/provision/role.js');
    mocks.iam.on(GetRolePolicyCommand).resolves({
      RoleName: 'r',
      PolicyName: 'p',
      PolicyDocument: encodeURIComponent(JSON.stringify(await wantedPolicy(ctx))),
    });
    mocks.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['productFunctionPolicy'] });
    mocks.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    const result = await ensureRole({ ...ctx, recorded: { roleArn: 'arn:r' } });
    expect(result.outcome).toBe('unchanged');
    expect((await ensureRolePolicy(ctx)).outcome).toBe('unchanged');
    expect(
      mocks.iam
        .calls()
        .map((c) => c.args[0].constructor.name)
        .sort(),
    ).toEqual(['GetRoleCommand', 'GetRolePolicyCommand', 'ListAttachedRolePoliciesCommand', 'ListRolePoliciesCommand']);
  });

  it("takes away the console template's policies, keeping only the inline least-privilege one", async () => {
    const ctx = context();
    const { wantedPolicy } = await import('../../src/provision/role.js');
    mocks.iam.on(GetRolePolicyCommand).resolves({
      RoleName: 'r',
      PolicyName: 'p',
      PolicyDocument: encodeURIComponent(JSON.stringify(await wantedPolicy(ctx))),
    });
    mocks.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['productFunctionPolicy', 'old-inline'] });
    mocks.iam.on(ListAttachedRolePoliciesCommand).resolves({
      AttachedPolicies: [
        {
          PolicyName: 'AWSLambdaMicroserviceExecutionRole-1a2b',
          PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/service-role/AWSLambdaMicroserviceExecutionRole-1a2b`,
        },
      ],
    });
    mocks.iam.on(DeleteRolePolicyCommand).resolves({});
    mocks.iam.on(DetachRolePolicyCommand).resolves({});
    const result = await ensureRolePolicy(ctx);
    expect(result).toMatchObject({
      outcome: 'updated',
      detail: 'removed inline policy old-inline, attached policy AWSLambdaMicroserviceExecutionRole-1a2b',
    });
    expect(mocks.iam.commandCalls(DeleteRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: 'productFunctionRole', PolicyName: 'old-inline' },
    ]);
    expect(mocks.iam.commandCalls(DetachRolePolicyCommand).map((c) => c.args[0].input.PolicyArn)).toEqual([
      `arn:aws:iam::${ACCOUNT}:policy/service-role/AWSLambdaMicroserviceExecutionRole-1a2b`,
    ]);
  });
});

describe('log group', () => {
  it('creates the function log group with our tags and a 14-day retention', async () => {
    const ctx = context();
    mocks.logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    mocks.logs.on(CreateLogGroupCommand).resolves({});
    mocks.logs.on(PutRetentionPolicyCommand).resolves({});
    expect((await ensureLogGroup(ctx)).outcome).toBe('created');
    expect(mocks.logs.commandCalls(CreateLogGroupCommand)[0]?.args[0].input).toEqual({
      logGroupName: '/aws/lambda/productFunction',
      tags: TAGS,
    });
    expect(mocks.logs.commandCalls(PutRetentionPolicyCommand)[0]?.args[0].input).toEqual({
      logGroupName: '/aws/lambda/productFunction',
      retentionInDays: 14,
    });
  });

  it('sends nothing but reads when the log group matches', async () => {
    const ctx = context();
    mocks.logs
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [{ logGroupName: '/aws/lambda/productFunction', retentionInDays: 14 }] });
    mocks.logs.on(ListTagsForResourceCommand).resolves({ tags: TAGS });
    expect((await ensureLogGroup(ctx)).outcome).toBe('unchanged');
    expect(mocks.logs.commandCalls(ListTagsForResourceCommand)[0]?.args[0].input).toEqual({
      resourceArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/productFunction`,
    });
    expect(mocks.logs.commandCalls(CreateLogGroupCommand)).toHaveLength(0);
    expect(mocks.logs.commandCalls(PutRetentionPolicyCommand)).toHaveLength(0);
  });
});

describe('function', () => {
  it('creates the function once IAM lets Lambda assume the role, then waits until Active', async () => {
    const ctx = context();
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/productFunctionRole`;
    mocks.lambda.on(GetFunctionCommand).rejects(new LambdaNotFound({ message: 'Function not found', ...meta }));
    const notYet = new InvalidParameterValueException({
      message: 'The role defined for the function cannot be assumed by Lambda.',
      ...meta,
    });
    mocks.lambda.on(CreateFunctionCommand).rejectsOnce(notYet).rejectsOnce(notYet).resolves({ State: 'Pending' });
    mocks.lambda
      .on(GetFunctionConfigurationCommand)
      .resolvesOnce({ State: 'Pending' })
      .resolves({
        State: 'Active',
        LastUpdateStatus: 'Successful',
        FunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:productFunction`,
      });
    const result = await ensureFunction(ctx, roleArn);
    expect(result.outcome).toBe('created');
    expect(mocks.lambda.commandCalls(CreateFunctionCommand)).toHaveLength(3);
    expect(ctx.notes).toEqual(['waiting for IAM to make role productFunctionRole usable by Lambda…']);
    expect(mocks.lambda.commandCalls(CreateFunctionCommand)[2]?.args[0].input).toEqual({
      FunctionName: 'productFunction',
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Role: roleArn,
      MemorySize: 256,
      Timeout: 10,
      Environment: { Variables: { TABLE_NAME: 'product' } },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: '/aws/lambda/productFunction' },
      Code: { ZipFile: FAKE_ZIP },
      Architectures: ['arm64'],
      PackageType: 'Zip',
      Description: 'Product catalogue REST API (products-cli)',
      Tags: TAGS,
    });
  });

  it('does not retry other InvalidParameterValueExceptions', async () => {
    const ctx = context();
    mocks.lambda.on(GetFunctionCommand).rejects(new LambdaNotFound({ message: 'x', ...meta }));
    mocks.lambda
      .on(CreateFunctionCommand)
      .rejects(
        new InvalidParameterValueException({ message: 'Unzipped size must be smaller than 262144000 bytes', ...meta }),
      );
    await expect(ensureFunction(ctx, 'arn:r')).rejects.toThrow(
      'lambda:CreateFunction failed: InvalidParameterValueException: Unzipped size must be smaller',
    );
    expect(mocks.lambda.commandCalls(CreateFunctionCommand)).toHaveLength(1);
  });

  it('sends no update when configuration and code match', async () => {
    const ctx = context();
    const { wantedConfiguration } = await import('../../src/provision/function.js');
    const config = {
      ...wantedConfiguration(ctx, 'arn:r'),
      Architectures: ['arm64' as const],
      CodeSha256: codeSha256(FAKE_ZIP),
      State: 'Active' as const,
      LastUpdateStatus: 'Successful' as const,
      FunctionArn: 'arn:f',
    };
    mocks.lambda.on(GetFunctionCommand).resolves({ Configuration: config, Tags: TAGS });
    mocks.lambda.on(GetFunctionConfigurationCommand).resolves(config);
    const result = await ensureFunction({ ...ctx, recorded: { functionArn: 'arn:f' } }, 'arn:r');
    expect(result.outcome).toBe('unchanged');
    expect(mocks.lambda.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'GetFunctionCommand',
      'GetFunctionConfigurationCommand',
    ]);
  });
});

describe('REST API, stage and permission', () => {
  it('creates a REGIONAL API, /product then /product/{id} and /products, a proxy method per route method, then deploys with throttling', async () => {
    const ctx = context();
    mocks.apigateway.on(GetRestApisCommand).resolves({ items: [] });
    mocks.apigateway.on(CreateRestApiCommand).resolves({ id: 'abc123', rootResourceId: 'root' });
    mocks.apigateway
      .on(CreateResourceCommand, { pathPart: 'product' })
      .resolves({ id: 'res-product', path: '/product' });
    mocks.apigateway.on(CreateResourceCommand, { pathPart: '{id}' }).resolves({ id: 'res-id', path: '/product/{id}' });
    mocks.apigateway
      .on(CreateResourceCommand, { pathPart: 'products' })
      .resolves({ id: 'res-products', path: '/products' });
    mocks.apigateway.on(PutMethodCommand).resolves({});
    mocks.apigateway.on(PutIntegrationCommand).resolves({});
    const api = await ensureRestApi(ctx);
    expect(api).toMatchObject({ outcome: 'created', apiId: 'abc123', changed: true });
    expect(mocks.apigateway.commandCalls(CreateRestApiCommand)[0]?.args[0].input).toEqual({
      name: 'productApi',
      description: 'Product catalogue REST API (products-cli)',
      endpointConfiguration: { types: ['REGIONAL'] },
      apiKeySource: 'HEADER',
      tags: TAGS,
    });
    expect(mocks.apigateway.commandCalls(GetResourcesCommand)).toHaveLength(0); // the root id came with the API
    const resources = mocks.apigateway.commandCalls(CreateResourceCommand).map((c) => c.args[0].input);
    expect(resources).toEqual([
      { restApiId: 'abc123', parentId: 'root', pathPart: 'product' },
      { restApiId: 'abc123', parentId: 'res-product', pathPart: '{id}' },
      { restApiId: 'abc123', parentId: 'root', pathPart: 'products' },
    ]);
    const methods = mocks.apigateway.commandCalls(PutMethodCommand).map((c) => c.args[0].input);
    expect(methods.map((m) => `${m.httpMethod} ${m.resourceId}`).sort()).toEqual([
      'DELETE res-id',
      'DELETE res-products',
      'GET res-id',
      'GET res-product',
      'PATCH res-id',
      'POST res-product',
      'POST res-products',
    ]);
    // IAM by default: the writes need SigV4, reads are public.
    expect(Object.fromEntries(methods.map((m) => [`${m.httpMethod} ${m.resourceId}`, m.authorizationType]))).toEqual({
      'GET res-product': 'NONE',
      'POST res-product': 'AWS_IAM',
      'GET res-id': 'NONE',
      'PATCH res-id': 'AWS_IAM',
      'DELETE res-id': 'AWS_IAM',
      'POST res-products': 'AWS_IAM',
      'DELETE res-products': 'AWS_IAM',
    });
    expect(methods.every((m) => m.apiKeyRequired === false)).toBe(true);
    const uri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:${ACCOUNT}:function:productFunction:live/invocations`;
    const integrations = mocks.apigateway.commandCalls(PutIntegrationCommand).map((c) => c.args[0].input);
    expect(integrations).toHaveLength(ROUTES.flatMap((r) => r.methods).length);
    for (const integration of integrations)
      expect(integration).toMatchObject({ restApiId: 'abc123', type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri });
    // Order: each integration after its method.
    const order = mocks.apigateway
      .calls()
      .map(
        (c) =>
          `${c.args[0].constructor.name}:${(c.args[0].input as { httpMethod?: string; resourceId?: string }).httpMethod ?? ''}:${(c.args[0].input as { resourceId?: string }).resourceId ?? ''}`,
      );
    for (const m of methods) {
      expect(order.indexOf(`PutIntegrationCommand:${m.httpMethod}:${m.resourceId}`)).toBeGreaterThan(
        order.indexOf(`PutMethodCommand:${m.httpMethod}:${m.resourceId}`),
      );
    }

    mocks.apigateway
      .on(GetStageCommand)
      .rejects(new NotFoundException({ message: 'Invalid Stage identifier specified', ...meta }));
    mocks.apigateway.on(CreateDeploymentCommand).resolves({ id: 'dep1' });
    mocks.apigateway.on(UpdateStageCommand).resolves({});
    await ensureStage(ctx, 'abc123', true);
    expect(mocks.apigateway.commandCalls(CreateDeploymentCommand)[0]?.args[0].input).toEqual({
      restApiId: 'abc123',
      stageName: 'prod',
      description: 'products-cli setup',
    });
    expect(mocks.apigateway.commandCalls(UpdateStageCommand)[0]?.args[0].input).toEqual({
      restApiId: 'abc123',
      stageName: 'prod',
      patchOperations: [
        { op: 'replace', path: '/*/*/throttling/rateLimit', value: '100' },
        { op: 'replace', path: '/*/*/throttling/burstLimit', value: '200' },
      ],
    });
  });

  it('grants API Gateway invoke on this API, stage and routes only', async () => {
    const ctx = context();
    mocks.lambda.on(GetPolicyCommand).rejects(new LambdaNotFound({ message: 'no policy', ...meta }));
    mocks.lambda.on(AddPermissionCommand).resolves({});
    expect((await ensurePermission(ctx, 'abc123')).outcome).toBe('created');
    expect(mocks.lambda.commandCalls(AddPermissionCommand).map((c) => c.args[0].input)).toEqual([
      {
        FunctionName: 'productFunction',
        Qualifier: 'live',
        StatementId: 'apigateway-prod-product',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/prod/*/product`,
      },
      {
        FunctionName: 'productFunction',
        Qualifier: 'live',
        StatementId: 'apigateway-prod-product-id',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/prod/*/product/*`,
      },
      {
        FunctionName: 'productFunction',
        Qualifier: 'live',
        StatementId: 'apigateway-prod-products',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/prod/*/products`,
      },
      {
        FunctionName: 'productFunction',
        Qualifier: 'live',
        StatementId: 'apigateway-test-invoke-stage-product',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/test-invoke-stage/*/product`,
      },
      {
        FunctionName: 'productFunction',
        Qualifier: 'live',
        StatementId: 'apigateway-test-invoke-stage-product-id',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/test-invoke-stage/*/product/*`,
      },
      {
        FunctionName: 'productFunction',
        Qualifier: 'live',
        StatementId: 'apigateway-test-invoke-stage-products',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/test-invoke-stage/*/products`,
      },
    ]);
  });

  it('adds nothing when the statements are already there', async () => {
    const ctx = context();
    const statement = (sid: string, arn: string) => ({ Sid: sid, Condition: { ArnLike: { 'AWS:SourceArn': arn } } });
    mocks.lambda.on(GetPolicyCommand).resolves({
      Policy: JSON.stringify({
        Statement: ['prod', 'test-invoke-stage'].flatMap((stage) => [
          statement(
            `apigateway-${stage}-product`,
            `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/${stage}/*/product`,
          ),
          statement(
            `apigateway-${stage}-product-id`,
            `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/${stage}/*/product/*`,
          ),
          statement(
            `apigateway-${stage}-products`,
            `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/${stage}/*/products`,
          ),
        ]),
      }),
    });
    expect((await ensurePermission(ctx, 'abc123')).outcome).toBe('unchanged');
    expect(mocks.lambda.commandCalls(AddPermissionCommand)).toHaveLength(0);
  });

  it('prefixes every name with --stack', () => {
    expect(resourceNames('dev')).toEqual({
      stack: 'dev',
      table: 'dev-product',
      role: 'dev-productFunctionRole',
      rolePolicy: 'dev-productFunctionPolicy',
      function: 'dev-productFunction',
      logGroup: '/aws/lambda/dev-productFunction',
      api: 'dev-productApi',
      stage: 'prod',
      usagePlan: 'dev-productApi-plan',
      apiKey: 'dev-productApi-key',
    });
  });
});
