// End to end: `bench` through the real bin against the real local stack.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { ProductApi } from '../../src/http/api-client.js';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import type { BenchReport } from '../../src/commands/bench.js';
import { binPath, requireBuild, runCli } from '../helpers/run-cli.js';

let open: LocalStack;
let throttled: LocalStack;
let cwd: string;

beforeAll(async () => {
  requireBuild();
  [open, throttled] = await Promise.all([
    startLocalStack({ port: 0, throttle: null }),
    startLocalStack({ port: 0, throttle: { rateLimit: 5, burstLimit: 10 } }),
  ]);
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-bench-'));
});

afterAll(async () => {
  await Promise.all([open?.stop(), throttled?.stop()]);
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

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

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('bench', () => {
  it('sends exactly --requests requests, and every figure adds up to that count', async () => {
    // Act
    const run = await runCli(
      [
        'bench',
        '--url',
        open.url,
        '--requests',
        '400',
        '--connections',
        '4',
        '--mix',
        'get=60,list=10,add=10,update=10,delete=10',
        '--json',
      ],
      { cwd },
    );

    // Assess
    expect(run.code).toBe(EXIT.ok);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(report.requests).toBe(400);
    expect(sum(Object.values(report.statusCounts)) + report.errors).toBe(400);
    expect(sum(Object.values(report.operations))).toBe(400);
    expect(sum(report.histogram.map((bar) => bar.count))).toBe(400);
    expect(report.latencyMs.count).toBe(400);
    expect(report.throughput).toBeCloseTo(400 / (report.durationMs / 1000), 6);
    const { min, p50, p90, p99, p99_9, max } = report.latencyMs;
    expect([min, p50, p90, p99, p99_9, max]).toEqual([min, p50, p90, p99, p99_9, max].sort((a, b) => a - b));
    expect(report.errors).toBe(0);
    expect(report.throttled).toBe(0);
    // Every operation of the mix ran, and answered as the API should with no throttle.
    for (const op of ['get', 'list', 'add', 'update', 'delete']) expect(report.operations[op], op).toBeGreaterThan(0);
    expect(Object.keys(report.statusCounts).sort()).toEqual(expect.arrayContaining(['200', '201', '204']));
    expect(report.interrupted).toBe(false);
  });

  it('deletes what it seeded and added', async () => {
    const run = await runCli(
      [
        'bench',
        '--url',
        open.url,
        '--requests',
        '200',
        '--connections',
        '8',
        '--mix',
        'add=50,get=50',
        '--seed',
        '20',
        '--json',
      ],
      { cwd },
    );

    expect(run.code).toBe(EXIT.ok);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(report.cleanedUp).toBe(20 + (report.statusCounts['201'] ?? 0));
    expect(report.leftBehind).toBe(0);
    expect((await productIds(open.url)).filter((id) => id.startsWith('bench-'))).toEqual([]);
  });

  it('counts and reports 429s from the stage throttle instead of hiding them', async () => {
    // Act: far more requests than the 10-request burst, at once.
    const run = await runCli(
      ['bench', '--url', throttled.url, '--requests', '150', '--connections', '8', '--mix', 'get=1', '--seed', '5'],
      { cwd },
    );

    // Assess
    expect(run.code).toBe(EXIT.ok);
    const count429 = Number(/^status .*\b429 (\d+)/m.exec(run.stdout)?.[1]);
    const count200 = Number(/^status .*\b200 (\d+)/m.exec(run.stdout)?.[1]);
    expect(count429).toBeGreaterThan(0);
    expect(count200 + count429).toBe(150);
    // Most of them: the report says the run measured the throttle.
    expect(count429 / 150).toBeGreaterThan(0.5);
    expect(run.stdout).toMatch(
      /^throttled +most answers \([\d.]+%\) were 429: this run measured the stage throttle, not the API\.$/m,
    );
    expect(run.stdout).toMatch(/^latency +p50 .* p90 .* p99 .* p99\.9 .* max /m);
    expect(run.stdout).toMatch(/^latency histogram$/m);
    expect(run.stdout).toMatch(/│█/);
  });

  it('stops on Ctrl-C, cleans up and prints what it measured', async () => {
    // Prepare
    const child = spawn(
      process.execPath,
      [binPath, 'bench', '--url', open.url, '--duration', '60s', '--connections', '2'],
      {
        cwd,
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const running = new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('running for')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    // Act
    await running;
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGINT');
    const code = await exited;

    // Assess
    expect(code).toBe(EXIT.interrupted);
    expect(stdout).toMatch(/^requests +[1-9]\d* in [\d.]+ s = [\d.]+ req\/s  \(interrupted\)$/m);
    expect(stdout).toMatch(/^seeded 50 products; deleted \d+ afterwards$/m);
    expect(stderr).toMatch(/deleting \d+ products/);
    expect((await productIds(open.url)).filter((id) => id.startsWith('bench-'))).toEqual([]);
  });

  it.each([
    [['--duration', '5s', '--requests', '10'], 'give --duration or --requests, not both'],
    [['--duration', 'forever'], '--duration must be a time such as 10s, 500ms or 2m, up to 10m, not "forever"'],
    [['--mix', 'get=80,buy=20'], '--mix: "buy" is not an operation; use get, list, add, update, delete'],
    [['--connections', '0'], '--connections must be a whole number from 1 to 1024, not "0"'],
  ])('refuses %j as a usage error', async (flags, message) => {
    const run = await runCli(['bench', '--url', open.url, ...flags], { cwd });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toBe(`products-cli: ${message}\n`);
  });
});
