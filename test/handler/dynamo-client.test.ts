import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../src/handler/create-handler.js';
import { createDynamoClient, DEFAULT_TIMEOUTS, type DynamoClient } from '../../src/handler/dynamo-client/client.js';
import { resolveDynamoTarget } from '../../src/handler/dynamo-client/endpoint.js';
import { DEFAULT_FUNCTION_TIMEOUT_SECONDS } from '../../src/defaults.js';
import { dynamoError, startFakeDynamo, type FakeAnswer, type FakeDynamo } from '../aws/fake/dynamodb-http.js';
import { proxyEvent } from '../helpers/proxy-event.js';

const item = { Item: { id: { S: '1' }, title: { S: 'IPhone' }, price: { N: '900' }, version: { N: '3' } } };
let fake: FakeDynamo | undefined;
let client: DynamoClient | undefined;

afterEach(async () => {
  client?.destroy();
  await fake?.stop();
  fake = undefined;
  client = undefined;
});

async function clientFor(answers: FakeAnswer[], options: Parameters<typeof createDynamoClient>[0] = {}) {
  fake = await startFakeDynamo(answers);
  client = createDynamoClient({ target: { url: fake.url, region: 'eu-west-1' }, ...options });
  return { fake, client };
}

describe('the handler against an engine that accepts the connection and never answers', () => {
  it('answers a logged 503 problem well before the function timeout, not a timeout of the whole invocation', async () => {
    // Prepare
    const { client } = await clientFor(['stall']);
    const logs: string[] = [];
    const handler = createHandler({
      client,
      tableName: 'product',
      log: (line) => logs.push(line),
      now: () => new Date(),
      newId: () => 'x',
    });

    // Act
    const started = Date.now();
    const result = await handler(proxyEvent('GET', '/product/{id}', { pathParameters: { id: '1' } }));
    const elapsedMs = Date.now() - started;

    // Assess
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(result.body)).toMatchObject({
      status: 503,
      detail: expect.stringMatching(/did not answer in time/),
    });
    expect(logs.map((line) => JSON.parse(line))).toMatchObject([{ message: 'request', status: 503 }]);
    expect(elapsedMs).toBeGreaterThanOrEqual(DEFAULT_TIMEOUTS.requestMs - 50);
    expect(elapsedMs).toBeLessThan(DEFAULT_TIMEOUTS.callBudgetMs + 1_000);
  });

  it('keeps even a request of two calls (a failed condition read again) well inside the function timeout', () => {
    expect(DEFAULT_TIMEOUTS.connectMs).toBeLessThan(DEFAULT_TIMEOUTS.requestMs);
    expect(DEFAULT_TIMEOUTS.requestMs).toBeLessThanOrEqual(DEFAULT_TIMEOUTS.callBudgetMs);
    expect(2 * DEFAULT_TIMEOUTS.callBudgetMs).toBeLessThan(DEFAULT_FUNCTION_TIMEOUT_SECONDS * 1000 * 0.75);
  });

  it('retries a timed-out attempt within the call budget', async () => {
    const { client, fake } = await clientFor(['stall', { status: 200, body: item }], {
      requestMs: 200,
      callBudgetMs: 2_000,
    });

    const { Item } = await client.getItem({ TableName: 'product', Key: { id: '1' } });

    expect(Item).toEqual({ id: '1', title: 'IPhone', price: 900, version: 3 });
    expect(fake.requests).toHaveLength(2);
  });
});

