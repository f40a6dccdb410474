// Authorization and CORS on AWS: against the stateful fake (which refuses what API Gateway refuses), and the
// CORS step's exact calls with aws-sdk-client-mock.
import {
  APIGatewayClient,
  DeleteMethodCommand,
  GetGatewayResponseCommand,
  GetMethodCommand,
  GetResourcesCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { setupAws } from '../../src/commands/setup/aws.js';
import { teardownAws } from '../../src/commands/teardown/aws.js';
import { ApiGatewayPacer } from '../../src/aws/apigateway-pacer.js';
import { systemClock } from '../../src/aws/clock.js';
import { ensurePreflights } from '../../src/provision/cors-methods.js';
import type { ProvisionContext } from '../../src/provision/context.js';
import { DEFAULT_SETTINGS } from '../../src/provision/session.js';
import { readState } from '../../src/state/state-file.js';
import { fakeWorld, mutatingCalls, testContext } from '../aws/fake/harness.js';
import { OPERATIONS } from '../../src/contract/operations.js';

const noVerify = { verify: false } as const;
type Methods = Record<
  string,
  {
    httpMethod: string;
    authorizationType: string;
    apiKeyRequired: boolean;
    methodIntegration?: any;
    methodResponses?: any;
  }
>;

function methodsOf(world: ReturnType<typeof fakeWorld>): Record<string, Methods[string]> {
  const [api] = [...world.fake.apis.values()];
  const all: Record<string, Methods[string]> = {};
  for (const resource of api?.resources.values() ?? []) {
    for (const [method, value] of Object.entries((resource.resourceMethods ?? {}) as Methods))
      all[`${method} ${resource.path}`] = value;
  }
  return all;
}

const authOf = (world: ReturnType<typeof fakeWorld>) =>
  Object.fromEntries(Object.entries(methodsOf(world)).map(([key, m]) => [key, m.authorizationType]));

describe('authorization on AWS', () => {
  it('makes writes AWS_IAM and reads public by default, records the mode, and converges on another --auth', async () => {
    const world = fakeWorld();
    const first = await setupAws(noVerify, testContext(world.cwd), world.deps());

    expect(authOf(world)).toEqual(
      Object.fromEntries(
        OPERATIONS.map((op) => [`${op.method} ${op.resource}`, op.access === 'write' ? 'AWS_IAM' : 'NONE']),
      ),
    );
    expect(authOf(world)).toMatchObject({
      'GET /product': 'NONE',
      'POST /product': 'AWS_IAM',
      'DELETE /product/{id}': 'AWS_IAM',
    });
    expect(first.auth).toEqual({ mode: 'iam', privateReads: false });
    expect((await readState(world.cwd)).aws?.auth).toEqual({ mode: 'iam', privateReads: false });

    // Act: private reads, then the open API
    const [api] = [...world.fake.apis.values()];
    const deployments = api?.deployments ?? 0;
    const before = world.fake.calls.length;
    const ctx = testContext(world.cwd);
    await setupAws({ ...noVerify, privateReads: true }, ctx, world.deps());
    expect(Object.values(authOf(world))).toEqual(OPERATIONS.map(() => 'AWS_IAM'));
    const reads = OPERATIONS.filter((op) => op.access === 'read');
    expect(mutatingCalls(world.fake, before).filter((c) => c === 'apigateway:UpdateMethod')).toHaveLength(reads.length);
    expect(api?.deployments).toBe(deployments + 1);

    await setupAws({ ...noVerify, auth: 'none' }, testContext(world.cwd), world.deps());
    expect(Object.values(authOf(world)).every((type) => type === 'NONE')).toBe(true);
    expect(api?.deployments).toBe(deployments + 2);
    expect((await readState(world.cwd)).aws?.auth).toEqual({ mode: 'none', privateReads: false });
  });

  it('says in one line who may write and how', async () => {
    const world = fakeWorld();
    const { command } = await import('../../src/commands/setup/index.js');
    const result = await setupAws(noVerify, testContext(world.cwd), world.deps());
    const text =
      command.render?.(
        result as never,
        { bold: String, dim: String, green: String, yellow: String, red: String } as never,
        {} as never,
      ) ?? '';

    expect(text).toContain(
      'Access: IAM: writes (POST, PATCH, DELETE; anyone may read) need SigV4-signed requests from a caller with execute-api:Invoke on this API',
    );
  });
});

describe('CORS on AWS', () => {
  it('configures the preflights, the function and the gateway responses, converges, and undoes it all', async () => {
    // Prepare, Act
    const world = fakeWorld();
    await setupAws({ ...noVerify, corsOrigin: ['https://shop.example.com'] }, testContext(world.cwd), world.deps());

    // Assess: OPTIONS with a MOCK integration and no authorization, on both resources
    const methods = methodsOf(world);
    for (const [path, allowed] of [
      ['/product', 'GET, POST, OPTIONS'],
      ['/product/{id}', 'GET, PATCH, DELETE, OPTIONS'],
    ] as const) {
      const options = methods[`OPTIONS ${path}`];
      expect(options).toMatchObject({ authorizationType: 'NONE', apiKeyRequired: false });
      expect(options?.methodIntegration).toMatchObject({
        type: 'MOCK',
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
      });
      expect(Object.keys(options?.methodResponses['200'].responseParameters).sort()).toEqual(
        [
          'Access-Control-Allow-Headers',
          'Access-Control-Allow-Methods',
          'Access-Control-Allow-Origin',
          'Access-Control-Max-Age',
          'Vary',
        ].map((h) => `method.response.header.${h}`),
      );
      const mapped = options?.methodIntegration.integrationResponses['200'].responseParameters;
      expect(mapped['method.response.header.Access-Control-Allow-Origin']).toBe("'https://shop.example.com'");
      expect(mapped['method.response.header.Access-Control-Allow-Methods']).toBe(`'${allowed}'`);
      expect(mapped['method.response.header.Access-Control-Allow-Headers']).toBe(
        "'Authorization, Content-Type, If-Match, X-Amz-Content-Sha256, X-Amz-Date, X-Amz-Security-Token, X-Api-Key'",
      );
      expect(mapped['method.response.header.Access-Control-Max-Age']).toBe("'600'");
    }
    const [api] = [...world.fake.apis.values()];
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      expect(api?.gatewayResponses?.get(type)?.responseParameters).toEqual({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://shop.example.com'",
        'gatewayresponse.header.Access-Control-Expose-Headers': "'ETag, Location'",
        'gatewayresponse.header.Vary': "'Origin'",
      });
    }
    expect(world.fake.functions.get('productFunction')?.config.Environment?.Variables).toMatchObject({
      CORS_ALLOWED_ORIGINS: 'https://shop.example.com',
    });
    expect(world.fake.policy('productFunction', 'live').size).toBeGreaterThan(0);
    const permissionsBefore = JSON.stringify([...world.fake.policy('productFunction', 'live').values()]);

    // Act: a rerun with the same flags changes nothing
    const before = world.fake.calls.length;
    const again = await setupAws(
      { ...noVerify, corsOrigin: ['https://shop.example.com'] },
      testContext(world.cwd),
      world.deps(),
    );
    expect(mutatingCalls(world.fake, before)).toEqual([]);
    expect(again.unchanged).toBe(true);

    // Act: two origins: the preflight picks the request's origin by template, the gateway responses echo it
    await setupAws(
      { ...noVerify, corsOrigin: ['https://shop.example.com', 'http://localhost:5173'] },
      testContext(world.cwd),
      world.deps(),
    );
    const two = methodsOf(world)['OPTIONS /product']?.methodIntegration.integrationResponses['200'];
    expect(two.responseParameters['method.response.header.Access-Control-Allow-Origin']).toBeUndefined();
    expect(two.responseTemplates['application/json']).toContain(
      '#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
    );
    expect(two.responseTemplates['application/json']).toContain('$origin == "http://localhost:5173"');
    expect(
      api?.gatewayResponses?.get('DEFAULT_4XX')?.responseParameters?.[
        'gatewayresponse.header.Access-Control-Allow-Origin'
      ],
    ).toBe('method.request.header.Origin');

    // Act: without --cors-origin everything goes back, with a new deployment, and the step says so
    const deployments = api?.deployments ?? 0;
    const removing = testContext(world.cwd);
    await setupAws(noVerify, removing, world.deps());
    expect(removing.stderr.text()).toMatch(/^~ CORS: updated/m);
    expect(Object.keys(methodsOf(world)).filter((k) => k.startsWith('OPTIONS'))).toEqual([]);
    expect(api?.gatewayResponses?.size ?? 0).toBe(0);
    expect(
      world.fake.functions.get('productFunction')?.config.Environment?.Variables?.CORS_ALLOWED_ORIGINS,
    ).toBeUndefined();
    expect(api?.deployments).toBe(deployments + 1);
    expect(JSON.stringify([...world.fake.policy('productFunction', 'live').values()])).toBe(permissionsBefore);

    // Act: a stack that never asked for CORS hears nothing of it
    const without = testContext(world.cwd);
    await setupAws(noVerify, without, world.deps());
    expect(without.stderr.text()).not.toContain('CORS');

    // Teardown is unchanged
    await teardownAws({ yes: true }, testContext(world.cwd), world.deps());
    expect(world.fake.summary()).toEqual([]);
  });
});

