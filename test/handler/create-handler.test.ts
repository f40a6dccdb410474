import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LIST_LIMIT_MAX, PROBLEM_CONTENT_TYPE } from '../../src/contract/index.js';
import { startTestEngine, type TestEngine } from '../helpers/dynamo-engine.js';
import { bodyOf, harness, type Harness } from '../helpers/handler-harness.js';
import { proxyEvent } from '../helpers/proxy-event.js';
import { product } from '../helpers/product.js';

const iphone = product({ id: '1' });

let engine: TestEngine;
let h: Harness;

beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(async () => {
  await engine.stop();
});

beforeEach(async () => {
  // Each test starts from an empty table.
  const { Items = [] } = await engine.documentClient.send(new ScanCommand({ TableName: 'product' }));
  await Promise.all(
    Items.map((item) => engine.documentClient.send(new DeleteCommand({ TableName: 'product', Key: { id: item.id } }))),
  );
  engine.tableName = 'product';
  h = harness(engine);
});

async function create(body: unknown) {
  return h.handler(proxyEvent('POST', '/product', { body }));
}

async function storedItems() {
  const { Items } = await engine.documentClient.send(new ScanCommand({ TableName: engine.tableName }));
  return Items ?? [];
}

describe('POST /product', () => {
  it('accepts the tutorial body as sent and answers 201 with the product and Location', async () => {
    const result = await create(iphone);

    expect(result.statusCode).toBe(201);
    const product = bodyOf(result);
    expect(product).toMatchObject({ ...iphone, version: 1 });
    expect(product.createdAt).toBe(product.updatedAt);
    expect(new Date(product.createdAt).toISOString()).toBe(product.createdAt);
    expect(result.headers?.Location).toBe('/prod/product/1');
    expect(result.headers?.ETag).toBe('"1"');
    expect(await storedItems()).toEqual([product]);
  });

  it('generates an id when none is sent, and defaults the description', async () => {
    const result = await create({ title: '  Pixel  ', price: 499.99 });

    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toMatchObject({
      id: expect.stringMatching(/^generated-/),
      title: 'Pixel',
      description: '',
      price: 499.99,
    });
  });

  it('answers 409 and keeps the stored product when the id exists', async () => {
    await create(iphone);
    const result = await create({ ...iphone, title: 'Other' });

    expect(result.statusCode).toBe(409);
    expect(result.headers?.['Content-Type']).toBe(PROBLEM_CONTENT_TYPE);
    expect(bodyOf(result)).toMatchObject({ status: 409, title: 'Product already exists' });
    expect((await storedItems())[0]?.title).toBe(iphone.title);
  });

  it.each([
    ['missing title', { price: 1 }, 'title', 'is required'],
    ['empty title after trim', { title: '   ', price: 1 }, 'title', 'must not be empty'],
    ['long title', { title: 'x'.repeat(201), price: 1 }, 'title', 'at most 200'],
    ['title not a string', { title: 7, price: 1 }, 'title', 'must be a string'],
    ['price a string', { title: 't', price: '900' }, 'price', 'must be a number'],
    ['negative price', { title: 't', price: -1 }, 'price', 'between 0 and'],
    ['price too large', { title: 't', price: 1_000_000_000.01 }, 'price', 'between 0 and'],
    ['three decimals', { title: 't', price: 1.005 }, 'price', '2 decimal places'],
    ['bad id characters', { id: 'a/b', title: 't', price: 1 }, 'id', 'A-Z a-z 0-9'],
    ['id too long', { id: 'a'.repeat(129), title: 't', price: 1 }, 'id', 'A-Z a-z 0-9'],
    ['long description', { title: 't', price: 1, description: 'd'.repeat(4001) }, 'description', 'at most 4000'],
    ['server field', { title: 't', price: 1, version: 3 }, 'version', 'set by the server'],
    ['lone surrogate in title', { title: 'a\ud800b', price: 1 }, 'title', 'valid Unicode'],
    ['unknown field', { title: 't', price: 1, colour: 'red' }, 'colour', 'not a known field'],
  ])('answers 400 naming the field for %s', async (_, body, field, rule) => {
    const result = await create(body);

    expect(result.statusCode).toBe(400);
    const problem = bodyOf(result);
    expect(problem.type).toMatch(/^urn:products-cli:problem:/);
    expect(problem.errors).toContainEqual({ field, message: expect.stringContaining(rule) });
    expect(await storedItems()).toEqual([]);
  });

  it('lists every unknown field', async () => {
    const result = await create({ title: 't', price: 1, a: 1, b: 2 });

    expect(bodyOf(result).errors.map((e: { field: string }) => e.field)).toEqual(['a', 'b']);
  });

  it.each([
    ['not JSON', '{"title": '],
    ['an array', '[1,2]'],
    ['empty', ''],
    ['null', 'null'],
  ])('answers 400 when the body is %s', async (_, body) => {
    const result = await h.handler(
      proxyEvent('POST', '/product', { body, headers: { 'content-type': 'application/json' } }),
    );

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).status).toBe(400);
  });

  it('answers 413 for a body over 64 KiB', async () => {
    const result = await create({ title: 't', price: 1, description: 'd'.repeat(70_000) });

    expect(result.statusCode).toBe(413);
  });

  it('answers 415 for a declared content type that is not JSON, and accepts +json and charset', async () => {
    const text = await h.handler(
      proxyEvent('POST', '/product', { body: JSON.stringify(iphone), headers: { 'Content-Type': 'text/plain' } }),
    );
    const merge = await h.handler(
      proxyEvent('POST', '/product', {
        body: JSON.stringify(iphone),
        headers: { 'content-type': 'application/merge-patch+json; charset=utf-8' },
      }),
    );

    expect(text.statusCode).toBe(415);
    expect(merge.statusCode).toBe(201);
  });

  it('decodes a base64-encoded body first', async () => {
    const body = Buffer.from(JSON.stringify(iphone)).toString('base64');
    const result = await h.handler(
      proxyEvent('POST', '/product', { body, isBase64Encoded: true, headers: { 'Content-Type': 'application/json' } }),
    );

    expect(result.statusCode).toBe(201);
    expect(bodyOf(result).title).toBe(iphone.title);
  });
});

