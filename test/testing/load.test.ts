import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProductApi } from '../../src/http/api-client.js';
import { benchProgress } from '../../src/commands/bench.js';
import { formatMix, parseMix, pickOperation, runLoad, type LoadProgress } from '../../src/testing/load.js';

describe('parseMix', () => {
  it('reads op=weight pairs', () => {
    expect(parseMix('get=80, add=10,update=5,delete=5')).toEqual({ get: 80, add: 10, update: 5, delete: 5 });
    expect(formatMix({ delete: 5, get: 80, list: 0 })).toBe('get=80 delete=5');
  });

  it.each([
    ['get', '"get" is not op=weight, such as get=80'],
    ['get=1,get=2', 'get is given twice'],
    ['get=0', 'the weights add up to 0; give at least one operation a weight'],
    ['put=1', '"put" is not an operation; use get, list, add, update, delete'],
  ])('refuses %j', (text, message) => {
    expect(parseMix(text)).toBe(message);
  });
});

describe('pickOperation', () => {
  it('picks by weight', () => {
    const mix = { get: 3, delete: 1 };
    expect(pickOperation(mix, () => 0)).toBe('get');
    expect(pickOperation(mix, () => 0.74)).toBe('get');
    expect(pickOperation(mix, () => 0.76)).toBe('delete');
    expect(pickOperation(mix, () => 0.9999)).toBe('delete');
  });
});

describe('runLoad', () => {
  // A small stateful stand-in for the API that throttles every third request, so that counts can be checked.
  let server: Server;
  let url: string;
  let received = 0;
  const stored = new Set<string>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      received++;
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        // Errors as the product API gives them: problem bodies (an answer of another shape would stop the load).
        const problem = (status: number) => JSON.stringify({ type: 'about:blank', title: 'Error', status, detail: '' });
        const reply = (status: number, text = status >= 400 ? problem(status) : '{}') =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(status === 204 ? '' : text);
        if (received % 3 === 0) return reply(429, '{"message":"Too Many Requests"}');
        const id = decodeURIComponent(req.url?.split('/')[3] ?? '');
        if (req.method === 'POST') {
          const created = (JSON.parse(body) as { id: string }).id;
          if (stored.has(created)) return reply(409);
          stored.add(created);
          return reply(201);
        }
        if (req.method === 'DELETE') return reply(stored.delete(id) ? 204 : 404);
        return reply(id === '' || stored.has(id) ? 200 : 404);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends exactly the requests asked for and counts 429s without retrying them', async () => {
    // Prepare
    received = 0;
    for (const id of ['a', 'b', 'c']) stored.add(id);
    const api = new ProductApi({ baseUrl: url, retries: 0, connections: 4 });

    // Act
    const result = await runLoad({
      api,
      connections: 4,
      mix: { get: 1, add: 1, delete: 1 },
      requests: 300,
      ids: ['a', 'b', 'c'],
      idPrefix: 'x-',
    });
    await api.close();

    // Assess
    expect(received).toBe(300);
    expect(result.requests).toBe(300);
    expect(result.statusCounts['429']).toBe(100);
    expect(Object.values(result.statusCounts).reduce((a, b) => a + b, 0)).toBe(300);
    expect(Object.values(result.operations).reduce((a, b) => a + b, 0)).toBe(300);
    expect(result.errors).toBe(0);
    // What is left to clean up is exactly what exists: refused adds and deletes are accounted for.
    expect(new Set(result.liveIds)).toEqual(stored);
  });

  it('reports its progress after each request, and the bench renders it as one line', async () => {
    const api = new ProductApi({ baseUrl: 'http://127.0.0.1:9/prod', retries: 0 });
    const seen: LoadProgress[] = [];
    await runLoad({
      api,
      connections: 2,
      mix: { get: 1 },
      requests: 6,
      ids: ['a'],
      idPrefix: 'x-',
      onAnswer: (p) => seen.push(structuredClone(p)),
    });
    await api.close();

    expect(seen.map((p) => p.requests)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.at(-1)?.errors).toBe(6);
    const line = benchProgress(
      { requests: 250, elapsedMs: 2_500, statusCounts: { 200: 200, 429: 50 }, errors: 0 },
      undefined,
      10_000,
    );
    expect(line).toEqual({ done: 2_500, total: 10_000, detail: '2.5 s  250 requests  100/s  200: 200, 429: 50' });
  });

  it('counts requests that get no answer as errors', async () => {
    const api = new ProductApi({ baseUrl: 'http://127.0.0.1:9/prod', retries: 0 });
    const result = await runLoad({ api, connections: 2, mix: { get: 1 }, requests: 10, ids: ['a'], idPrefix: 'x-' });
    await api.close();
    expect(result).toMatchObject({ requests: 10, errors: 10, statusCounts: {} });
    expect(result.errorSamples[0]).toMatch(/connection refused/);
  });

  it('stops when the signal aborts', async () => {
    const abort = new AbortController();
    const api = new ProductApi({ baseUrl: url, retries: 0, signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    const result = await runLoad({
      api,
      connections: 2,
      mix: { get: 1 },
      durationMs: 60_000,
      ids: ['a'],
      idPrefix: 'x-',
      signal: abort.signal,
    });
    await api.close();
    expect(result.interrupted).toBe(true);
    expect(result.requests).toBeGreaterThan(0);
  });
});
