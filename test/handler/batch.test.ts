// The batch routes through the handler, on a real engine (dynalite; DynamoDB Local with TEST_DYNAMODB_ENDPOINT):
// every per-item outcome, the envelope's rules and limits, and what DynamoDB leaves unprocessed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BATCH_MAX_BODY_BYTES, BATCH_MAX_ITEMS, MAX_BODY_BYTES } from '../../src/contract/index.js';
import { createHandler } from '../../src/handler/create-handler.js';
import type { DynamoClient } from '../../src/handler/dynamo-client/client.js';
import { startTestEngine, type TestEngine } from '../helpers/dynamo-engine.js';
import { bodyOf, harness } from '../helpers/handler-harness.js';
import { proxyEvent } from '../helpers/proxy-event.js';

let engine: TestEngine;
let run = 0;
let prefix = '';
beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(async () => {
  await engine?.stop();
});
beforeEach(() => {
  prefix = `b${++run}-${Date.now()}`;
});

const product = (id: string, title = `Product ${id}`) => ({ id, title, price: 10 });
const createMany = (items: unknown, handler = harness(engine).handler) =>
  handler(proxyEvent('POST', '/products', { body: { items } }), {} as never);
const deleteMany = (ids: unknown, handler = harness(engine).handler) =>
  handler(proxyEvent('DELETE', '/products', { body: { ids } }), {} as never);
const stored = async (id: string) =>
  (await engine.itemClient.getItem({ TableName: engine.tableName, Key: { id }, ConsistentRead: true })).Item;

describe('POST /products', () => {
  it('answers each item: created, exists (never overwritten), invalid with its field errors; one bad item fails no other', async () => {
    // Prepare: one id already stored
    const { handler } = harness(engine);
    expect(
      (await handler(proxyEvent('POST', '/product', { body: product(`${prefix}-old`, 'Original') }), {} as never))
        .statusCode,
    ).toBe(201);

    // Act
    const result = await createMany([
      product(`${prefix}-new`),
      product(`${prefix}-old`, 'Replacement'),
      { id: `${prefix}-bad`, title: '', price: 1.234 },
      product(`${prefix}-new`, 'Twice'),
      { title: 'No id', price: 5 },
    ]);

    // Assess
    expect(result.statusCode).toBe(200);
    const body = bodyOf(result);
    expect(body.results).toEqual([
      { index: 0, id: `${prefix}-new`, outcome: 'created' },
      { index: 1, id: `${prefix}-old`, outcome: 'exists' },
      {
        index: 2,
        id: `${prefix}-bad`,
        outcome: 'invalid',
        errors: [
          { field: 'title', message: 'must not be empty' },
          { field: 'price', message: 'must have at most 2 decimal places' },
        ],
      },
      { index: 3, id: `${prefix}-new`, outcome: 'exists' },
      { index: 4, id: expect.stringMatching(/^generated-/), outcome: 'created' },
    ]);
    expect(body.counts).toEqual({ created: 2, exists: 2, invalid: 1, throttled: 0 });
    expect(await stored(`${prefix}-new`)).toMatchObject({
      title: `Product ${prefix}-new`,
      price: 10,
      description: '',
      version: 1,
    });
    expect(await stored(`${prefix}-old`)).toMatchObject({ title: 'Original' });
    expect(await stored(`${prefix}-bad`)).toBeUndefined();
    expect(await stored(body.results[4].id)).toMatchObject({ title: 'No id', price: 5 });
  });

  it('creates a full batch in one request, and a rerun finds every item there', async () => {
    const items = Array.from({ length: BATCH_MAX_ITEMS }, (_, i) => product(`${prefix}-${i}`));
    expect(bodyOf(await createMany(items)).counts).toEqual({
      created: BATCH_MAX_ITEMS,
      exists: 0,
      invalid: 0,
      throttled: 0,
    });
    expect(bodyOf(await createMany(items)).counts).toEqual({
      created: 0,
      exists: BATCH_MAX_ITEMS,
      invalid: 0,
      throttled: 0,
    });
  });

  it.each([
    ['a body without items', {}, 'items', 'must be an array'],
    ['an empty batch', { items: [] }, 'items', `must hold 1 to ${BATCH_MAX_ITEMS} entries`],
    [
      'too many items',
      { items: Array.from({ length: BATCH_MAX_ITEMS + 1 }, () => ({})) },
      'items',
      `must hold 1 to ${BATCH_MAX_ITEMS} entries`,
    ],
    ['an unknown field', { items: [{}], extra: 1 }, 'extra', 'is not a known field (allowed: items)'],
  ])('refuses %s with 400 naming the field', async (_, body, field, message) => {
    const result = await harness(engine).handler(proxyEvent('POST', '/products', { body }), {} as never);
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([{ field, message }]);
  });

  it(`takes bodies up to ${BATCH_MAX_BODY_BYTES} bytes (POST /product stays at ${MAX_BODY_BYTES}), 413 past it`, async () => {
    const description = 'd'.repeat(3_000);
    const items = Array.from({ length: 300 }, (_, i) => ({ ...product(`${prefix}-${i}`), description }));
    expect(JSON.stringify({ items }).length).toBeGreaterThan(MAX_BODY_BYTES);
    expect(bodyOf(await createMany(items)).counts.created).toBe(300);
    const tooLarge = await createMany(
      Array.from({ length: 800 }, (_, i) => ({ ...product(`${prefix}-x${i}`), description })),
    );
    expect(tooLarge.statusCode).toBe(413);
  });
});

