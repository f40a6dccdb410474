// The console's server over real HTTP, in front of a real local stack: its headers, its proxy limited to the
// contract's operations, If-Match passed through, export, and the metrics report as `metrics` reads it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleServer } from '../../src/console/server.js';
import { ProductApi } from '../../src/http/api-client.js';
import { buildOpenApiDocument } from '../../src/openapi/document.js';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { readMetricsSince, readReport } from '../../src/commands/metrics/index.js';
import type { MetricsReport } from '../../src/output/render-metrics.js';
import { SINCE_CHOICES } from '../../src/stack/metric-since.js';
import type { MetricsWindow } from '../../src/stack/metric-series.js';

let stack: LocalStack;
let api: ProductApi;
let server: ConsoleServer;
let base: string;
let cookie: string;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, throttle: null });
  api = new ProductApi({ baseUrl: stack.url, transport: 'node' });
  await api.create({ id: 's1', title: 'Stool', price: 40 });
  const names = { api: 'local gateway', stage: 'prod', function: 'f', table: 't' };
  const source = {
    target: 'local' as const,
    names,
    queries: 1,
    read: async (window: MetricsWindow) => stack.metrics.read(window),
    close() {},
  };
  const metrics = (since: string) => readReport(source, readMetricsSince(since));
  server = await startConsole({
    api,
    transfer: { api, concurrency: 2 },
    document: buildOpenApiDocument({ version: '1.0.0', serverUrl: '/api' }),
    metrics,
    token: 'test-token',
  });
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

const send = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { cookie, origin: base, ...init.headers } });

describe('the console server', () => {
  it('serves the page with a strict CSP and no caching', async () => {
    const page = await send('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(
      /default-src 'none'; script-src 'self'; style-src 'self'/,
    );
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toMatch(/<script defer src="\/console.js"><\/script>/);
  });

  it("forwards the contract's operations with If-Match, and refuses anything else", async () => {
    const stale = await send('/api/product/s1', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': '"7"' },
      body: '{"price":41}',
    });
    expect(stale.status).toBe(412);
    const fresh = await send('/api/product/s1', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': '"1"' },
      body: '{"price":41}',
    });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe('"2"');
    expect((await send('/api/admin')).status).toBe(404);
    expect((await send('/api/product/s1', { method: 'PUT', body: '{}' })).status).toBe(405);
    expect((await send('/swagger/index.html')).status).toBe(404);
  });

  it('exports every product as CSV', async () => {
    const answer = await send('/console/export?format=csv');
    expect(answer.headers.get('content-disposition')).toMatch(
      /^attachment; filename="products-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = (await answer.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('id,title,description,price,createdAt,updatedAt,version');
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 4).join(','))).toEqual(['s1,Stool,,41']);
  });

  it('answers the metrics report for a period as --since reads it, and refuses one it would refuse', async () => {
    const before = (await (await send('/console/metrics?since=15m')).json()) as MetricsReport;
    for (const path of ['/api/product/s1', '/api/product/none']) await (await send(path)).arrayBuffer();

    const answer = await send('/console/metrics?since=15m');
    const report = (await answer.json()) as MetricsReport;
    const total = (r: MetricsReport, id: string) =>
      r.series.find((s) => s.id === id)?.values.reduce((sum, v) => sum + v, 0) ?? 0;

    expect(answer.status).toBe(200);
    expect(report).toMatchObject({ target: 'local', periodSeconds: 60 });
    expect(report.summary.requests).toBe(before.summary.requests + 2);
    expect(total(report, 'api.4xx')).toBe(total(before, 'api.4xx') + 1);
    expect(((await (await send('/console/metrics')).json()) as MetricsReport).periodSeconds).toBe(60); // 1h by default
    const bad = await send('/console/metrics?since=soon');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^--since must be a length of time/);
    expect((await send('/console/metrics?since=500d')).status).toBe(400);
    expect((await fetch(`${base}/console/metrics`)).status).toBe(401);
  });

  it.each(SINCE_CHOICES)('answers the period %s that Health offers', async (since) => {
    const answer = await send(`/console/metrics?since=${since}`);

    expect(answer.status).toBe(200);
    const report = (await answer.json()) as MetricsReport;
    expect(Date.parse(report.end) - Date.parse(report.start)).toBeGreaterThanOrEqual(readMetricsSince(since));
  });
});
