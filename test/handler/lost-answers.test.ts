// A write that DynamoDB applied but whose answer was lost (a 500 or a timeout on the way back) is applied once
// and answered as the success it was: no 409 for the client's own create, no version bumped twice.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient, type DynamoClient } from '../../src/handler/dynamo-client/client.js';
import { createHandler, type ProxyHandler } from '../../src/handler/create-handler.js';
import { startTestEngine, type TestEngine } from '../helpers/dynamo-engine.js';
import { bodyOf } from '../helpers/handler-harness.js';
import { startLossyDynamo, type LossyDynamo } from '../helpers/lossy-dynamo.js';
import { proxyEvent } from '../helpers/proxy-event.js';
import { product } from '../helpers/product.js';

let engine: TestEngine;
let lossy: LossyDynamo;
let client: DynamoClient;
let handler: ProxyHandler;
let counter = 0;

beforeAll(async () => {
  engine = await startTestEngine('lost-answers');
  lossy = await startLossyDynamo(engine.endpoint);
  client = createDynamoClient({
    target: { url: lossy.url, region: 'us-east-1' },
    credentials: async () => ({ accessKeyId: 'x', secretAccessKey: 'x' }),
    requestMs: 300,
    callBudgetMs: 3000,
  });
  handler = createHandler({
    client,
    tableName: engine.tableName,
    log: () => {},
    now: () => new Date(),
    newId: () => `lost-${++counter}`,
  });
});
afterAll(async () => {
  client?.destroy();
  await lossy?.stop();
  await engine?.stop();
});

const call = (method: string, resource: string, options: Parameters<typeof proxyEvent>[2] = {}) =>
  handler(proxyEvent(method, resource, options), {} as never);
const json = { 'Content-Type': 'application/json' };
const stored = async (id: string) =>
  (await engine.documentClient.send(new GetCommand({ TableName: engine.tableName, Key: { id } }))).Item;
async function create(id: string) {
  const result = await call('POST', '/product', { body: product({ id }), headers: json });
  expect(result.statusCode).toBe(201);
}

describe.each([['a 500 after it landed', 500] as const, ['a timeout after it landed', { stallMs: 1000 }] as const])(
  'a write answered by %s',
  (_what, how) => {
    it('POST answers 201 with the product, not 409 for its own product', async () => {
      const id = `create-${++counter}`;
      lossy.lose('PutItem', 1, how);
      const result = await call('POST', '/product', { body: product({ id }), headers: json });
      expect(result.statusCode).toBe(201);
      expect(bodyOf(result)).toMatchObject({ id, version: 1 });
      expect(await stored(id)).toMatchObject({ id, version: 1 });
    });

    it('PATCH without If-Match adds 1 to the version, not 2', async () => {
      const id = `patch-${++counter}`;
      await create(id);
      lossy.lose('UpdateItem', 1, how);
      const result = await call('PATCH', '/product/{id}', {
        pathParameters: { id },
        body: { price: 850 },
        headers: json,
      });
      expect(result.statusCode).toBe(200);
      expect(bodyOf(result)).toMatchObject({ price: 850, version: 2 });
      expect(await stored(id)).toMatchObject({ price: 850, version: 2 });
    });

    it('PATCH with If-Match answers 200, not 412 for its own change', async () => {
      const id = `ifmatch-${++counter}`;
      await create(id);
      lossy.lose('UpdateItem', 1, how);
      const result = await call('PATCH', '/product/{id}', {
        pathParameters: { id },
        body: { price: 800 },
        headers: { ...json, 'If-Match': '"1"' },
      });
      expect(result.statusCode).toBe(200);
      expect(bodyOf(result)).toMatchObject({ price: 800, version: 2 });
      expect(await stored(id)).toMatchObject({ version: 2 });
    });

    it('DELETE answers 204, not 404 for the product it deleted', async () => {
      const id = `delete-${++counter}`;
      await create(id);
      lossy.lose('DeleteItem', 1, how);
      const result = await call('DELETE', '/product/{id}', { pathParameters: { id } });
      expect(result.statusCode).toBe(204);
      expect(await stored(id)).toBeUndefined();
    });
  },
);
