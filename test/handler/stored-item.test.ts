// Items written by other tools: the tutorial's (no version, timestamps, maybe no description) and wrong types.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROBLEM_CONTENT_TYPE } from '../../src/contract/index.js';
import { readStoredItem } from '../../src/handler/stored-item.js';
import { buildOpenApiDocument } from '../../src/openapi/document.js';
import { startTestEngine, type TestEngine } from '../helpers/dynamo-engine.js';
import { bodyOf, harness, type Harness } from '../helpers/handler-harness.js';
import { proxyEvent } from '../helpers/proxy-event.js';

const TUTORIAL = [
  { id: 't1', title: 'IPhone', description: 'This is an IPhone', price: 900 },
  { id: 't2', title: 'IPad', price: 499 },
];

const document = buildOpenApiDocument({ version: 'test' }) as unknown as {
  components: {
    schemas: { Product: { properties: Record<string, { type: string; minimum?: number }>; required: string[] } };
    headers: { ETag: { schema: { pattern: string } } };
  };
};

/** Where a body breaks the OpenAPI document's Product schema (types, required fields, no others). */
function schemaProblems(body: Record<string, unknown>): string[] {
  const { properties, required } = document.components.schemas.Product;
  const problems = required.filter((field) => !(field in body)).map((field) => `${field} missing`);
  for (const [field, value] of Object.entries(body)) {
    const schema = properties[field];
    if (!schema) problems.push(`${field} not in the schema`);
    else if (schema.type === 'integer' ? !Number.isInteger(value) : typeof value !== schema.type)
      problems.push(`${field} is not ${schema.type}`);
    else if (schema.minimum !== undefined && (value as number) < schema.minimum)
      problems.push(`${field} below ${schema.minimum}`);
  }
  return problems;
}

function expectProduct(result: APIGatewayProxyResult, version: number) {
  expect(result.statusCode).toBe(200);
  const body = bodyOf(result);
  expect(schemaProblems(body)).toEqual([]);
  expect(body.version).toBe(version);
  expect(result.headers?.ETag).toBe(`"${version}"`);
  expect(result.headers?.ETag).toMatch(new RegExp(document.components.headers.ETag.schema.pattern));
  return body;
}

let engine: TestEngine;
let h: Harness;

beforeAll(async () => {
  engine = await startTestEngine('tutorial-items');
});
afterAll(async () => {
  await engine.stop();
});
beforeEach(async () => {
  h = harness(engine);
  for (const Item of TUTORIAL) await engine.documentClient.send(new PutCommand({ TableName: engine.tableName, Item }));
});

const get = (id: string) => h.handler(proxyEvent('GET', '/product/{id}', { pathParameters: { id } }));
const patch = (id: string, body: unknown, version?: number) =>
  h.handler(
    proxyEvent('PATCH', '/product/{id}', {
      pathParameters: { id },
      body,
      headers: { 'Content-Type': 'application/json', ...(version !== undefined ? { 'If-Match': `"${version}"` } : {}) },
    }),
  );

describe('the tutorial items', () => {
  it('reads a missing version as 0 and a missing description as empty, with no timestamps', () => {
    expect(readStoredItem(TUTORIAL[1] as Record<string, unknown>)).toEqual({
      ok: true,
      product: { id: 't2', title: 'IPad', description: '', price: 499, version: 0 },
    });
  });

  it('GET answers each one as the OpenAPI document describes, with ETag "0"', async () => {
    const body = expectProduct(await get('t1'), 0);
    expect(body).toEqual({ ...TUTORIAL[0], version: 0 });
    expect(expectProduct(await get('t2'), 0)).toEqual({ ...TUTORIAL[1], description: '', version: 0 });
  });

  it('GET /product lists them, each matching the schema', async () => {
    const result = await h.handler(proxyEvent('GET', '/product', { query: { limit: '100' } }));
    expect(result.statusCode).toBe(200);
    const page = bodyOf<{ items: Record<string, unknown>[] }>(result);
    const ours = page.items.filter((item) => String(item.id).startsWith('t'));
    expect(ours.map((item) => item.id).sort()).toEqual(['t1', 't2']);
    for (const item of ours) expect(schemaProblems(item)).toEqual([]);
  });

  it('PATCH with If-Match: 0 makes the first change version 1; a second If-Match: 0 gets 412', async () => {
    const changed = expectProduct(await patch('t2', { price: 450 }, 0), 1);
    expect(changed).toMatchObject({ id: 't2', title: 'IPad', description: '', price: 450, version: 1 });
    expect(typeof changed.updatedAt).toBe('string');
    const stale = await patch('t2', { price: 400 }, 0);
    expect(stale.statusCode).toBe(412);
    expect(stale.headers?.ETag).toBe('"1"');
    expectProduct(await patch('t1', { title: 'IPhone 16' }), 1);
  });

  it('DELETE with If-Match: 0 deletes an item that has no version', async () => {
    const result = await h.handler(
      proxyEvent('DELETE', '/product/{id}', { pathParameters: { id: 't1' }, headers: { 'If-Match': '0' } }),
    );
    expect(result.statusCode).toBe(204);
    expect((await get('t1')).statusCode).toBe(404);
  });
});

