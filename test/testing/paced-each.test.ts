// pacedEach and the bench's clean-up give up on an API that throttles everything, instead of retrying forever.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors.js';
import { ProductApi } from '../../src/http/api-client.js';
import { deleteProducts } from '../../src/testing/bench-data.js';
import { pacedEach } from '../../src/testing/paced-each.js';

/** A clock that moves a second on every reading, so that a 10 s stall limit is reached in a few sends. */
function steppingClock(stepMs = 1000): () => number {
  let now = 0;
  return () => (now += stepMs);
}

describe('pacedEach', () => {
  it('rejects once every send has been throttled for stallMs, after sending the rest', async () => {
    let sends = 0;
    const error = await pacedEach([1, 2, 3], { concurrency: 1, stallMs: 10_000, now: steppingClock() }, async () => {
      sends++;
      return { throttled: true, retryAfterMs: 0 };
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe('the API throttled every request for 10 s; try again later');
    expect(sends).toBeGreaterThan(1);
    expect(sends).toBeLessThan(20);
  });

  it('keeps going while some sends get through', async () => {
    const done: number[] = [];
    let calls = 0;
    await pacedEach([1, 2, 3, 4], { concurrency: 1, stallMs: 10_000, now: steppingClock() }, async (item) => {
      // Every item is throttled three times (3 s on the clock), then answered: never a 10 s stall.
      if (++calls % 4 !== 0) return { throttled: true, retryAfterMs: 0 };
      done.push(item);
    });
    expect(done).toEqual([1, 2, 3, 4]);
  });
});

describe('deleteProducts against a stage that answers only 429', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('stops and counts every product it could not delete as left behind', async () => {
    let requests = 0;
    server = createServer((_req, res) => {
      requests++;
      res
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' })
        .end('{"message":"Too Many Requests"}');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const api = new ProductApi({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`,
      retries: 0,
    });
    try {
      expect(await deleteProducts(api, ['a', 'b', 'c'], 2, { stallMs: 10_000, now: steppingClock() })).toEqual({
        deleted: 0,
        left: 3,
      });
    } finally {
      await api.close();
    }
    expect(requests).toBeGreaterThan(0);
  });
});
