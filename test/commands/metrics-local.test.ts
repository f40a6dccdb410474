// End to end: `metrics --local` through the real bin counts exactly what a known mix of requests did to the local stack.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import type { MetricsReport } from '../../src/output/render-metrics.js';
import { writeState } from '../../src/state/state-file.js';
import { cliName, requireBuild, runCli } from '../helpers/run-cli.js';

let stack: LocalStack;
let cwd: string;

beforeAll(async () => {
  requireBuild();
  // A burst of 95 and a refill too slow to matter: of 100 requests sent at once the last 5 are throttled.
  stack = await startLocalStack({ port: 0, throttle: { rateLimit: 0.001, burstLimit: 95 } });
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-metrics-'));
  await writeState(cwd, {
    version: 1,
    current: 'local',
    local: {
      url: stack.url,
      port: stack.port,
      stage: 'prod',
      pid: process.pid,
      dynamodbEndpoint: stack.dynamodbEndpoint,
      startedAt: stack.startedAt,
      secret: stack.secret,
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

const total = (report: MetricsReport, id: string) =>
  report.series.find((s) => s.id === id)?.values.reduce((sum, v) => sum + v, 0);

describe('metrics --local', () => {
  it('counts a known mix: 100 requests, 10 of them 404, 5 throttled', async () => {
    // Prepare
    const statuses: number[] = [];
    for (let i = 0; i < 100; i += 1) {
      const response = await fetch(i < 10 ? `${stack.url}/product/missing-${i}` : `${stack.url}/product?limit=1`);
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses.filter((s) => s === 404)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);

    // Act
    const run = await runCli(['metrics', '--local', '--since', '15m', '--json'], { cwd });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT.ok);
    const report = JSON.parse(run.stdout) as MetricsReport;
    expect(report).toMatchObject({ target: 'local', periodSeconds: 60 });
    expect(total(report, 'api.count')).toBe(100);
    expect(total(report, 'api.4xx')).toBe(15);
    expect(total(report, 'api.throttled')).toBe(5);
    expect(total(report, 'api.5xx')).toBe(0);
    // The throttled requests never reached the function.
    expect(total(report, 'function.invocations')).toBe(95);
    expect(total(report, 'function.errors')).toBe(0);
    expect(report.summary).toMatchObject({ requests: 100, serverErrorRate: 0, throttles: 5 });
    const p99 = report.series.find((s) => s.id === 'api.latency.p99');
    expect(p99?.values.length).toBeGreaterThan(0);
    // Every point falls inside the window, on a period boundary.
    for (const series of report.series) {
      for (const timestamp of series.timestamps) {
        const at = Date.parse(timestamp);
        expect(at).toBeGreaterThanOrEqual(Date.parse(report.start));
        expect(at).toBeLessThan(Date.parse(report.end));
        expect((at - Date.parse(report.start)) % 60_000).toBe(0);
      }
    }
  });

  it('renders the summary line and a sparkline per series for people', async () => {
    const run = await runCli(['metrics', '--local', '--since', '15m'], { cwd });

    expect(run.code).toBe(EXIT.ok);
    const lines = run.stdout.split('\n');
    expect(lines[1]).toMatch(/^100 requests, 0% 5XX, p99 [\d.]+ ms, 5 throttled$/);
    expect(lines.find((line) => line.trimStart().startsWith('requests'))).toMatch(
      /requests\s+ *[▁▂▃▄▅▆▇█]+ +100 \([\d.]+\/min\)\s+peak 100/,
    );
  });

  it('prints one summary line per refresh with --watch when piped, until stopped', async () => {
    const { spawn } = await import('node:child_process');
    const { binPath } = await import('../helpers/run-cli.js');
    const child = spawn(
      process.execPath,
      [binPath, 'metrics', '--local', '--since', '15m', '--watch', '--every', '1s'],
      { cwd, env: { ...process.env, NO_COLOR: '1' } },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    while (stdout.split('\n').filter(Boolean).length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));

    const lines = stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \d+ requests, /);
    expect(stdout).not.toContain('\x1b[');
    expect([0, 130]).toContain(code);
  });

  it('says how to start a stack when none runs', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'products-cli-metrics-none-'));
    try {
      const run = await runCli(['metrics', '--local'], { cwd: empty });
      expect(run.code).toBe(EXIT.failure);
      expect(run.stderr).toContain(`${cliName} setup --local`);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
