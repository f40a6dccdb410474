import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { send } from '../helpers/send.js';

const allowed = 'http://shop.example.test:8080';
const other = 'http://evil.example.test';
let stack: LocalStack;
let open: LocalStack;

beforeAll(async () => {
  [stack, open] = await Promise.all([
    startLocalStack({
      port: 0,
      throttle: { rateLimit: 1, burstLimit: 1 },
      access: {
        auth: { mode: 'iam', privateReads: false },
        credentials: [],
        region: 'us-east-1',
        corsOrigins: [allowed],
      },
    }),
    startLocalStack({ port: 0, throttle: null }),
  ]);
});
afterAll(async () => {
  await Promise.all([stack?.stop(), open?.stop()]);
});

const preflight = (origin: string) => ({
  Origin: origin,
  'Access-Control-Request-Method': 'PATCH',
  'Access-Control-Request-Headers': 'authorization,content-type,if-match,x-amz-date',
});

describe('CORS on the local gateway', () => {
  it('answers a preflight from an allowed origin as the MOCK integration does, without authorization', async () => {
    const reply = await send(`${stack.url}/product/1`, { method: 'OPTIONS', headers: preflight(allowed) });

    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe(allowed);
    expect(reply.headers['access-control-allow-methods']).toBe('GET, PATCH, DELETE, OPTIONS');
    expect(String(reply.headers['access-control-allow-headers']).split(', ')).toEqual(
      expect.arrayContaining([
        'Authorization',
        'X-Amz-Date',
        'X-Amz-Security-Token',
        'X-Api-Key',
        'If-Match',
        'Content-Type',
      ]),
    );
    expect(reply.headers['access-control-max-age']).toBe('600');
    expect(reply.headers.vary).toBe('Origin');
  });

  it("gives a disallowed origin no Allow-Origin, on the preflight and on the function's answers", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const pre = await send(`${stack.url}/product`, { method: 'OPTIONS', headers: preflight(other) });
    expect(pre.status).toBe(200);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const get = await send(`${stack.url}/product/none`, { headers: { Origin: other } });
    expect(get.status).toBe(404);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    expect(get.headers.vary).toBe('Origin');
  });

  it("adds Allow-Origin and Expose-Headers to the function's answers, errors included", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const reply = await send(`${stack.url}/product/none`, { headers: { Origin: allowed } });

    expect(reply.status).toBe(404);
    expect(reply.headers['access-control-allow-origin']).toBe(allowed);
    expect(reply.headers['access-control-expose-headers']).toBe('ETag, Location');
  });

  it("puts the same headers on the gateway's own 403 and 429", async () => {
    const forbidden = await send(`${stack.url}/product`, {
      method: 'POST',
      headers: { Origin: allowed, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['access-control-allow-origin']).toBe(allowed);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const answers = await Promise.all(
      [1, 2, 3].map(() => send(`${stack.url}/product?limit=1`, { headers: { Origin: allowed } })),
    );
    const throttled = answers.find((a) => a.status === 429);
    expect(throttled?.text).toBe('{"message":"Too Many Requests"}');
    expect(throttled?.headers['access-control-allow-origin']).toBe(allowed);
    expect(throttled?.headers['access-control-expose-headers']).toBe('ETag, Location');
  });

  it('changes nothing without CORS origins: OPTIONS is no method, answers carry no CORS headers', async () => {
    const pre = await send(`${open.url}/product`, { method: 'OPTIONS', headers: preflight(allowed) });
    expect(pre.status).toBe(403);
    expect(JSON.parse(pre.text)).toEqual({ message: 'Missing Authentication Token' });
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();

    const get = await send(`${open.url}/product?limit=1`, { headers: { Origin: allowed } });
    expect(get.status).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    expect(get.headers.vary).toBeUndefined();
  });
});
