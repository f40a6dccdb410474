// The console's server over real HTTP, in front of a real local stack: its headers, its proxy limited to the
// contract's operations, If-Match passed through, and export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleServer } from '../../src/console/server.js';
import { ProductApi } from '../../src/http/api-client.js';
import { buildOpenApiDocument } from '../../src/openapi/document.js';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';

let stack: LocalStack;
let api: ProductApi;
let server: ConsoleServer;
let base: string;
let cookie: string;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, throttle: null });
  api = new ProductApi({ baseUrl: stack.url, transport: 'node' });
  await api.create({ id: 's1', title: 'Stool', price: 40 });
  server = await startConsole({ api, transfer: { api, concurrency: 2 }, document: buildOpenApiDocument({ version: '1.0.0', serverUrl: '/api' }), token: 'test-token' });
  base = `http://127.0.0.1:${server.port}`;
  const opened = await fetch(server.url, { redirect: 'manual' });
  expect(opened.status).toBe(303);
  expect(opened.headers.get('location')).toBe('/');
  cookie = (opened.headers.get('set-cookie') as string).split(';')[0] as string;
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await api?.close();
  await stack?.stop();
});

const send = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { cookie, origin: base, ...init.headers } });

describe('the console server', () => {
  it('serves the page with a strict CSP and no caching', async () => {
    const page = await send('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'; style-src 'self'/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toMatch(/<script defer src="\/console.js"><\/script>/);
  });

  it('forwards the contract\'s operations with If-Match, and refuses anything else', async () => {
    const stale = await send('/api/product/s1', { method: 'PATCH', headers: { 'content-type': 'application/json', 'if-match': '"7"' }, body: '{"price":41}' });
    expect(stale.status).toBe(412);
    const fresh = await send('/api/product/s1', { method: 'PATCH', headers: { 'content-type': 'application/json', 'if-match': '"1"' }, body: '{"price":41}' });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe('"2"');
    expect((await send('/api/admin')).status).toBe(404);
    expect((await send('/api/product/s1', { method: 'PUT', body: '{}' })).status).toBe(405);
    expect((await send('/swagger/index.html')).status).toBe(404);
  });

  it('exports every product as CSV', async () => {
    const answer = await send('/console/export?format=csv');
    expect(answer.headers.get('content-disposition')).toMatch(/^attachment; filename="products-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await answer.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('id,title,description,price,createdAt,updatedAt,version');
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 4).join(','))).toEqual(['s1,Stool,,41']);
  });
});