describe('the DynamoDB client', () => {
  it('retries throttling with backoff and then succeeds', async () => {
    const { client, fake } = await clientFor([
      dynamoError(
        400,
        'ProvisionedThroughputExceededException',
        'The level of configured provisioned throughput for the table was exceeded.',
      ),
      { status: 200, body: item },
    ]);

    const { Item } = await client.getItem({ TableName: 'product', Key: { id: '1' }, ConsistentRead: true });

    expect(Item?.title).toBe('IPhone');
    expect(fake.requests.map((r) => r.target)).toEqual(['DynamoDB_20120810.GetItem', 'DynamoDB_20120810.GetItem']);
    expect(fake.requests[0]?.body).toEqual({ TableName: 'product', Key: { id: { S: '1' } }, ConsistentRead: true });
  });

  it('gives up on throttling after its attempts and the handler answers 503 with Retry-After', async () => {
    const { client, fake } = await clientFor(
      [dynamoError(400, 'ThrottlingException', 'Rate of requests exceeds the allowed throughput.')],
      { maxAttempts: 2 },
    );
    const handler = createHandler({
      client,
      tableName: 'product',
      log: () => {},
      now: () => new Date(),
      newId: () => 'x',
    });

    const result = await handler(proxyEvent('GET', '/product'));

    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(fake.requests).toHaveLength(2);
  });

  it('retries a 500 from DynamoDB as transient', async () => {
    const { client, fake } = await clientFor([
      dynamoError(500, 'InternalServerError', 'Internal server error'),
      { status: 200, body: {} },
    ]);

    await client.putItem({ TableName: 'product', Item: { id: '1', title: 'IPhone', missing: undefined } });

    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]?.body).toEqual({ TableName: 'product', Item: { id: { S: '1' }, title: { S: 'IPhone' } } });
  });

  it('does not retry a client error and names it as the SDK does', async () => {
    const { client, fake } = await clientFor([
      dynamoError(400, 'ConditionalCheckFailedException', 'The conditional request failed'),
    ]);

    const failure = await client
      .deleteItem({ TableName: 'product', Key: { id: '1' }, ConditionExpression: 'attribute_exists(id)' })
      .catch((e: unknown) => e);

    expect(failure).toMatchObject({
      name: 'ConditionalCheckFailedException',
      message: 'The conditional request failed',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'req-1', attempts: 1 },
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('signs with the credentials of the environment, session token included', async () => {
    const { client, fake } = await clientFor([{ status: 200, body: { Items: [], Count: 0 } }]);

    const page = await client.scan({ TableName: 'product', Limit: 5 });

    expect(page).toEqual({ Items: [] });
    const headers = fake.requests[0]?.headers ?? {};
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=testing\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=[^ ]*x-amz-security-token/,
    );
    expect(headers['x-amz-security-token']).toBe('testing');
  });
});

describe('the DynamoDB client over https', () => {
  it('signs and sends over TLS, as to AWS', async () => {
    // Prepare: a self-signed certificate for 127.0.0.1, trusted for this test only.
    const dir = mkdtempSync(join(tmpdir(), 'dynamo-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const seen: string[] = [];
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (req, res) => {
        seen.push(String(req.headers['x-amz-target']));
        req
          .resume()
          .on('end', () =>
            res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(item)),
          );
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const tlsClient = createDynamoClient({
      target: { url: new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`), region: 'eu-west-1' },
    });
    try {
      // Act
      const { Item } = await tlsClient.getItem({ TableName: 'product', Key: { id: '1' } });

      // Assess
      expect(Item?.title).toBe('IPhone');
      expect(seen).toEqual(['DynamoDB_20120810.GetItem']);
    } finally {
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
      tlsClient.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('resolveDynamoTarget', () => {
  it.each([
    [{ AWS_REGION: 'eu-west-1' }, 'https://dynamodb.eu-west-1.amazonaws.com/'],
    [{ AWS_REGION: 'cn-north-1' }, 'https://dynamodb.cn-north-1.amazonaws.com.cn/'],
    [{ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://localhost:4566' }, 'http://localhost:4566/'],
    [
      {
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL: 'http://localhost:4566',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      },
      'http://127.0.0.1:8000/',
    ],
    [
      {
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
      },
      'https://dynamodb.eu-west-1.amazonaws.com/',
    ],
  ])('%j → %s', (env, url) => {
    expect(resolveDynamoTarget(env).url.href).toBe(url);
  });

  it('refuses to guess a region', () => {
    expect(() => resolveDynamoTarget({})).toThrow(/AWS_REGION/);
  });
});