describe('GET /product/{id}', () => {
  it('answers 200 with the product, or 404 with a problem', async () => {
    await create(iphone);

    const found = await h.handler(proxyEvent('GET', '/product/{id}', { pathParameters: { id: '1' } }));
    const missing = await h.handler(proxyEvent('GET', '/product/{id}', { pathParameters: { id: '2' } }));

    expect(found.statusCode).toBe(200);
    expect(bodyOf(found)).toMatchObject(iphone);
    expect(missing.statusCode).toBe(404);
    expect(bodyOf(missing)).toMatchObject({ status: 404, title: 'Product not found' });
  });

  it('decodes a percent-encoded id, as REST APIs pass path parameters on undecoded', async () => {
    await create({ ...iphone, id: 'sku:1' });

    const result = await h.handler(proxyEvent('GET', '/product/{id}', { pathParameters: { id: 'sku%3A1' } }));

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).id).toBe('sku:1');
  });

  it('answers 400 for an id that breaks the rule', async () => {
    const result = await h.handler(proxyEvent('GET', '/product/{id}', { pathParameters: { id: 'a b' } }));

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors[0].field).toBe('id');
  });
});

describe('GET /product', () => {
  it('pages through every product with opaque cursors', async () => {
    for (let i = 0; i < 7; i++) await create({ id: `p${i}`, title: `t${i}`, price: i });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string> = cursor ? { limit: '3', cursor } : { limit: '3' };
      const page = bodyOf(await h.handler(proxyEvent('GET', '/product', { query })));
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((p: { id: string }) => p.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);

    expect(seen.sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('defaults to 50 items a page', async () => {
    for (let i = 0; i < 55; i++) await create({ id: `p${i}`, title: 't', price: 1 });

    const page = bodyOf(await h.handler(proxyEvent('GET', '/product')));

    expect(page.items).toHaveLength(50);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('answers an empty table with no items and no cursor', async () => {
    const page = bodyOf(await h.handler(proxyEvent('GET', '/product')));

    expect(page).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['limit 0', { limit: '0' }, 'limit'],
    ['limit past the largest', { limit: String(LIST_LIMIT_MAX + 1) }, 'limit'],
    ['limit text', { limit: 'ten' }, 'limit'],
    ['limit decimal', { limit: '1.5' }, 'limit'],
    ['limit twice', { limit: ['1', '2'] }, 'limit'],
    ['cursor garbage', { cursor: '!!!' }, 'cursor'],
    ['cursor of another shape', { cursor: Buffer.from('{"pk":"x"}').toString('base64url') }, 'cursor'],
    ['cursor not JSON', { cursor: Buffer.from('hello').toString('base64url') }, 'cursor'],
  ])('answers 400 for %s', async (_, query, field) => {
    const result = await h.handler(proxyEvent('GET', '/product', { query }));

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors[0].field).toBe(field);
  });
});

describe('PATCH /product/{id}', () => {
  const patch = (id: string, body: unknown, headers?: Record<string, string>) =>
    h.handler(
      proxyEvent('PATCH', '/product/{id}', {
        pathParameters: { id },
        body,
        headers: { 'Content-Type': 'application/json', ...headers },
      }),
    );

  it('changes only the fields sent and bumps the version', async () => {
    const created = bodyOf(await create(iphone));

    const result = await patch('1', { price: 850.5 });

    expect(result.statusCode).toBe(200);
    const updated = bodyOf(result);
    expect(updated).toMatchObject({ ...iphone, price: 850.5, version: 2, createdAt: created.createdAt });
    expect(updated.updatedAt >= created.updatedAt).toBe(true);
    expect(result.headers?.ETag).toBe('"2"');
  });

  it('answers 404 for a missing product and creates nothing', async () => {
    const result = await patch('nope', { price: 1 });

    expect(result.statusCode).toBe(404);
    expect(await storedItems()).toEqual([]);
  });

  it('honours If-Match: 200 on the current version, 412 on another', async () => {
    await create(iphone);

    const stale = await patch('1', { price: 1 }, { 'If-Match': '7' });
    const current = await patch('1', { price: 2 }, { 'if-match': '"1"' });

    expect(stale.statusCode).toBe(412);
    expect(bodyOf(stale).detail).toContain('version 1');
    expect(current.statusCode).toBe(200);
    expect(bodyOf(current).price).toBe(2);
  });

  it.each([
    ['empty patch', {}, '(body)'],
    ['server field', { version: 9 }, 'version'],
    ['id change', { id: '2' }, 'id'],
    ['unknown field', { colour: 'red' }, 'colour'],
    ['bad price', { price: 'cheap' }, 'price'],
  ])('answers 400 for %s and leaves the product alone', async (_, body, field) => {
    await create(iphone);

    const result = await patch('1', body);

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await storedItems())[0]).toMatchObject({ ...iphone, version: 1 });
  });

  it('answers 400 for an If-Match that is not a version', async () => {
    await create(iphone);

    const result = await patch('1', { price: 3 }, { 'If-Match': 'abc' });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors[0].field).toBe('If-Match');
  });
});

describe('DELETE /product/{id}', () => {
  const del = (id: string, headers?: Record<string, string>) =>
    h.handler(proxyEvent('DELETE', '/product/{id}', { pathParameters: { id }, ...(headers ? { headers } : {}) }));

  it('answers 204 and removes the product, then 404', async () => {
    await create(iphone);

    const first = await del('1');
    const second = await del('1');

    expect(first.statusCode).toBe(204);
    expect(first.body).toBe('');
    expect(second.statusCode).toBe(404);
    expect(await storedItems()).toEqual([]);
  });

  it('honours If-Match', async () => {
    await create(iphone);

    const stale = await del('1', { 'If-Match': '2' });
    const current = await del('1', { 'If-Match': '1' });

    expect(stale.statusCode).toBe(412);
    expect(current.statusCode).toBe(204);
  });
});

describe('failures and logging', () => {
  it('answers 500 without internals when DynamoDB fails unexpectedly', async () => {
    engine.tableName = 'no-such-table';
    h = harness(engine);

    const result = await h.handler(proxyEvent('GET', '/product/{id}', { pathParameters: { id: '1' } }));

    expect(result.statusCode).toBe(500);
    expect(result.body).not.toMatch(/ResourceNotFound|no-such-table|at /);
    expect(JSON.parse(h.logs[0] as string)).toMatchObject({
      level: 'ERROR',
      status: 500,
      error: { name: 'ResourceNotFoundException' },
    });
  });

  it('answers 503 with Retry-After when DynamoDB throttles', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
    const { createHandler } = await import('../../src/handler/create-handler.js');
    const handler = createHandler({
      client: { scan: async () => Promise.reject(throttled) } as never,
      tableName: 'product',
      log: () => {},
      now: () => new Date(),
      newId: () => 'x',
    });

    const result = await handler(proxyEvent('GET', '/product'));

    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
  });

  it('writes one JSON log line per request with id, method, resource, status and duration', async () => {
    await h.handler(proxyEvent('GET', '/product/{id}', { pathParameters: { id: '1' } }), { awsRequestId: 'abc-123' });

    expect(h.logs).toHaveLength(1);
    expect(JSON.parse(h.logs[0] as string)).toMatchObject({
      requestId: 'abc-123',
      method: 'GET',
      resource: '/product/{id}',
      status: 404,
      durationMs: expect.any(Number),
    });
  });

  it('answers 405 for a method the resource does not have', async () => {
    const result = await h.handler(proxyEvent('PUT', '/product/{id}', { pathParameters: { id: '1' } }));

    expect(result.statusCode).toBe(405);
    expect(result.headers?.Allow).toBe('GET, PATCH, DELETE');
  });
});
