// End to end: how the product commands' HTTP client behaves with servers that are not the product API, servers
// that never answer, names that do not resolve, and --debug; through the real bin, and the local stack with its
// default throttle where a real API is needed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get } from '../../src/commands/get.js';
import type { Context } from '../../src/context.js';
import { EXIT } from '../../src/errors.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';
import { useLocalStack } from '../helpers/local-stack.js';

const stack = useLocalStack();
const servers: Server[] = [];

/** A server on a free port; resolves with its base URL (a stage path included) and counts requests. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    handler?.(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`, requests: () => requests };
}

beforeAll(async () => {
  requireBuild();
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

const staticFiles = () =>
  serve(
    (_req, res) => void res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>'),
  );

describe('a server that is not the product API', () => {
  it('is named as such for get, exit 5, not "product not found"', async () => {
    const { url } = await staticFiles();

    const run = await runCli(['get', '1', '--url', url], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.api);
    expect(run.stderr).toBe(
      `products-cli: ${url} does not look like the product API (got 404 text/html); check --url, PRODUCTS_API_URL or the stack that setup recorded\n`,
    );
  });

  it('stops import at the first such answer instead of sending every row', async () => {
    const { url, requests } = await staticFiles();
    await writeFile(
      join(stack.dir, 'rows.ndjson'),
      Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: `n${i}`, title: 'T', price: 1 })).join('\n'),
    );

    const run = await runCli(['import', 'rows.ndjson', '--url', url], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.api);
    expect(run.stderr).toMatch(/does not look like the product API \(got 404 text\/html\)/);
    expect(requests()).toBeLessThanOrEqual(16);
  });
});

describe('--timeout and --retries', () => {
  it('give up on a server that never answers after the timeout, without retries when told', async () => {
    const { url, requests } = await serve(() => undefined);
    const started = performance.now();

    const run = await runCli(['get', '1', '--url', url, '--timeout', '0.5', '--retries', '0'], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.api);
    expect(run.stderr).toMatch(/^products-cli: cannot reach .* for GET: no answer within the timeout\n$/);
    expect(requests()).toBe(1);
    expect(performance.now() - started).toBeLessThan(8_000);
  });

  it('come from PRODUCTS_CLI_TIMEOUT and PRODUCTS_CLI_RETRIES too', async () => {
    const { url, requests } = await serve(() => undefined);

    const run = await runCli(['get', '1', '--url', url], {
      cwd: stack.dir,
      env: { PRODUCTS_CLI_TIMEOUT: '300ms', PRODUCTS_CLI_RETRIES: '1' },
    });

    expect(run.code).toBe(EXIT.api);
    expect(run.stderr).toMatch(/no answer within the timeout \(2 attempts\)/);
    expect(requests()).toBe(2);
  });

  it.each([
    [
      ['--timeout', 'soon'],
      {},
      '--timeout must be a time from 0.1 to 600 seconds, such as 30, 2.5 or 500ms, not "soon"',
    ],
    [['--retries', '11'], {}, '--retries must be a whole number from 0 to 10, not "11"'],
    [
      [],
      { PRODUCTS_CLI_TIMEOUT: '-1' },
      'PRODUCTS_CLI_TIMEOUT must be a time from 0.1 to 600 seconds, such as 30, 2.5 or 500ms, not "-1"',
    ],
  ])('refuse %j %j as a usage error', async (args, env, message) => {
    const run = await runCli(['get', '1', '--url', stack.url, ...args], { cwd: stack.dir, env });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toBe(`products-cli: ${message}\n`);
  });
});

describe('a host name that does not resolve', () => {
  it('is not retried', async () => {
    const run = await runCli(['get', '1', '--url', 'http://no-such-host.invalid/prod'], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.api);
    expect(run.stderr).toMatch(
      /^products-cli: cannot reach http:\/\/no-such-host\.invalid\/prod\/product\/1 for GET: (no such host|the host name could not be resolved right now)\n$/,
    );
  });
});

describe('--debug', () => {
  it('traces each request and answer on stderr, with the API key masked', async () => {
    const run = await runCli(['get', 'missing-product', '--url', stack.url, '--debug'], {
      cwd: stack.dir,
      env: { PRODUCTS_API_KEY: 'very-secret-key' },
    });

    expect(run.code).toBe(EXIT.notFound);
    expect(run.stderr).toContain(`debug: > GET ${stack.url}/product/missing-product\n`);
    expect(run.stderr).toContain('debug: > x-api-key: [redacted]\n');
    expect(run.stderr).toMatch(/debug: < 404 in \d+ ms\n/);
    expect(run.stderr).toMatch(/debug: < content-type: application\/problem\+json/);
    expect(run.stderr).not.toContain('very-secret-key');
  });

  it('is also turned on by PRODUCTS_CLI_DEBUG', async () => {
    const run = await runCli(['get', 'missing-product', '--url', stack.url], {
      cwd: stack.dir,
      env: { PRODUCTS_CLI_DEBUG: '1' },
    });
    expect(run.stderr).toContain(`debug: > GET ${stack.url}/product/missing-product\n`);
  });
});

describe('on a terminal', () => {
  it('says what is being waited for when an answer is slow, and clears it when the wait ends', async () => {
    const { url } = await serve(() => undefined);
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    let told = '';
    stderr.on('data', (chunk) => (told += chunk));
    const ctx: Context = {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr,
      env: {},
      cwd: stack.dir,
      json: false,
      color: false,
      signal: new AbortController().signal,
    };

    const error = await get('1', { url, timeout: '2.5', retries: '0' }, ctx).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(told).toBe(
      `waiting for GET ${url}/product/1 to answer (up to 2.5 s an attempt; --timeout to change)…\r\x1b[2K`,
    );
  });
});
