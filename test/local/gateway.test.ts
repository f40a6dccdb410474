import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { writeTestFunctionZip } from './test-function.js';
import { send, type RawReply } from '../helpers/send.js';

let zip: string;
let stack: LocalStack;
const logs: string[] = [];

beforeAll(async () => {
  zip = await writeTestFunctionZip();
  stack = await startLocalStack({ port: 0, handlerZip: zip, throttle: null, log: (line) => logs.push(line) });
});
afterAll(async () => {
  await stack?.stop();
});

describe('routing', () => {
  it.each([
    ['an unknown resource', 'GET', '/prod/productz'],
    ['a method the batch resource lacks', 'GET', '/prod/products'],
    ['a path below a product', 'GET', '/prod/product/1/extra'],
    ['a method the resource lacks', 'PUT', '/prod/product/1'],
    ['POST on a product', 'POST', '/prod/product/1'],
    ['another stage', 'GET', '/dev/product'],
    ['no stage', 'GET', '/product'],
    ['the root', 'GET', '/'],
  ])('answers 403 Missing Authentication Token for %s', async (_name, method, path) => {
    const reply = await send(`http://127.0.0.1:${stack.port}${path}`, { method });

    expect(reply.status).toBe(403);
    expect(reply.text).toBe('{"message":"Missing Authentication Token"}');
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
  });

  it('serves the stage URL and names the request in x-amzn-RequestId', async () => {
    const reply = await send(`${stack.url}/product`);

    expect(stack.url).toBe(`http://127.0.0.1:${stack.port}/prod`);
    expect(reply.status).toBe(200);
    const { event, requestId } = JSON.parse(reply.text);
    expect(reply.headers['x-amzn-requestid']).toBe(requestId);
    expect(event.requestContext.requestId).toBe(requestId);
  });
});

describe('the proxy event over HTTP', () => {
  it('carries multi-value headers and query strings, the stage path and the caller', async () => {
    const reply = await send(`${stack.url}/product?limit=5&tag=a&tag=b%20c`, {
      headers: { 'X-Multi': ['one', 'two'], 'User-Agent': 'gateway-test' },
    });

    const { event, remainingMs } = JSON.parse(reply.text);
    expect(event.resource).toBe('/product');
    expect(event.path).toBe('/product');
    expect(event.httpMethod).toBe('GET');
    expect(event.headers['X-Multi']).toBe('two');
    expect(event.multiValueHeaders['X-Multi']).toEqual(['one', 'two']);
    expect(event.queryStringParameters).toEqual({ limit: '5', tag: 'b c' });
    expect(event.multiValueQueryStringParameters).toEqual({ limit: ['5'], tag: ['a', 'b c'] });
    expect(event.pathParameters).toBeNull();
    expect(event.body).toBeNull();
    expect(event.requestContext).toMatchObject({
      stage: 'prod',
      path: '/prod/product',
      identity: { sourceIp: '127.0.0.1', userAgent: 'gateway-test' },
    });
    expect(typeof event.requestContext.requestTimeEpoch).toBe('number');
    expect(remainingMs).toBeGreaterThan(0);
    expect(remainingMs).toBeLessThanOrEqual(29_000);
  });

  it('passes the {id} still percent-encoded', async () => {
    const reply = await send(`${stack.url}/product/sku%3A1`);

    const { event } = JSON.parse(reply.text);
    expect(event.resource).toBe('/product/{id}');
    expect(event.pathParameters).toEqual({ id: 'sku%3A1' });
    expect(event.requestContext.path).toBe('/prod/product/sku%3A1');
  });

  it('passes a binary body as base64 and a JSON body as text', async () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const binary = JSON.parse(
      (
        await send(`${stack.url}/product`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/octet-stream' },
          body: bytes,
        })
      ).text,
    );
    const json = JSON.parse(
      (
        await send(`${stack.url}/product`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"title":"é"}',
        })
      ).text,
    );

    expect(binary.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.event.body, 'base64')).toEqual(bytes);
    expect(json.event.isBase64Encoded).toBe(false);
    expect(json.event.body).toBe('{"title":"é"}');
  });

  it("gives the function its table, the engine's endpoint and credentials", async () => {
    const reply = await send(`${stack.url}/product/env`);

    expect(JSON.parse(reply.text)).toEqual({
      table: 'product',
      endpoint: stack.dynamodbEndpoint,
      region: expect.any(String),
      hasKey: true,
    });
  });

  it("passes the function's log lines on", async () => {
    const reply = await send(`${stack.url}/product`);

    const { requestId } = JSON.parse(reply.text);
    await expect.poll(() => logs).toContain(`echo ${requestId}`);
  });

  it('logs a request the function answered once (its own line), and one the gateway answered as a JSON request line', async () => {
    const answered = JSON.parse((await send(`${stack.url}/product`)).text).requestId as string;
    const refused = (await send(`${stack.url}/nothing`)).headers['x-amzn-requestid'] as string;

    await expect.poll(() => logs.some((line) => line.includes(refused))).toBe(true);
    expect(logs.filter((line) => line.includes(answered))).toEqual([`echo ${answered}`]);
    const line = JSON.parse(logs.find((entry) => entry.includes(refused)) as string);
    expect(line).toMatchObject({
      message: 'request',
      source: 'gateway',
      method: 'GET',
      path: '/nothing',
      status: 403,
      requestId: refused,
    });
  });
});

describe('the response', () => {
  it('decodes a base64 body from the function', async () => {
    const reply = await send(`${stack.url}/product/binary`);

    expect(reply.status).toBe(200);
    expect([...reply.body]).toEqual([0, 1, 254, 255]);
    expect(reply.headers['content-type']).toBe('application/octet-stream');
  });

  it('merges headers and multiValueHeaders, the multi-value list winning', async () => {
    const reply = await send(`${stack.url}/product/cookies`);

    expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(reply.headers['x-single']).toBe('one');
    expect(reply.headers['content-type']).toBe('application/json');
  });
});

