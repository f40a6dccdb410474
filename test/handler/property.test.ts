import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidProduct } from '../../src/contract/index.js';
import { startTestEngine, type TestEngine } from '../helpers/dynamo-engine.js';
import { harness } from '../helpers/handler-harness.js';
import { proxyEvent } from '../helpers/proxy-event.js';

const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const validId = fc.oneof(fc.constantFrom('1', '2', '3'), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,12}$/));
const idLike = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('1', '2', '3') }, validId, anyText);

/** Values that are sometimes right for a field and often wrong in every way JSON allows. */
const fieldValue = fc.oneof(
  anyText,
  fc.string({ maxLength: 300 }),
  fc.double(),
  fc.integer({ min: -10, max: 2_000_000_000 }),
  fc.integer({ min: 0, max: 100_000_000 }).map((cents) => cents / 100),
  fc.constantFrom(null, true, false, [], {}, '', '  ', 0, -0, 1e21),
  fc.jsonValue({ maxDepth: 2 }),
);

const productish = fc.dictionary(
  fc.oneof(fc.constantFrom('id', 'title', 'description', 'price', 'version', 'createdAt', 'updatedAt'), anyText),
  fieldValue,
  { maxKeys: 6 },
);

/** A valid product with one field replaced by any value, or one field dropped, or one field added. */
const nearlyValid = fc
  .tuple(
    fc.record({
      id: validId,
      title: fc.string({ minLength: 1, maxLength: 20 }),
      description: fc.string({ maxLength: 20 }),
      price: fc.integer({ min: 0, max: 100_000 }).map((c) => c / 100),
    }),
    fc.constantFrom('id', 'title', 'description', 'price', 'extra', 'version', 'none'),
    fieldValue,
    fc.boolean(),
  )
  .map(([product, field, value, drop]) => {
    const body: Record<string, unknown> = { ...product };
    if (field === 'none') return body;
    if (drop) delete body[field];
    else body[field] = value;
    return body;
  });

const rawBody = fc.oneof(
  { weight: 4, arbitrary: nearlyValid.map((value) => JSON.stringify(value)) },
  productish.map((value) => JSON.stringify(value)),
  fc
    .record({
      id: validId,
      title: fc.string({ minLength: 1, maxLength: 20 }),
      price: fc.integer({ min: 0, max: 1000 }),
    })
    .map((v) => JSON.stringify(v)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  anyText,
  fc.constant(''),
);

const route: fc.Arbitrary<[string, string]> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom<[string, string]>(
      ['POST', '/product'],
      ['GET', '/product'],
      ['GET', '/product/{id}'],
      ['PATCH', '/product/{id}'],
      ['DELETE', '/product/{id}'],
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('PUT', 'POST', 'HEAD'), fc.constantFrom('/product', '/product/{id}')),
  },
);

const request = fc.record({
  route,
  id: idLike,
  body: fc.option(rawBody, { nil: undefined }),
  base64: fc.boolean(),
  contentType: fc.option(
    fc.oneof(
      fc.constant('application/json'),
      fc.constantFrom('application/json', 'text/plain', 'application/x+json', 'application/json; charset=utf-8'),
      anyText,
    ),
    { nil: undefined },
  ),
  ifMatch: fc.option(fc.oneof(fc.constantFrom('1', '"2"', '*', 'W/"1"', '0', '-1', '99999999999999999999'), anyText), {
    nil: undefined,
  }),
  query: fc.option(
    fc.dictionary(
      fc.constantFrom('limit', 'cursor', 'other'),
      fc.oneof(
        anyText,
        fc.integer({ min: -5, max: 200 }).map(String),
        fc.array(anyText, { minLength: 2, maxLength: 2 }),
      ),
    ),
    { nil: undefined },
  ),
});

describe('any request', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('never gets a 5xx and never stores a product that breaks the contract', async () => {
    const { handler } = harness(engine);

    await fc.assert(
      fc.asyncProperty(request, async ({ route: [method, resource], ...r }) => {
        const headers: Record<string, string> = {};
        if (r.contentType !== undefined) headers['Content-Type'] = r.contentType;
        if (r.ifMatch !== undefined) headers['If-Match'] = r.ifMatch;
        const body =
          r.body === undefined ? undefined : r.base64 ? Buffer.from(r.body, 'utf8').toString('base64') : r.body;
        const event = proxyEvent(method, resource, {
          ...(resource === '/product/{id}' ? { pathParameters: { id: r.id } } : {}),
          ...(body === undefined ? {} : { body }),
          ...(r.query ? { query: r.query } : {}),
          headers,
          isBase64Encoded: r.base64 && body !== undefined,
        });

        const result = await handler(event);

        expect(result.statusCode, `${method} ${resource} -> ${result.body}`).toBeLessThan(500);
        expect(() => JSON.parse(result.body || 'null')).not.toThrow();
      }),
      { numRuns: 1500 },
    );

    const { Items = [] } = await engine.documentClient.send(new ScanCommand({ TableName: engine.tableName }));
    const invalid = Items.filter((item) => !isValidProduct(item));
    expect(invalid).toEqual([]);
  });
});
