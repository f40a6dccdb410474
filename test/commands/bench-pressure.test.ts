// End to end: `bench` against the local stack with its default stage throttle (100/s, burst 200): seeding paced,
// every product it made deleted on every way out, the report plain about a run that measured the throttle.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/commands/bench.js';
import { EXIT } from '../../src/errors.js';
import { ProductApi } from '../../src/http/api-client.js';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { binPath, cliName, requireBuild, runCli } from '../helpers/run-cli.js';
import { useLocalStack } from '../helpers/local-stack.js';

const stack = useLocalStack();
// A stage throttled far below what this machine serves even when busy, for the run that reads the report's text.
let tight: LocalStack;

beforeAll(async () => {
  requireBuild();
  tight = await startLocalStack({ port: 0, throttle: { rateLimit: 10, burstLimit: 20 } });
});

afterAll(async () => {
  await tight?.stop();
});

/** The bench's products still in the table, read with a client that waits out the throttle. */
async function benchLeftovers(on: LocalStack = stack): Promise<string[]> {
  const api = new ProductApi({ baseUrl: on.url, retries: 10 });
  try {
    const ids: string[] = [];
    for await (const product of api.listAll()) if (product.id.startsWith('bench-')) ids.push(product.id);
    return ids;
  } finally {
    await api.close();
  }
}

/** Runs bench as a child and sends `signal` once stderr shows `when`; resolves with how it ended. */
async function benchUntil(
  args: string[],
  when: RegExp,
  signal: NodeJS.Signals,
  delayMs = 0,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [binPath, 'bench', '--url', stack.url, ...args], {
    cwd: stack.dir,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const reached = new Promise<void>((resolve) =>
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (when.test(stderr)) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await reached;
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  child.kill(signal);
  return { code: await exited, stdout, stderr };
}

describe('bench against the default stage throttle', () => {
  it("seeds at the throttle's pace, says the run measured the throttle, gives 2xx and 429 latency apart, and leaves nothing", async () => {
    // Act
    const json = await runCli(['bench', '--url', stack.url, '--duration', '2s', '--seed', '300', '--json'], {
      cwd: stack.dir,
    });
    const text = await runCli(['bench', '--url', tight.url, '--duration', '1s', '--seed', '50'], { cwd: stack.dir });

    // Assess
    expect(json.code, json.stderr).toBe(EXIT.ok);
    const report = JSON.parse(json.stdout) as BenchReport;
    expect(report.seeded).toBe(300); // 300 is past the burst of 200: seeding waited for the throttle
    const twoHundreds = Object.entries(report.statusCounts)
      .filter(([status]) => status.startsWith('2'))
      .reduce((sum, [, n]) => sum + n, 0);
    expect(report.latency2xxMs?.count).toBe(twoHundreds);
    expect(report.latency429Ms?.count).toBe(report.statusCounts['429']);
    // How many of them were 429s depends on how fast this machine sends; the tight stage's run below is past its
    // throttle on any machine.
    expect(report.throttled).toBe(report.statusCounts['429'] ?? 0);
    expect(report.leftBehind).toBe(0);
    expect(text.code, text.stderr).toBe(EXIT.ok);
    expect(text.stdout).toMatch(
      /most answers \([\d.]+%\) were 429: this run measured the stage throttle, not the API\./,
    );
    expect(text.stdout).toContain(`${cliName} setup --local --rate-limit 100000 --burst-limit 100000`);
    expect(text.stdout).toMatch(/^ {2}2xx +p50 .*\(\d+ answers\)$/m);
    expect(text.stdout).toMatch(/^ {2}429 +p50 .*\(\d+ answers\)$/m);
    expect(await benchLeftovers()).toEqual([]);
    expect(await benchLeftovers(tight)).toEqual([]);
  }, 120_000);

  it('deletes what it made when SIGTERM stops the load, prints what it measured and exits 143', async () => {
    const run = await benchUntil(['--duration', '30s', '--seed', '60'], /running for/, 'SIGTERM', 1000);

    expect(run.code, run.stderr).toBe(EXIT.terminated);
    expect(run.stdout).toMatch(/^requests +\d+ in [\d.]+ s = .*\(interrupted\)$/m);
    expect(run.stdout).toMatch(/seeded 60 products; deleted \d+ afterwards$/m);
    expect(await benchLeftovers()).toEqual([]);
  }, 120_000);

  it('deletes what it seeded when Ctrl-C comes while seeding, exit 130', async () => {
    const run = await benchUntil(['--seed', '800'], /seeding 800 products/, 'SIGINT', 1500);

    expect(run.code).toBe(EXIT.interrupted);
    expect(run.stderr).toMatch(/products-cli: interrupted while seeding; the \d+ seeded products were deleted\n$/);
    expect(await benchLeftovers()).toEqual([]);
  }, 120_000);
});

describe('bench against a server that is not the product API', () => {
  let other: Server;
  let url: string;

  beforeAll(async () => {
    other = createServer(
      (_req, res) => void res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'),
    );
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(other.address() as AddressInfo).port}/prod`;
  });

  afterAll(() => other.close());

  it('stops at the first answer, exit 5', async () => {
    const run = await runCli(['bench', '--url', url, '--duration', '5s'], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.api);
    expect(run.stderr).toMatch(/products-cli: .* does not look like the product API \(got 404 text\/html\)/);
  });
});
