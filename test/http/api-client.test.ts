import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { problem, productPath, type Product } from '../../src/contract/index.js';
import { ApiError, ConflictError, EXIT, NotFoundError, UsageError } from '../../src/errors.js';
import { ProductApi, type Exchange, type ProductApiOptions } from '../../src/http/api-client.js';
import {
  dropConnection,
  hang,
  reply,
  startScriptedServer,
  type Responder,
  type ScriptedServer,
} from './helpers/scripted-server.js';

const product: Product = {
  id: '1',
  title: 'IPhone',
  description: 'This is an IPhone',
  price: 900,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
};

let server: ScriptedServer | undefined;
let api: ProductApi | undefined;

afterEach(async () => {
  await api?.close();
  await server?.stop();
  api = undefined;
  server = undefined;
});

/** A client of a scripted server, with short waits and every attempt recorded. */
/** Every test runs over both transports, since retries and errors must not depend on which one carries them. */
let transport: 'undici' | 'node' = 'undici';

async function clientFor(responders: Responder[] | Responder, options: Partial<ProductApiOptions> = {}) {
  server = await startScriptedServer(responders);
  const exchanges: Exchange[] = [];
  const notices: string[] = [];
  api = new ProductApi({
    baseUrl: server.url,
    baseDelayMs: 10,
    random: () => 1,
    onExchange: (exchange) => exchanges.push(exchange),
    onNotice: (message) => notices.push(message),
    transport,
    ...options,
  });
  return { api, server, exchanges, notices };
}