describe('an item of wrong types written by another tool', () => {
  beforeEach(async () => {
    await engine.documentClient.send(
      new PutCommand({ TableName: engine.tableName, Item: { id: 'bad', title: 42, price: '900', version: 'seven' } }),
    );
  });

  it.each([
    ['GET', () => get('bad')],
    ['PATCH', () => patch('bad', { price: 10 })],
    ['PATCH with If-Match', () => patch('bad', { price: 10 }, 7)],
  ])('%s answers a problem naming the fields, with no internals', async (_what, call) => {
    const result = await call();
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['Content-Type']).toBe(PROBLEM_CONTENT_TYPE);
    const body = bodyOf(result);
    expect(body.detail).toBe(
      'the stored product bad cannot be read (title is a number, not a string; price is a string, not a number; version is a string, not a whole number); it was written by another tool: correct or delete that item in the table',
    );
    expect(body.errors.map((e: { field: string }) => e.field)).toEqual(['title', 'price', 'version']);
    expect(result.body).not.toMatch(/ValidationException|stack|at .*\.js/);
    // The request log line is a handled problem, not a crash.
    expect(JSON.parse(h.logs.at(-1) ?? '{}')).toMatchObject({ status: 500 });
  });

  it('GET /product answers 200 with every readable product and names the skipped id and its fields', async () => {
    const result = await h.handler(proxyEvent('GET', '/product', { query: { limit: '100' } }));

    expect(result.statusCode).toBe(200);
    const page = bodyOf<{
      items: { id: string }[];
      skipped: { id: string; errors: { field: string; message: string }[] }[];
    }>(result);
    expect(page.items.map((item) => item.id)).toEqual(expect.arrayContaining(['t1', 't2']));
    expect(page.items.map((item) => item.id)).not.toContain('bad');
    expect(page.skipped).toEqual([
      {
        id: 'bad',
        errors: [
          { field: 'title', message: 'is a number, not a string' },
          { field: 'price', message: 'is a string, not a number' },
          { field: 'version', message: 'is a string, not a whole number' },
        ],
      },
    ]);
  });

  it('PATCH leaves the item as it was', async () => {
    await patch('bad', { price: 10 });
    const { Item } = await engine.documentClient.send(
      new GetCommand({ TableName: engine.tableName, Key: { id: 'bad' } }),
    );
    expect(Item).toEqual({ id: 'bad', title: 42, price: '900', version: 'seven' });
  });
});

describe('an item whose version another tool wrote as NULL', () => {
  beforeEach(async () => {
    await engine.documentClient.send(
      new PutCommand({
        TableName: engine.tableName,
        Item: { id: 'nullv', title: 'IPod', description: '', price: 99, version: null },
      }),
    );
  });

  it('GET reads it as version 0, and PATCH, with or without If-Match: 0, makes it version 1', async () => {
    expectProduct(await get('nullv'), 0);
    expect(expectProduct(await patch('nullv', { price: 89 }), 1)).toMatchObject({ price: 89, version: 1 });
    await engine.documentClient.send(
      new PutCommand({
        TableName: engine.tableName,
        Item: { id: 'nullv', title: 'IPod', description: '', price: 99, version: null },
      }),
    );
    expect(expectProduct(await patch('nullv', { price: 79 }, 0), 1)).toMatchObject({ price: 79, version: 1 });
  });

  it('PATCH with If-Match of another version gets 412 naming version 0', async () => {
    const stale = await patch('nullv', { price: 1 }, 3);
    expect(stale.statusCode).toBe(412);
    expect(bodyOf(stale).detail).toBe('product nullv is at version 0, not 3; get it again and retry');
    expect(stale.headers?.ETag).toBe('"0"');
  });

  it('DELETE with If-Match: 0 deletes it', async () => {
    const result = await h.handler(
      proxyEvent('DELETE', '/product/{id}', { pathParameters: { id: 'nullv' }, headers: { 'If-Match': '0' } }),
    );
    expect(result.statusCode).toBe(204);
  });
});