describe('502 Internal server error', () => {
  it.each(['throw', 'object-body', 'no-status', 'undefined', 'extra-key', 'crash'])(
    'when the function does %s',
    async (id) => {
      const reply = await send(`${stack.url}/product/${id}`);

      expect(reply.status).toBe(502);
      expect(reply.text).toBe('{"message": "Internal server error"}');
      expect(reply.headers['x-amzn-errortype']).toBe('InternalServerErrorException');
    },
  );

  it('logs the error of a function that throws', async () => {
    await send(`${stack.url}/product/throw`);

    await expect.poll(() => logs.some((line) => line.includes('"errorMessage":"the function broke"'))).toBe(true);
  });

  it('replaces the sandbox lost to an exception outside the promise', async () => {
    await send(`${stack.url}/product/counter`);
    const before = Number((await send(`${stack.url}/product/counter`)).text);

    expect((await send(`${stack.url}/product/crash`)).status).toBe(502);
    const after = await send(`${stack.url}/product/counter`);

    expect(before).toBeGreaterThanOrEqual(2);
    expect(after.status).toBe(200);
    expect(Number(after.text)).toBe(1);
  });
});

describe('504 past the integration timeout', () => {
  let short: LocalStack;
  beforeAll(async () => {
    // The function may run on past the gateway's wait, as on AWS; a loop is ended by its own timeout.
    short = await startLocalStack({
      port: 0,
      handlerZip: zip,
      timeoutMs: 1000,
      functionTimeoutMs: 2000,
      throttle: null,
    });
  });
  afterAll(async () => {
    await short?.stop();
  });

  it.each(['slow', 'loop'])('when the function is %s, and a later request is served', async (id) => {
    const reply = await send(`${short.url}/product/${id}`);
    const next = await send(`${short.url}/product`);

    expect(reply.status).toBe(504);
    expect(reply.text).toBe('{"message": "Endpoint request timed out"}');
    expect(next.status).toBe(200);
  });
});

describe('502 past the function timeout', () => {
  let short: LocalStack;
  const logs: string[] = [];
  beforeAll(async () => {
    short = await startLocalStack({
      port: 0,
      handlerZip: zip,
      timeoutMs: 5000,
      functionTimeoutMs: 500,
      throttle: null,
      log: (line) => logs.push(line),
    });
  });
  afterAll(async () => {
    await short?.stop();
  });

  it.each(['slow', 'loop'])('when the function is %s: the invocation fails, as Lambda ends it', async (id) => {
    const reply = await send(`${short.url}/product/${id}`);
    const next = await send(`${short.url}/product`);

    expect(reply.status).toBe(502);
    expect(reply.text).toBe('{"message": "Internal server error"}');
    expect(logs.some((line) => line.includes('Task timed out after 0.50 seconds'))).toBe(true);
    expect(next.status).toBe(200);
  });
});

describe('413 past 10 MB', () => {
  it('refuses a body over 10 MB without calling the function, and accepts the next request', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x61);
    const reply = await send(`${stack.url}/product`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: big,
    });
    const next = await send(`${stack.url}/product`);

    expect(reply.status).toBe(413);
    expect(reply.text).toBe('HTTP content length exceeded 10485760 bytes.');
    expect(next.status).toBe(200);
  });
});

describe('429 past the stage throttle', () => {
  it('serves the burst, then answers Too Many Requests', async () => {
    // A rate so low that no token comes back during the test: exactly the burst is served.
    const throttled = await startLocalStack({
      port: 0,
      handlerZip: zip,
      throttle: { rateLimit: 0.001, burstLimit: 3 },
    });
    try {
      const statuses: number[] = [];
      let last: RawReply | undefined;
      for (let index = 0; index < 5; index += 1) {
        last = await send(`${throttled.url}/product`);
        statuses.push(last.status);
      }
      const unknown = await send(`${throttled.url}/nothing-here`);

      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(last?.text).toBe('{"message":"Too Many Requests"}');
      expect(unknown.status).toBe(403);
    } finally {
      await throttled.stop();
    }
  });

  it('logs the first 429 of each second as a request and counts the rest in one line', async () => {
    const logs: string[] = [];
    const throttled = await startLocalStack({
      port: 0,
      handlerZip: zip,
      throttle: { rateLimit: 0.001, burstLimit: 1 },
      log: (line) => logs.push(line),
    });
    try {
      const statuses: number[] = [];
      for (let index = 0; index < 8; index += 1) statuses.push((await send(`${throttled.url}/product`)).status);
      expect(statuses).toEqual([200, 429, 429, 429, 429, 429, 429, 429]);
    } finally {
      await throttled.stop();
    }
    const gatewayLines = logs
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.source === 'gateway');
    expect(gatewayLines).toEqual([
      expect.objectContaining({ message: 'request', status: 429, path: '/product' }),
      expect.objectContaining({
        message: 'throttled 6 more requests (429) after the one logged before',
        status: 429,
        count: 6,
      }),
    ]);
  });
});

describe('startup', () => {
  it('fails with a clear message when the handler bundle is missing', async () => {
    await expect(startLocalStack({ port: 0, handlerZip: '/nonexistent/handler.zip' })).rejects.toThrow(/npm run build/);
  });

  it('fails naming --port when the port is taken, and leaves nothing running', async () => {
    await expect(startLocalStack({ port: stack.port, handlerZip: zip })).rejects.toThrow(/--port/);
  });
});