describe('DELETE /products', () => {
  it('answers each id: deleted, notFound, invalid; a second mention of an id is notFound', async () => {
    await createMany([product(`${prefix}-a`), product(`${prefix}-b`)]);
    const result = await deleteMany([`${prefix}-a`, `${prefix}-missing`, 'not an id!', `${prefix}-b`, `${prefix}-a`]);
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).results).toEqual([
      { index: 0, id: `${prefix}-a`, outcome: 'deleted' },
      { index: 1, id: `${prefix}-missing`, outcome: 'notFound' },
      {
        index: 2,
        id: 'not an id!',
        outcome: 'invalid',
        errors: [{ field: 'ids[2]', message: 'must be 1-128 characters of A-Z a-z 0-9 _ - . :' }],
      },
      { index: 3, id: `${prefix}-b`, outcome: 'deleted' },
      { index: 4, id: `${prefix}-a`, outcome: 'notFound' },
    ]);
    expect(await stored(`${prefix}-a`)).toBeUndefined();
    expect(await stored(`${prefix}-b`)).toBeUndefined();
  });
});

describe('what DynamoDB leaves unprocessed', () => {
  /** The engine's client, with DynamoDB's documented partial answers: the last `left` writes (or keys) unprocessed, `times` calls long. */
  function partial(options: { writes?: number; keys?: number; times: number; throttleCalls?: boolean }): DynamoClient {
    let calls = 0;
    const real = engine.itemClient;
    return {
      ...real,
      async batchGetItem(input) {
        const keep = options.keys && calls < options.times ? input.Keys.length - options.keys : input.Keys.length;
        if (options.keys) calls += 1;
        const answer =
          keep > 0 ? await real.batchGetItem({ ...input, Keys: input.Keys.slice(0, keep) }) : { Items: [] };
        return { Items: answer.Items, UnprocessedKeys: input.Keys.slice(keep) };
      },
      async batchWriteItem(input) {
        if (options.throttleCalls && calls++ < options.times)
          throw Object.assign(new Error('Throughput exceeds the current capacity'), {
            name: 'ProvisionedThroughputExceededException',
          });
        const keep =
          options.writes && calls < options.times ? input.Requests.length - options.writes : input.Requests.length;
        if (options.writes) calls += 1;
        if (keep > 0) await real.batchWriteItem({ ...input, Requests: input.Requests.slice(0, keep) });
        return { UnprocessedItems: input.Requests.slice(keep) };
      },
    };
  }
  const handlerOver = (client: DynamoClient) =>
    createHandler({
      client,
      tableName: engine.tableName,
      log: () => {},
      now: () => new Date(),
      newId: () => `${prefix}-gen`,
      batchBudgetMs: 300,
    });

  it('sends unprocessed writes again until they are done', async () => {
    const items = Array.from({ length: 30 }, (_, i) => product(`${prefix}-${i}`));
    const body = bodyOf(await createMany(items, handlerOver(partial({ writes: 2, times: 3 }))));
    expect(body.counts).toEqual({ created: 30, exists: 0, invalid: 0, throttled: 0 });
  });

  it('answers throttled for writes still unprocessed when the budget runs out, and created for the rest', async () => {
    const items = Array.from({ length: 5 }, (_, i) => product(`${prefix}-${i}`));
    const body = bodyOf(await createMany(items, handlerOver(partial({ writes: 1, times: Number.POSITIVE_INFINITY }))));
    expect(body.results.map((r: { outcome: string }) => r.outcome)).toEqual([
      'created',
      'created',
      'created',
      'created',
      'throttled',
    ]);
    expect(await stored(`${prefix}-4`)).toBeUndefined();
  });

  it('answers throttled for ids whose existence could not be read, and writes none of them', async () => {
    const items = Array.from({ length: 3 }, (_, i) => product(`${prefix}-${i}`));
    const body = bodyOf(await createMany(items, handlerOver(partial({ keys: 1, times: Number.POSITIVE_INFINITY }))));
    expect(body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['created', 'created', 'throttled']);
    expect(await stored(`${prefix}-2`)).toBeUndefined();
  });

  it('answers throttled when every write call is refused for throughput, and the rerun creates them', async () => {
    const items = Array.from({ length: 3 }, (_, i) => product(`${prefix}-${i}`));
    expect(
      bodyOf(await createMany(items, handlerOver(partial({ throttleCalls: true, times: Number.POSITIVE_INFINITY }))))
        .counts,
    ).toEqual({ created: 0, exists: 0, invalid: 0, throttled: 3 });
    expect(bodyOf(await createMany(items)).counts).toEqual({ created: 3, exists: 0, invalid: 0, throttled: 0 });
  });

  it('answers throttled for deletes still unprocessed', async () => {
    await createMany([product(`${prefix}-a`), product(`${prefix}-b`)]);
    const body = bodyOf(
      await deleteMany(
        [`${prefix}-a`, `${prefix}-b`],
        handlerOver(partial({ writes: 1, times: Number.POSITIVE_INFINITY })),
      ),
    );
    expect(body.counts).toEqual({ deleted: 1, notFound: 0, invalid: 0, throttled: 1 });
  });
});
