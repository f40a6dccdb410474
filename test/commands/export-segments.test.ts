// `export` on the local stack reads the segments of a parallel scan side by side and writes every product once;
// through a gateway that stands for an API deployed before segments and larger pages, it falls back to one
// page after another at that API's page size, detected once.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIST_LIMIT_BEFORE_SEGMENTS } from '../../src/contract/index.js';
import { EXIT } from '../../src/errors.js';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';
import { storeProducts } from '../helpers/store-products.js';

const COUNT = 2_500;
const ids = Array.from({ length: COUNT }, (_, index) => `seg-${String(index).padStart(4, '0')}`);
let stack: LocalStack;
let cwd: string;

beforeAll(async () => {
  requireBuild();
  stack = await startLocalStack({ port: 0 });
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-segments-'));
  await storeProducts(stack, ids);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

interface Seen {
  queries: URLSearchParams[];
  mostInFlight: number;
}

/**
 * A gateway in front of the stack that records each list request and how many were in flight at once; `older`
 * makes it answer as an API deployed before segments: `segments` is ignored and a limit past 100 refused.
 */
async function gateway(older: boolean): Promise<{ url: string; seen: Seen; close: () => Promise<void> }> {
  const target = new URL(stack.url);
  const seen: Seen = { queries: [], mostInFlight: 0 };
  let inFlight = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    seen.queries.push(new URLSearchParams(url.searchParams));
    if (older) {
      url.searchParams.delete('segments');
      if (Number(url.searchParams.get('limit')) > LIST_LIMIT_BEFORE_SEGMENTS) {
        res.writeHead(400, { 'content-type': 'application/problem+json' });
        res.end(
          JSON.stringify({
            type: 'about:blank',
            title: 'Bad query',
            status: 400,
            detail: `limit must be a whole number from 1 to ${LIST_LIMIT_BEFORE_SEGMENTS}`,
            errors: [{ field: 'limit', message: `must be a whole number from 1 to ${LIST_LIMIT_BEFORE_SEGMENTS}` }],
          }),
        );
        return;
      }
    }
    seen.mostInFlight = Math.max(seen.mostInFlight, ++inFlight);
    const forwarded = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res).on('finish', () => inFlight--);
      },
    );
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const exportedIds = async (file: string) =>
  (await readFile(join(cwd, file), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).id as string);

describe('export in segments', () => {
  it('reads the segments side by side and writes every product exactly once', async () => {
    const front = await gateway(false);
    try {
      const run = await runCli(['export', '--segments', '8', '--output', 'all.ndjson', '--url', front.url], { cwd });

      expect(run.code).toBe(EXIT.ok);
      const written = await exportedIds('all.ndjson');
      expect(written).toHaveLength(COUNT);
      expect(written.toSorted()).toEqual(ids);
      expect(front.seen.queries[0]?.get('segments')).toBe('8');
      expect(front.seen.queries.slice(1).every((query) => query.has('cursor'))).toBe(true);
      expect(front.seen.mostInFlight).toBeGreaterThan(1);
      expect(front.seen.mostInFlight).toBeLessThanOrEqual(8);
    } finally {
      await front.close();
    }
  });

  it('falls back to one page after another, at the older page size, on an API without segments', async () => {
    const front = await gateway(true);
    try {
      const run = await runCli(['export', '--output', 'older.ndjson', '--url', front.url], { cwd });

      expect(run.code).toBe(EXIT.ok);
      const written = await exportedIds('older.ndjson');
      expect(written).toHaveLength(COUNT);
      expect(written.toSorted()).toEqual(ids);
      // The refused first request, then the same with the older limit: detected once, then pages one by one.
      const limits = front.seen.queries.map((query) => query.get('limit'));
      expect(limits[0]).not.toBe(String(LIST_LIMIT_BEFORE_SEGMENTS));
      expect(limits.slice(1).every((limit) => limit === String(LIST_LIMIT_BEFORE_SEGMENTS))).toBe(true);
      expect(front.seen.queries.length).toBe(1 + Math.ceil(COUNT / LIST_LIMIT_BEFORE_SEGMENTS) + 1);
      expect(front.seen.mostInFlight).toBe(1);
    } finally {
      await front.close();
    }
  });

  it('list --json falls back to the older page size too', async () => {
    const front = await gateway(true);
    try {
      const run = await runCli(['list', '--json', '--url', front.url], { cwd });

      expect(run.code).toBe(EXIT.ok);
      const listed = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id as string);
      expect(listed.toSorted()).toEqual(ids);
      const limits = front.seen.queries.map((query) => query.get('limit'));
      expect(limits.slice(1).every((limit) => limit === String(LIST_LIMIT_BEFORE_SEGMENTS))).toBe(true);
    } finally {
      await front.close();
    }
  });
});
