// The stack description: every name and setting of what setup makes, as plain data derived from the names and flags.
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/contract/routes.js';
import type { ProvisionSettings } from '../../src/provision/context.js';
import { describeStack, type StackDescription } from '../../src/provision/description.js';
import { wantedConfiguration } from '../../src/provision/function.js';
import { resourceNames, stackTags } from '../../src/provision/names.js';
import { DEFAULT_SETTINGS } from '../../src/provision/session.js';

function describeWith(settings: Partial<ProvisionSettings> = {}, stack?: string, stage?: string): StackDescription {
  const names = resourceNames(stack, stage);
  return describeStack({ names, tags: stackTags(names), settings: { ...DEFAULT_SETTINGS, ...settings } });
}

describe('describeStack', () => {
  it("gives the tutorial's resources with setup's defaults", () => {
    const stack = describeWith();
    expect(stack.stack).toBe('default');
    expect(stack.tags).toEqual({ 'products-cli:stack': 'default', 'products-cli:managed-by': 'products-cli' });
    expect(stack.table).toEqual({
      name: 'product',
      key: { name: 'id', type: 'S' },
      billingMode: 'PAY_PER_REQUEST',
      pointInTimeRecovery: true,
    });
    expect(stack.role).toEqual({
      name: 'productFunctionRole',
      description: 'Execution role of the productFunction Lambda function (products-cli)',
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      inlinePolicy: {
        name: 'productFunctionPolicy',
        grants: [
          {
            Sid: 'ProductTableItems',
            Action: [
              'dynamodb:BatchGetItem',
              'dynamodb:BatchWriteItem',
              'dynamodb:DeleteItem',
              'dynamodb:GetItem',
              'dynamodb:PutItem',
              'dynamodb:Scan',
              'dynamodb:UpdateItem',
            ],
            on: 'table',
          },
          { Sid: 'OwnLogGroup', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], on: 'logGroupStreams' },
        ],
      },
      managedPolicyArns: [],
      path: '/',
    });
    expect(stack.function).toEqual({
      name: 'productFunction',
      description: 'Product catalogue REST API (products-cli)',
      runtime: 'nodejs24.x',
      architecture: 'arm64',
      handler: 'index.handler',
      memoryMb: 256,
      timeoutSeconds: 10,
      environment: { TABLE_NAME: 'product' },
      role: 'productFunctionRole',
      logging: { format: 'JSON', logGroup: '/aws/lambda/productFunction' },
      packageType: 'Zip',
      alias: { name: 'live', description: 'The version the API invokes (products-cli)', keepVersions: 5 },
    });
    expect(stack.logGroup).toEqual({ name: '/aws/lambda/productFunction', retentionDays: 14 });
    expect(stack.stage).toEqual({
      name: 'prod',
      throttle: { rateLimit: 100, burstLimit: 200 },
      deploymentDescription: 'products-cli setup',
    });
    expect(stack.api).toMatchObject({ name: 'productApi', endpointType: 'REGIONAL', apiKeySource: 'HEADER' });
    expect(stack.api.cors).toBeUndefined();
    expect(stack.usagePlan).toMatchObject({
      wanted: false,
      name: 'productApi-plan',
      key: { name: 'productApi-key', enabled: true },
    });
  });

  it('names every resource after --stack and the stage after --stage', () => {
    const stack = describeWith({}, 'shop', 'beta');
    expect(stack.stack).toBe('shop');
    expect(stack.tags['products-cli:stack']).toBe('shop');
    expect(stack.table.name).toBe('shop-product');
    expect(stack.role.name).toBe('shop-productFunctionRole');
    expect(stack.role.inlinePolicy.name).toBe('shop-productFunctionPolicy');
    expect(stack.function.name).toBe('shop-productFunction');
    expect(stack.function.role).toBe('shop-productFunctionRole');
    expect(stack.function.environment.TABLE_NAME).toBe('shop-product');
    expect(stack.function.logging.logGroup).toBe('/aws/lambda/shop-productFunction');
    expect(stack.logGroup.name).toBe('/aws/lambda/shop-productFunction');
    expect(stack.api.name).toBe('shop-productApi');
    expect(stack.api.resources.flatMap((r) => r.methods.map((m) => m.integration.function))).toEqual(
      Array(7).fill('shop-productFunction'),
    );
    expect(stack.stage.name).toBe('beta');
    expect(stack.permission).toEqual({
      function: 'shop-productFunction',
      qualifier: 'live',
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
      sources: [
        { stage: 'beta', resource: '/product' },
        { stage: 'beta', resource: '/product/{id}' },
        { stage: 'beta', resource: '/products' },
        { stage: 'test-invoke-stage', resource: '/product' },
        { stage: 'test-invoke-stage', resource: '/product/{id}' },
        { stage: 'test-invoke-stage', resource: '/products' },
      ],
    });
    expect(stack.usagePlan.name).toBe('shop-productApi-plan');
    expect(stack.usagePlan.key.name).toBe('shop-productApi-key');
  });

  it("carries the function's, log group's, stage's and table's flags", () => {
    const stack = describeWith({
      runtime: 'nodejs22.x',
      architecture: 'x86_64',
      memoryMb: 1024,
      timeoutSeconds: 25,
      logRetentionDays: 90,
      throttle: { rateLimit: 10, burstLimit: 20 },
      pitr: false,
    });
    expect(stack.function).toMatchObject({
      runtime: 'nodejs22.x',
      architecture: 'x86_64',
      memoryMb: 1024,
      timeoutSeconds: 25,
    });
    expect(stack.logGroup.retentionDays).toBe(90);
    expect(stack.stage.throttle).toEqual({ rateLimit: 10, burstLimit: 20 });
    expect(stack.usagePlan.throttle).toEqual({ rateLimit: 10, burstLimit: 20 });
    expect(stack.table.pointInTimeRecovery).toBe(false);
  });

  it("has the contract's routes, each method a Lambda proxy integration", () => {
    const { resources } = describeWith().api;
    expect(resources.map((r) => ({ resource: r.path, methods: r.methods.map((m) => m.method) }))).toEqual(
      ROUTES.map((r) => ({ resource: r.resource, methods: [...r.methods] })),
    );
    expect(resources.flatMap((r) => r.methods.map((m) => m.integration))).toEqual(
      Array(ROUTES.flatMap((r) => r.methods).length).fill({
        type: 'AWS_PROXY',
        httpMethod: 'POST',
        function: 'productFunction',
        qualifier: 'live',
      }),
    );
  });

  it.each([
    [
      { mode: 'iam', privateReads: false },
      { GET: ['NONE', false], POST: ['AWS_IAM', false], PATCH: ['AWS_IAM', false], DELETE: ['AWS_IAM', false] },
    ],
    [
      { mode: 'iam', privateReads: true },
      { GET: ['AWS_IAM', false], POST: ['AWS_IAM', false], PATCH: ['AWS_IAM', false], DELETE: ['AWS_IAM', false] },
    ],
    [
      { mode: 'api-key', privateReads: false },
      { GET: ['NONE', false], POST: ['NONE', true], PATCH: ['NONE', true], DELETE: ['NONE', true] },
    ],
    [
      { mode: 'none', privateReads: false },
      { GET: ['NONE', false], POST: ['NONE', false], PATCH: ['NONE', false], DELETE: ['NONE', false] },
    ],
  ] as const)('authorizes the methods for --auth %j', (auth, expected) => {
    const stack = describeWith({ auth, apiKey: auth.mode === 'api-key' });
    for (const method of stack.api.resources.flatMap((r) => r.methods)) {
      expect([method.authorizationType, method.apiKeyRequired]).toEqual(expected[method.method]);
    }
    expect(stack.usagePlan.wanted).toBe(auth.mode === 'api-key');
  });

  it('with --cors-origin, hands the origins to the function and adds a preflight per route and the gateway responses', () => {
    const stack = describeWith({ corsOrigins: ['https://shop.example', 'http://localhost:5173'] });
    expect(stack.function.environment).toEqual({
      TABLE_NAME: 'product',
      CORS_ALLOWED_ORIGINS: 'https://shop.example,http://localhost:5173',
    });
    const cors = stack.api.cors;
    expect(cors?.origins).toEqual(['https://shop.example', 'http://localhost:5173']);
    expect(Object.keys(cors?.preflights ?? {})).toEqual(ROUTES.map((r) => r.resource));
    expect(cors?.preflights['/product']).toMatchObject({
      authorizationType: 'NONE',
      apiKeyRequired: false,
      integration: { type: 'MOCK' },
      statusCode: '200',
    });
    expect(cors?.preflights['/product']?.integrationResponseTemplates['application/json']).toContain(
      '$origin == "https://shop.example"',
    );
    expect(cors?.gatewayResponses.map((r) => r.responseType)).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX']);
    expect(cors?.gatewayResponses[0]?.responseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toBe(
      'method.request.header.Origin',
    );
  });

  it('is plain data: it survives a JSON round trip unchanged', () => {
    const stack = describeWith(
      { corsOrigins: ['*'], auth: { mode: 'api-key', privateReads: true }, apiKey: true },
      'shop',
      'beta',
    );
    expect(JSON.parse(JSON.stringify(stack))).toEqual(stack);
  });

  it('is what the function step sends: a setting reaches both or neither', () => {
    const names = resourceNames('shop', 'beta');
    const input = {
      names,
      tags: stackTags(names),
      settings: {
        ...DEFAULT_SETTINGS,
        memoryMb: 768,
        timeoutSeconds: 20,
        runtime: 'nodejs22.x' as const,
        corsOrigins: ['*'],
      },
    };
    const fn = describeStack(input).function;
    expect(wantedConfiguration(input, 'arn:role')).toEqual({
      FunctionName: fn.name,
      Runtime: fn.runtime,
      Handler: fn.handler,
      Role: 'arn:role',
      MemorySize: 768,
      Timeout: 20,
      Environment: { Variables: { TABLE_NAME: 'shop-product', CORS_ALLOWED_ORIGINS: '*' } },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: '/aws/lambda/shop-productFunction' },
    });
  });
});
