// End to end: `smoke` through the real bin against the real local stack, healthy and broken.
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { ProductApi } from '../../src/http/api-client.js';
import { startLocalStack } from '../../src/local/stack.js';
import type { SmokeReport } from '../../src/testing/smoke.js';
import { spawn } from 'node:child_process';
import { binPath, requireBuild, runCli } from '../helpers/run-cli.js';
import { useLocalStack } from '../helpers/local-stack.js';

const stack = useLocalStack();
const servers: Server[] = [];

beforeAll(async () => {
  requireBuild();
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * A proxy in front of the stack that drops If-Match, as a gateway misconfigured to strip headers would; with
 * `stallList`, it holds list requests for a minute instead.
 */
async function startHeaderDroppingProxy(target: string, stallList = false): Promise<string> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    if (stallList && req.method === 'GET' && /\/product(\?|$)/.test(req.url ?? '')) {
      setTimeout(() => res.writeHead(503).end(), 60_000).unref();
      return;
    }
    const headers = { ...req.headers };
    if (!stallList) delete headers['if-match'];
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  return `${await listen(server)}${upstream.pathname}`;
}

async function productIds(url: string): Promise<string[]> {
  const api = new ProductApi({ baseUrl: url });
  try {
    const ids: string[] = [];
    for await (const product of api.listAll()) ids.push(product.id);
    return ids;
  } finally {
    await api.close();
  }
}

describe('smoke', () => {
  it('passes every check on a healthy stack, and leaves nothing behind', async () => {
    // Act
    const run = await runCli(['smoke', '--url', stack.url], { cwd: stack.dir });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT.ok);
    const lines = run.stdout.split('\n').filter((line) => /^(PASS|FAIL|SKIP) /.test(line));
    expect(lines).toHaveLength(11);
    expect(lines.every((line) => /^PASS  .+  \d+(\.\d)? ms$/.test(line))).toBe(true);
    expect(run.stdout).toContain("PASS  unknown route gives API Gateway's 403");
    expect(run.stdout).toMatch(/11 passed, 0 failed in .* against http:\/\/127\.0\.0\.1/);
    expect((await productIds(stack.url)).filter((id) => id.startsWith('smoke-'))).toEqual([]);
  });

  it('runs to its end and cleans up when the reader of its output goes away (| head -1)', async () => {
    const child = spawn(process.execPath, [binPath, 'smoke', '--url', stack.url], {
      cwd: stack.dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Read the first line, then close the pipe as `head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());

    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(stderr).toBe('');
    expect(code).toBe(EXIT.ok);
    expect((await productIds(stack.url)).filter((id) => id.startsWith('smoke-'))).toEqual([]);
  });

  it('reports as JSON, with a fresh product id per run', async () => {
    const first = await runCli(['smoke', '--url', stack.url, '--json'], { cwd: stack.dir });
    const second = await runCli(['smoke', '--url', stack.url, '--json'], { cwd: stack.dir });

    expect(first.code).toBe(EXIT.ok);
    const report = JSON.parse(first.stdout) as SmokeReport;
    expect(report).toMatchObject({ target: stack.url, passed: 11, failed: 0, skipped: 0, cleanup: { leftBehind: [] } });
    expect(report.checks.map((check) => check.name)).toContain('stale If-Match gives 412');
    // Durations to 0.1 ms, not 103.90287400000001.
    for (const ms of [report.durationMs, ...report.checks.map((check) => check.durationMs)])
      expect(String(ms)).toMatch(/^\d+(\.\d)?$/);
    expect((JSON.parse(second.stdout) as SmokeReport).productId).not.toBe(report.productId);
  });

  it('writes a JUnit report for CI', async () => {
    const file = join(stack.dir, 'smoke.xml');

    const run = await runCli(['smoke', '--url', stack.url, '--reporter', 'junit', '--output', file], {
      cwd: stack.dir,
    });

    expect(run.code).toBe(EXIT.ok);
    const xml = await readFile(file, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toMatch(/<testsuite name="products-cli smoke" tests="11" failures="0" errors="0" skipped="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(11);
    expect(xml).toContain('name="unknown route gives API Gateway&apos;s 403"');
  });

  it('fails the stale If-Match check, naming it, when If-Match is lost on the way; still cleans up', async () => {
    // Prepare
    const proxy = await startHeaderDroppingProxy(stack.url);

    // Act
    const run = await runCli(['smoke', '--url', proxy], { cwd: stack.dir });

    // Assess
    expect(run.code).toBe(EXIT.failure);
    expect(run.stdout).toContain('PASS  update product (If-Match)');
    expect(run.stdout).toMatch(
      /FAIL  stale If-Match gives 412 .*\n +expected: HTTP 412 with a problem body\n +actual: +HTTP 200 \{/,
    );
    expect(run.stdout).toMatch(/10 passed, 1 failed/);
    expect(run.stderr).toBe('products-cli: 1 of 11 smoke checks failed: stale If-Match gives 412\n');
    expect((await productIds(stack.url)).filter((id) => id.startsWith('smoke-'))).toEqual([]);
  });

  it('fails in JUnit form too, with expected and actual in the failure', async () => {
    const proxy = await startHeaderDroppingProxy(stack.url);
    const file = join(stack.dir, 'failed.xml');

    const run = await runCli(['smoke', '--url', proxy, '--reporter', 'junit', '--output', file], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.failure);
    const xml = await readFile(file, 'utf8');
    expect(xml).toMatch(/tests="11" failures="1"/);
    expect(xml).toMatch(
      /<testcase classname="products-cli.smoke" name="stale If-Match gives 412" time="[\d.]+">\n +<failure message="expected HTTP 412 with a problem body" type="CheckFailed">expected: HTTP 412/,
    );
  });

  it('fails create and skips what needs it on a stack whose function is broken', async () => {
    // Prepare: a handler bundle whose function throws, which API Gateway turns into 502.
    const zip = join(stack.dir, 'broken-handler.zip');
    await writeFile(
      zip,
      zipSync({
        'index.mjs': strToU8('export const handler = async () => { throw new Error("broken on purpose"); };\n'),
      }),
    );
    const broken = await startLocalStack({ port: 0, handlerZip: zip });
    try {
      // Act
      const run = await runCli(['smoke', '--url', broken.url, '--json'], { cwd: stack.dir });

      // Assess
      expect(run.code).toBe(EXIT.failure);
      const report = JSON.parse(run.stdout) as SmokeReport;
      const byName = Object.fromEntries(report.checks.map((check) => [check.name, check]));
      expect(byName['create product']).toMatchObject({ status: 'fail', expected: 'HTTP 201' });
      expect(byName['create product']?.actual).toMatch(/^HTTP 502 .*Internal server error/);
      expect(byName['get product']).toMatchObject({ status: 'skip', reason: 'needs "create product" to pass' });
      expect(byName['bad body gives 400 with field errors']?.status).toBe('fail');
      expect(byName['batch delete answers each id']).toMatchObject({
        status: 'skip',
        reason: 'needs "batch create answers each item" to pass',
      });
      expect(byName["unknown route gives API Gateway's 403"]?.status).toBe('pass');
      expect(JSON.parse(run.stderr).error.message).toMatch(
        /^3 of 11 smoke checks failed: create product, bad body gives 400 with field errors, batch create answers each item$/,
      );
    } finally {
      await broken.stop();
    }
  });

  it('fails on a server that is not the product API', async () => {
    const url = await listen(
      createServer((_, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found')),
    );

    const run = await runCli(['smoke', '--url', `${url}/prod`], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.failure);
    expect(run.stdout).toMatch(/FAIL  create product .*\n +expected: HTTP 201\n +actual: +HTTP 404 Not Found/);
    expect(run.stdout).toMatch(/FAIL  unknown route gives API Gateway's 403/);
    expect(run.stdout).toMatch(/SKIP  delete product/);
  });

  it('stops on Ctrl-C, deletes what it created and says it was interrupted', async () => {
    // Prepare: the list request hangs, so that the suite is mid-way when Ctrl-C comes.
    const proxy = await startHeaderDroppingProxy(stack.url, true);
    const child = spawn(process.execPath, [binPath, 'smoke', '--url', proxy], {
      cwd: stack.dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const reachedList = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('PASS  get product')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    // Act
    await reachedList;
    child.kill('SIGINT');

    // Assess
    expect(await exited).toBe(EXIT.interrupted);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/2 passed, 0 failed in .* \(interrupted\)/);
    expect(stdout).toMatch(/cleaned up: deleted smoke-/);
    expect((await productIds(stack.url)).filter((id) => id.startsWith('smoke-'))).toEqual([]);
  });

  it('refuses an unknown reporter as a usage error', async () => {
    const run = await runCli(['smoke', '--url', stack.url, '--reporter', 'tap'], { cwd: stack.dir });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toBe('products-cli: --reporter must be one of text, junit, not "tap"\n');
  });
});