describe.each(['undici', 'node'] as const)('over %s', (name) => {
  beforeAll(() => {
    transport = name;
  });

  describe('requests', () => {
    it('sends the stage path, JSON body, accept header and API key', async () => {
      const { api, server } = await clientFor(reply(201, product), { apiKey: 'secret-key' });

      await api.create({ id: '1', title: 'IPhone', description: 'This is an IPhone', price: 900 });

      const [seen] = server.requests;
      expect(seen?.method).toBe('POST');
      expect(seen?.url).toBe('/prod/product');
      expect(seen?.headers['x-api-key']).toBe('secret-key');
      expect(seen?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(seen?.body ?? '')).toEqual({
        id: '1',
        title: 'IPhone',
        description: 'This is an IPhone',
        price: 900,
      });
    });

    it('puts the id in the path as the contract spells it and sends If-Match with the version', async () => {
      const { api, server } = await clientFor(reply(200, { ...product, version: 4 }));

      await api.update('a:b.c', { price: 1 }, { ifVersion: 3 });

      expect(server.requests[0]?.url).toBe(`/prod${productPath('a:b.c')}`);
      expect(server.requests[0]?.headers['if-match']).toBe('"3"');
    });

    it('refuses a success without JSON, as from a server that is not the product API', async () => {
      const { api } = await clientFor([
        (_request, response) => void response.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'),
        reply(200, { unrelated: true }),
      ]);

      await expect(api.get('1')).rejects.toThrow(/\/prod does not look like the product API \(got 200 text\/html\)/);
      await expect(api.listPage()).rejects.toThrow(/does not look like the product API \(got 200 application\/json\)/);
    });

    it('returns any status from the low-level request without throwing', async () => {
      const { api } = await clientFor(reply(418, { message: 'teapot' }, { 'x-extra': 'yes' }));

      const response = await api.request('GET', '/anything', { query: { a: 1, b: undefined } });

      expect(response.status).toBe(418);
      expect(response.body).toEqual({ message: 'teapot' });
      expect(response.headers['x-extra']).toBe('yes');
      expect(response.attempts).toBe(1);
    });
  });

  describe('retries', () => {
    it('retries a GET on 503 with exponential backoff and full jitter', async () => {
      const { api, server, exchanges } = await clientFor(
        [reply(503, {}), reply(503, {}), reply(503, {}), reply(200, product)],
        { random: () => 0.5 },
      );

      const got = await api.get('1');

      expect(got).toEqual(product);
      expect(server.requests).toHaveLength(4);
      // Full jitter: random × min(max, base × 2^(n-1)); random is 0.5 here and base 10 ms.
      expect(exchanges.map((exchange) => exchange.retryInMs)).toEqual([5, 10, 20, undefined]);
    });

    it('caps the backoff at maxDelayMs', async () => {
      const { api, exchanges } = await clientFor([reply(502), reply(502), reply(502), reply(200, product)], {
        baseDelayMs: 10,
        maxDelayMs: 25,
      });

      await api.get('1');

      expect(exchanges.map((exchange) => exchange.retryInMs)).toEqual([10, 20, 25, undefined]);
    });

    it.each([
      ['seconds', '1', 1000],
      // A date has whole seconds, and time passes before it is read: at least half a second is left of it.
      ['an HTTP date', () => new Date(Date.now() + 2_000).toUTCString(), 500],
    ])('honours Retry-After given as %s', async (_form, value, atLeast) => {
      const header = typeof value === 'function' ? value() : value;
      const { api, server, exchanges } = await clientFor([
        reply(429, { message: 'Too Many Requests' }, { 'retry-after': header }),
        reply(200, product),
      ]);

      await api.get('1');

      expect(server.requests).toHaveLength(2);
      expect(exchanges[0]?.retryInMs).toBeGreaterThanOrEqual(atLeast);
      expect(exchanges[0]?.retryInMs).toBeLessThanOrEqual(2_000);
    });

    it('gives up when Retry-After asks for longer than it will wait', async () => {
      const { api, server } = await clientFor(reply(429, { message: 'Too Many Requests' }, { 'retry-after': '120' }));

      const error = await api.get('1').catch((caught: unknown) => caught);

      expect(server.requests).toHaveLength(1);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).message).toContain('429');
    });

    it('stops after the configured retries and says how many attempts it made', async () => {
      const { api, server } = await clientFor(
        reply(503, problem('unavailable', 'the product table is busy; retry after a moment')),
        { retries: 2 },
      );

      const error = await api.get('1').catch((caught: unknown) => caught);

      expect(server.requests).toHaveLength(3);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).message).toContain('Service busy: the product table is busy');
      expect((error as ApiError).message).toContain('after 3 attempts');
      expect((error as ApiError).exitCode).toBe(EXIT.api);
    });

    it('does not retry a POST without an id after a 502, since the function may have run', async () => {
      const { api, server } = await clientFor([reply(502, { message: 'Internal server error' }), reply(201, product)]);

      const error = await api.create({ title: 'IPhone', price: 900 }).catch((caught: unknown) => caught);

      expect(server.requests).toHaveLength(1);
      expect((error as ApiError).message).toContain('502 Internal server error');
    });

    it('does not retry a POST without an id whose answer was lost', async () => {
      const { api, server } = await clientFor([dropConnection, reply(201, product)]);

      const error = await api.create({ title: 'IPhone', price: 900 }).catch((caught: unknown) => caught);

      expect(server.requests).toHaveLength(1);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).message).toContain(`cannot reach ${server?.url}/product for POST`);
    });

    it.each([429, 503])('retries a POST without an id after %i, which the API did not act on', async (status) => {
      const { api, server } = await clientFor([reply(status, {}), reply(201, product)]);

      await expect(api.create({ title: 'IPhone', price: 900 })).resolves.toEqual(product);
      expect(server.requests).toHaveLength(2);
    });

    it('retries a POST with an id after a lost answer and reports the product it created then', async () => {
      const { api, server, notices } = await clientFor([
        dropConnection,
        reply(409, problem('conflict', 'a product with id 1 already exists')),
        reply(200, product),
      ]);

      const created = await api.create({ id: '1', title: 'IPhone', description: 'This is an IPhone', price: 900 });

      expect(created).toEqual(product);
      expect(server.requests.map((request) => request.method)).toEqual(['POST', 'POST', 'GET']);
      expect(notices).toEqual(['an earlier attempt, whose answer was lost, created product 1']);
    });

    it('reports a conflict when the product found after a lost answer is not the one it sent', async () => {
      const { api } = await clientFor([
        dropConnection,
        reply(409, problem('conflict', 'a product with id 1 already exists')),
        reply(200, { ...product, title: 'Someone else' }),
      ]);

      const error = await api.create({ id: '1', title: 'IPhone', price: 900 }).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).message).toMatch(/already exists.*answer was lost/);
    });

    it('reports a plain 409 as a conflict without looking further', async () => {
      const { api, server } = await clientFor(reply(409, problem('conflict', 'a product with id 1 already exists')));

      const error = await api.create({ id: '1', title: 'IPhone', price: 900 }).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).message).toBe('a product with id 1 already exists');
      expect(server.requests).toHaveLength(1);
    });

    it('retries a PATCH only when it carries If-Match', async () => {
      const first = await clientFor([reply(504, { message: 'Endpoint request timed out' }), reply(200, product)]);
      await expect(first.api.update('1', { price: 1 })).rejects.toThrow(/504 Endpoint request timed out/);
      expect(first.server.requests).toHaveLength(1);
      await first.api.close();
      await first.server.stop();

      const second = await clientFor([
        reply(504, { message: 'Endpoint request timed out' }),
        reply(200, { ...product, price: 1, version: 2 }),
      ]);
      await expect(second.api.update('1', { price: 1 }, { ifVersion: 1 })).resolves.toMatchObject({ version: 2 });
      expect(second.server.requests).toHaveLength(2);
    });

    it('treats a 412 after a lost conditional PATCH as success when the product shows the change', async () => {
      const { api, notices } = await clientFor([
        dropConnection,
        reply(412, problem('preconditionFailed', 'product 1 is at version 2, not 1')),
        reply(200, { ...product, price: 1, version: 2 }),
      ]);

      await expect(api.update('1', { price: 1 }, { ifVersion: 1 })).resolves.toMatchObject({ price: 1, version: 2 });
      expect(notices).toHaveLength(1);
    });

    it('treats a 404 after a lost DELETE as done, and says so', async () => {
      const { api, server, notices } = await clientFor([
        dropConnection,
        reply(404, problem('notFound', 'no product has id 1')),
      ]);

      await expect(api.delete('1')).resolves.toBeUndefined();
      expect(server.requests).toHaveLength(2);
      expect(notices[0]).toContain('product 1 is gone');
    });

    it('retries a GET whose connection is refused, then reports the URL', async () => {
      server = await startScriptedServer(reply(200));
      const url = server.url;
      await server.stop();
      server = undefined;
      const exchanges: Exchange[] = [];
      const notices: string[] = [];
      api = new ProductApi({
        baseUrl: url,
        baseDelayMs: 1,
        retries: 2,
        transport,
        onExchange: (exchange) => exchanges.push(exchange),
        onRetry: (text) => notices.push(text),
      });

      const error = await api.get('1').catch((caught: unknown) => caught);

      expect(exchanges).toHaveLength(3);
      expect(notices).toEqual([
        `cannot reach ${url}/product/1 for GET: connection refused; trying again (up to 2 more attempts)…`,
      ]);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).message).toBe(
        `cannot reach ${url}/product/1 for GET: connection refused (3 attempts); is the API running? \`products-cli setup --local\` starts one`,
      );
    });
  });

  describe('timeouts and aborts', () => {
    it('ends an attempt that gets no answer within the timeout', async () => {
      const { api, server } = await clientFor(hang, { timeoutMs: 200, retries: 1 });

      const error = await api.get('1').catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).message).toContain('no answer within the timeout');
      expect(server.requests).toHaveLength(2);
    });

    it('ends an attempt whose answer stalls halfway', async () => {
      const stall: Responder = (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        response.write('{"id":');
        return new Promise<void>(() => undefined);
      };
      const { api } = await clientFor(stall, { timeoutMs: 200, retries: 0 });

      const error = await api.get('1').catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).message).toContain('the answer stalled past the timeout');
    });

    it('retries a GET whose connection closes halfway through the answer', async () => {
      const cut: Responder = (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        response.write('{"id":', () => response.socket?.destroy());
      };
      const { api, server } = await clientFor([cut, reply(200, product)]);

      await expect(api.get('1')).resolves.toEqual(product);
      expect(server.requests).toHaveLength(2);
    });

    it('stops at once when the signal aborts, with the abort rather than an API error', async () => {
      const controller = new AbortController();
      const { api } = await clientFor(hang, { signal: controller.signal });

      const pending = api.get('1').catch((caught: unknown) => caught);
      setTimeout(() => controller.abort(new Error('interrupted')), 50);
      const error = await pending;

      expect(error).not.toBeInstanceOf(ApiError);
      expect((error as Error).message).toBe('interrupted');
    });
  });

  describe('errors from answers', () => {
    it.each([
      [404, problem('notFound', 'no product has id 9'), NotFoundError, 'no product has id 9'],
      [
        409,
        problem('conflict', 'a product with id 1 already exists'),
        ConflictError,
        'a product with id 1 already exists',
      ],
      [
        412,
        problem('preconditionFailed', 'product 1 is at version 3, not 2; get it again and retry'),
        ConflictError,
        'product 1 is at version 3, not 2',
      ],
      [
        400,
        problem('validation', 'the product is not valid; see errors', [
          { field: 'price', message: 'must be a number' },
        ]),
        UsageError,
        'Invalid request: price must be a number',
      ],
      [
        413,
        problem('tooLarge', 'body is 70000 bytes; the limit is 65536'),
        UsageError,
        'Body too large: body is 70000 bytes',
      ],
      [
        415,
        problem('unsupportedMediaType', 'Content-Type text/plain is not supported'),
        UsageError,
        'Unsupported media type',
      ],
      [
        500,
        problem('internal', 'quote request id r-1 when reporting it'),
        ApiError,
        'Internal error: quote request id r-1 when reporting it (HTTP 500',
      ],
      [403, { message: 'Missing Authentication Token' }, ApiError, 'check that the URL ends with the stage'],
      [403, { message: 'Forbidden' }, ApiError, 'PRODUCTS_API_KEY'],
      [401, 'plain text failure', ApiError, 'does not look like the product API (got 401 application/json)'],
    ])('turns a %i into the right error', async (status, body, errorClass, text) => {
      const { api } = await clientFor(reply(status, body));

      const error = await api.get('9').catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(errorClass);
      expect((error as Error).message).toContain(text);
      expect((error as Error).message).not.toContain('{');
    });
  });

  describe('listing', () => {
    /** Serves `total` products in pages of the requested size, with cursors that are offsets. */
    function pagedList(total: number): Responder {
      return (request, response) => {
        const url = new URL(request.url, 'http://x');
        const limit = Number(url.searchParams.get('limit') ?? 50);
        const start = Number(url.searchParams.get('cursor') ?? 0);
        const items = Array.from({ length: Math.max(0, Math.min(limit, total - start)) }, (_, i) => ({
          ...product,
          id: String(start + i),
        }));
        const next = start + items.length < total ? String(start + items.length) : null;
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ items, nextCursor: next }));
      };
    }

    it('follows cursors to the end', async () => {
      const { api, server } = await clientFor(pagedList(7));

      const ids: string[] = [];
      for await (const item of api.listAll({ pageSize: 3 })) ids.push(item.id);

      expect(ids).toEqual(['0', '1', '2', '3', '4', '5', '6']);
      expect(server.requests.map((request) => request.url)).toEqual([
        '/prod/product?limit=3',
        '/prod/product?limit=3&cursor=3',
        '/prod/product?limit=3&cursor=6',
      ]);
    });

    it('stops at max, asking only for what it still needs', async () => {
      const { api, server } = await clientFor(pagedList(100));

      const ids: string[] = [];
      for await (const item of api.listAll({ pageSize: 4, max: 6 })) ids.push(item.id);

      expect(ids).toEqual(['0', '1', '2', '3', '4', '5']);
      expect(server.requests.map((request) => request.url)).toEqual([
        '/prod/product?limit=4',
        '/prod/product?limit=2&cursor=4',
      ]);
    });

    it('yields each page before asking for the next', async () => {
      const { api, server } = await clientFor(pagedList(6));
      const seenBeforeNext: number[] = [];

      for await (const _page of api.pages({ pageSize: 2 })) seenBeforeNext.push(server.requests.length);

      expect(seenBeforeNext).toEqual([1, 2, 3]);
    });
  });
});
