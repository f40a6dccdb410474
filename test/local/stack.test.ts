import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataDirInUseError } from '../../src/local/dynamo-engine.js';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { startTestEngine, type TestEngine } from '../helpers/dynamo-engine.js';
import { product } from '../helpers/product.js';

const iphone = product({ id: '1' });

async function call(url: string, method = 'GET', body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

describe('the bundled handler behind the gateway', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, throttle: null });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers the tutorial CRUD flow', async () => {
    // Act
    const created = await call(`${stack.url}/product`, 'POST', iphone);
    const fetched = await call(`${stack.url}/product/1`);
    const listed = await call(`${stack.url}/product`);
    const updated = await call(`${stack.url}/product/1`, 'PATCH', { price: 850 }, { 'If-Match': '"1"' });
    const stale = await call(`${stack.url}/product/1`, 'PATCH', { price: 800 }, { 'If-Match': '"1"' });
    const deleted = await call(`${stack.url}/product/1`, 'DELETE');
    const gone = await call(`${stack.url}/product/1`);

    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/prod/product/1');
    expect(created.json).toMatchObject({ ...iphone, version: 1 });
    expect(fetched).toMatchObject({ status: 200, json: { ...iphone, version: 1 } });
    expect(listed.status).toBe(200);
    expect(listed.json.items).toEqual([created.json]);
    expect(updated).toMatchObject({ status: 200, json: { price: 850, version: 2 } });
    expect(stale.status).toBe(412);
    expect(deleted.status).toBe(204);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers a conflict for an existing id and a validation problem for a bad body', async () => {
    await call(`${stack.url}/product`, 'POST', { ...iphone, id: 'dup' });
    const again = await call(`${stack.url}/product`, 'POST', { ...iphone, id: 'dup' });
    const invalid = await call(`${stack.url}/product`, 'POST', { title: '', price: -1 });

    expect(again.status).toBe(409);
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['price', 'title']);
  });

  it('finds a product whose id needs percent-encoding', async () => {
    await call(`${stack.url}/product`, 'POST', { ...iphone, id: 'sku:1' });

    expect((await call(`${stack.url}/product/sku%3A1`)).json).toMatchObject({ id: 'sku:1' });
  });
});

describe('persistence', () => {
  let dataDir: string;
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'products-cli-data-'));
  });
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write across a stop and a start', async () => {
    // Prepare
    stack = await startLocalStack({ port: 0, dataDir, throttle: null });
    const ids = Array.from({ length: 40 }, (_, index) => `p${index}`);
    const answers = await Promise.all(
      ids.map((id) => call(`${stack!.url}/product`, 'POST', { id, title: `T ${id}`, price: 1 })),
    );
    expect(answers.map((a) => a.status)).toEqual(ids.map(() => 201));
    await call(`${stack.url}/product/p0`, 'PATCH', { price: 2 });
    await call(`${stack.url}/product/p1`, 'DELETE');

    // Act
    await stack.stop();
    stack = await startLocalStack({ port: 0, dataDir, throttle: null });

    // Assess
    const listed = await call(`${stack.url}/product?limit=100`);
    expect(listed.json.items.map((p: { id: string }) => p.id).sort()).toEqual(ids.filter((id) => id !== 'p1').sort());
    expect((await call(`${stack.url}/product/p0`)).json).toMatchObject({ price: 2, version: 2 });
  });

  it('refuses a second stack on the same data, and frees it when the first stops', async () => {
    stack = await startLocalStack({ port: 0, dataDir, throttle: null });

    await expect(startLocalStack({ port: 0, dataDir, throttle: null })).rejects.toThrow(DataDirInUseError);
    await stack.stop();
    stack = await startLocalStack({ port: 0, dataDir, throttle: null });
    expect((await call(`${stack.url}/product`)).status).toBe(200);
  });

  it('loses everything without a dataDir', async () => {
    stack = await startLocalStack({ port: 0, throttle: null });
    await call(`${stack.url}/product`, 'POST', iphone);
    await stack.stop();
    stack = await startLocalStack({ port: 0, throttle: null });

    expect((await call(`${stack.url}/product/1`)).status).toBe(404);
  });
});

describe('an external engine', () => {
  let engine: TestEngine;
  let stack: LocalStack;
  beforeAll(async () => {
    engine = await startTestEngine();
    stack = await startLocalStack({ port: 0, dynamodbEndpoint: engine.endpoint, throttle: null });
  });
  afterAll(async () => {
    await stack?.stop();
    await engine?.stop();
  });

  it('stores the products in the given engine', async () => {
    const created = await call(`${stack.url}/product`, 'POST', iphone);
    const { Item } = await engine.documentClient.send(new GetCommand({ TableName: 'product', Key: { id: '1' } }));

    expect(stack.dynamodbEndpoint).toBe(engine.endpoint);
    expect(created.status).toBe(201);
    expect(Item).toMatchObject(iphone);
  });

  it('fails with the endpoint named when the engine cannot be reached', async () => {
    await expect(startLocalStack({ port: 0, dynamodbEndpoint: 'http://127.0.0.1:9' })).rejects.toThrow(
      /127\.0\.0\.1:9/,
    );
  });
});
