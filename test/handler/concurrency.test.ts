import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/dynamo-engine.js';
import { bodyOf, harness } from '../helpers/handler-harness.js';
import { proxyEvent } from '../helpers/proxy-event.js';
import { product } from '../helpers/product.js';

describe('two writers with If-Match', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => {
    await engine.stop();
  });

  it.each([1, 2, 3, 4, 5])('lets exactly one of two PATCHes of the same version win (round %i)', async (round) => {
    // Prepare
    const writerA = harness(engine);
    const writerB = harness(engine);
    const id = `race-${round}`;
    await writerA.handler(proxyEvent('POST', '/product', { body: product({ id }) }));
    const patch = (title: string) =>
      proxyEvent('PATCH', '/product/{id}', {
        pathParameters: { id },
        body: { title },
        headers: { 'Content-Type': 'application/json', 'If-Match': '1' },
      });

    // Act
    const results = await Promise.all([writerA.handler(patch('from A')), writerB.handler(patch('from B'))]);

    // Assess
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 412]);
    const winner = results.find((r) => r.statusCode === 200)!;
    const stored = bodyOf(await writerA.handler(proxyEvent('GET', '/product/{id}', { pathParameters: { id } })));
    expect(stored).toEqual(bodyOf(winner));
    expect(stored.version).toBe(2);
  });

  it('lets exactly one of many concurrent creates of one id win', async () => {
    const writers = Array.from({ length: 8 }, () => harness(engine));

    const results = await Promise.all(
      writers.map((w, i) =>
        w.handler(proxyEvent('POST', '/product', { body: { id: 'race-create', title: `t${i}`, price: i } })),
      ),
    );

    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(7);
  });
});