describe('the CORS step, call by call', () => {
  it('replaces an OPTIONS method whose headers differ: delete, then method, integration, method response, integration response', async () => {
    const client = new APIGatewayClient({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock.on(GetResourcesCommand).resolves({
      items: [
        { id: 'root', path: '/' },
        { id: 'p', path: '/product', resourceMethods: { OPTIONS: {} } },
        { id: 'i', path: '/product/{id}' },
      ],
    });
    mock.on(GetMethodCommand).resolves({
      httpMethod: 'OPTIONS',
      authorizationType: 'NONE',
      methodIntegration: {
        type: 'MOCK',
        integrationResponses: {
          '200': {
            responseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'https://old.example'" },
          },
        },
      },
    });
    mock.on(GetGatewayResponseCommand).resolves({ defaultResponse: true, responseParameters: {} });
    const ctx = {
      apigateway: new ApiGatewayPacer(client, { clock: systemClock }),
      settings: { ...DEFAULT_SETTINGS, corsOrigins: ['*'] },
    } as unknown as ProvisionContext;

    const result = await ensurePreflights(ctx, 'api1');

    expect(result.changes).toEqual(['OPTIONS /product', 'OPTIONS /product/{id}']);
    const ops = mock
      .calls()
      .map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''))
      .filter((op) => !op.startsWith('Get'));
    expect(ops).toEqual([
      'DeleteMethod',
      'PutMethod',
      'PutIntegration',
      'PutMethodResponse',
      'PutIntegrationResponse',
      'PutMethod',
      'PutIntegration',
      'PutMethodResponse',
      'PutIntegrationResponse',
    ]);
    expect(mock.commandCalls(DeleteMethodCommand)[0]?.args[0].input).toEqual({
      restApiId: 'api1',
      resourceId: 'p',
      httpMethod: 'OPTIONS',
    });
    expect(mock.commandCalls(PutMethodCommand)[0]?.args[0].input).toEqual({
      restApiId: 'api1',
      resourceId: 'p',
      httpMethod: 'OPTIONS',
      authorizationType: 'NONE',
      apiKeyRequired: false,
    });
    expect(mock.commandCalls(PutIntegrationCommand)[0]?.args[0].input).toMatchObject({
      type: 'MOCK',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
    });
    expect(mock.commandCalls(PutMethodResponseCommand)[0]?.args[0].input.statusCode).toBe('200');
    const mapped = mock.commandCalls(PutIntegrationResponseCommand)[0]?.args[0].input.responseParameters ?? {};
    // `*` needs no Vary: every origin gets the same answer.
    expect(mapped).toEqual({
      'method.response.header.Access-Control-Allow-Origin': "'*'",
      'method.response.header.Access-Control-Allow-Methods': "'GET, POST, OPTIONS'",
      'method.response.header.Access-Control-Allow-Headers':
        "'Authorization, Content-Type, If-Match, X-Amz-Content-Sha256, X-Amz-Date, X-Amz-Security-Token, X-Api-Key'",
      'method.response.header.Access-Control-Max-Age': "'600'",
    });
    expect(mock.commandCalls(PutGatewayResponseCommand)).toHaveLength(0);
  });
});
