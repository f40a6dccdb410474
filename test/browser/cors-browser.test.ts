// A real browser calling the local stack from a page on another origin: Debian's chromium, headless, driven by
// playwright-core (no browser download). With --cors-origin set to the page's origin, the page reads a public
// GET, sends a preflighted, signed PATCH with If-Match from the ETag it read, and reads the bodies of a 403 and
// a 429; without it, the browser blocks the very first read.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { signedFetch } from '../helpers/sigv4.js';
import aws4 from 'aws4';
import { CHROMIUM, FLAGS, missingBrowser } from './chromium.js';
import { product } from '../helpers/product.js';

const key = { accessKeyId: 'AKIABROWSERTESTKEY01', secretAccessKey: 'browser-test-secret-0123456789abcdefghij' };
const lack = missingBrowser();
let page: Server;
let origin: string;
let withCors: LocalStack;
let withoutCors: LocalStack;
let browser: import('playwright-core').BrowserContext | undefined;
let profile: string;
const consoleLines: string[] = [];

beforeAll(async () => {
  if (lack) return;
  page = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>shop</title><p>shop</p>');
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', () => resolve()));
  origin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  const access = (corsOrigins: string[]) => ({
    auth: { mode: 'iam' as const, privateReads: false },
    credentials: [key],
    region: 'us-east-1',
    corsOrigins,
  });
  [withCors, withoutCors] = await Promise.all([
    startLocalStack({ port: 0, throttle: { rateLimit: 5, burstLimit: 10 }, access: access([origin]) }),
    startLocalStack({ port: 0, throttle: null, access: access([]) }),
  ]);
  for (const stack of [withCors, withoutCors]) {
    const created = await signedFetch(
      `${stack.url}/product`,
      { method: 'POST', body: JSON.stringify(product({ id: 'b1' })) },
      key,
    );
    expect(created.status).toBe(201);
  }
  const { chromium } = await import('playwright-core');
  profile = mkdtempSync(join(tmpdir(), 'products-cli-chromium-'));
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([withCors?.stop(), withoutCors?.stop()]);
  await new Promise((resolve) => (page ? page.close(resolve) : resolve(undefined)));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function openPage() {
  const tab = await (browser as NonNullable<typeof browser>).newPage();
  tab.on('console', (message) => consoleLines.push(message.text()));
  await tab.goto(`${origin}/`);
  return tab;
}

/** The signature headers a browser app would get from its SigV4 library, for a PATCH of product b1. */
function signedPatch(stack: LocalStack, body: string): Record<string, string> {
  const url = new URL(`${stack.url}/product/b1`);
  const signed = aws4.sign(
    {
      host: url.host,
      method: 'PATCH',
      path: url.pathname,
      service: 'execute-api',
      region: 'us-east-1',
      headers: { 'content-type': 'application/json' },
      body,
    },
    key,
  );
  return Object.fromEntries(
    Object.entries(signed.headers as Record<string, string>).filter(
      ([name]) => !['host', 'content-length'].includes(name.toLowerCase()),
    ),
  );
}

describe('a browser on another origin', () => {
  it('reads, changes with If-Match, and reads the bodies of a 403 and a 429 when the origin is allowed', async (ctx) => {
    if (lack) return ctx.skip(lack);
    const tab = await openPage();
    const body = JSON.stringify({ price: 850 });
    const result = await tab.evaluate(
      async ({ api, headers, body }) => {
        const read = await fetch(`${api}/product/b1`);
        const etag = read.headers.get('ETag');
        const product = (await read.json()) as { price: number };
        const changed = await fetch(`${api}/product/b1`, {
          method: 'PATCH',
          headers: { ...headers, 'If-Match': etag ?? '' },
          body,
        });
        const after = {
          status: changed.status,
          etag: changed.headers.get('ETag'),
          price: ((await changed.json()) as { price: number }).price,
        };
        const refused = await fetch(`${api}/product`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"title":"x","price":1}',
        });
        const forbidden = { status: refused.status, body: await refused.json() };
        const burst = await Promise.all(
          Array.from({ length: 25 }, () =>
            fetch(`${api}/product?limit=1`).then(async (r) => ({ status: r.status, body: await r.text() })),
          ),
        );
        return {
          read: { status: read.status, etag, price: product.price },
          after,
          forbidden,
          throttled: burst.find((r) => r.status === 429),
        };
      },
      { api: withCors.url, headers: signedPatch(withCors, body), body },
    );

    expect(result.read).toEqual({ status: 200, etag: '"1"', price: 900 });
    expect(result.after).toEqual({ status: 200, etag: '"2"', price: 850 });
    expect(result.forbidden).toEqual({ status: 403, body: { message: 'Missing Authentication Token' } });
    expect(result.throttled).toEqual({ status: 429, body: '{"message":"Too Many Requests"}' });
    await tab.close();
  });

  it('is blocked by CORS when the stack has no --cors-origin', async (ctx) => {
    if (lack) return ctx.skip(lack);
    const tab = await openPage();
    const outcome = await tab.evaluate(async (api) => {
      try {
        const response = await fetch(`${api}/product/b1`);
        return `read ${response.status}`;
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    }, withoutCors.url);

    expect(outcome).toBe('TypeError: Failed to fetch');
    await expect
      .poll(() => consoleLines.join('\n'))
      .toMatch(/has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present/);
    await tab.close();
  });
});
