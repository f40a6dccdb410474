// The bench scripts' promise: no figure is printed from requests that did not answer as expected.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../helpers/artifact.js';

const script = (name: string) => pathToFileURL(join(packageRoot, 'scripts', 'bench', name)).href;

describe('bench figures', () => {
  it('turns a figure with unexpected answers, or too few, into MISS with the reason', async () => {
    const { tally, row } = await import(script('figures.mjs'));
    const answers = tally();
    for (let i = 0; i < 3; i++) answers.record(true);
    answers.record('status 500');

    expect(answers.problem(3)).toBe('1 of 4 unexpected: 1x status 500');
    expect(row('GET', '120 µs', '<= 3x', true, answers.problem(3))).toEqual({
      name: 'GET',
      value: 'MISS',
      goal: '<= 3x',
      met: false,
      problem: '1 of 4 unexpected: 1x status 500',
    });
    const few = tally();
    few.record(true);
    expect(few.problem(2)).toBe('only 1 succeeded, at least 2 needed');
    expect(row('GET', '120 µs', '<= 3x', true, few.problem(1))).toEqual({
      name: 'GET',
      value: '120 µs',
      goal: '<= 3x',
      met: true,
    });
  });

  it('reports no CPU figure for a handler that answers 500, as one without credentials did', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'bench-miss-'));
    writeFileSync(
      join(dir, 'index.mjs'),
      "export const handler = async () => ({ statusCode: 500, headers: {}, body: '{}' });",
    );
    const { measureHandlerCpu } = await import(script('handler-cpu.mjs'));
    const { startEngineProcess } = await import(script('engine-process.mjs'));
    const { handlerRows } = await import(script('handler.mjs'));

    // Act
    const cpu = await measureHandlerCpu({
      entry: pathToFileURL(join(dir, 'index.mjs')).href,
      startEngine: startEngineProcess,
      rounds: 1,
      count: 20,
      concurrency: 4,
    });
    const rows = handlerRows({
      zipBytes: 1,
      runs: 1,
      coldImportMs: 1,
      nodeBaselineMs: 1,
      importProblem: null,
      rounds: 1,
      count: 20,
      concurrency: 4,
      cpu,
      cpuProblem: null,
    });

    // Assess
    const byName = (name: string) => rows.find((r: { name: string }) => r.name.startsWith(name));
    expect(cpu.GET.problem).toBe('40 of 40 unexpected: 40x status 500');
    expect(byName('handler GET /product/{id}')).toMatchObject({ value: 'MISS', met: false });
    expect(byName('handler GET in-process')).toMatchObject({ value: 'MISS', met: false });
    expect(byName('floor: signed node:http GetItem')).toMatchObject({ met: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts only the answers that pass the check in a load rate, and names the others', async () => {
    // Prepare: every third answer is a 500
    let served = 0;
    const server: Server = createServer((_req, res) => {
      served += 1;
      res.writeHead(served % 3 === 0 ? 500 : 200, { 'content-type': 'application/json' });
      res.end('{"id":"p1"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { undiciLoad } = await import(script('http-load.mjs'));
    const check = (status: number, text: string) =>
      status !== 200 ? `status ${status}` : text.includes('"id":"p') ? true : 'not a product';

    // Act
    const result = await undiciLoad(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {
      seconds: 0.3,
      connections: 2,
      request: () => ({ method: 'GET', path: '/prod/product/p1' }),
      check,
    });
    await new Promise((resolve) => server.close(resolve));

    // Assess
    expect(result.answers.ok).toBeGreaterThan(0);
    expect(result.answers.failed).toBe(served - result.answers.ok);
    expect(result.answers.reasons()).toEqual([['status 500', result.answers.failed]]);
    expect(result.answers.problem(1)).toMatch(/unexpected: \d+x status 500$/);
    expect(result.sample).toBe('{"id":"p1"}');
  });

  it('makes the peers bench one MISS, exit 1, when serverless-offline is absent and may not be installed', async () => {
    // Prepare
    const cache = mkdtempSync(join(tmpdir(), 'bench-peers-cache-'));

    // Act
    const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [join(packageRoot, 'scripts', 'bench', 'peers.mjs'), '--no-install', '--json'],
        { env: { ...process.env, XDG_CACHE_HOME: cache } },
        (_error, stdout) => resolve({ code: child.exitCode, stdout }),
      );
    });
    rmSync(cache, { recursive: true, force: true });

    // Assess
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout.trim().split('\n').pop() as string);
    expect(report.rows).toEqual([
      {
        name: 'our local stack beside serverless-offline',
        value: 'MISS',
        goal: 'a run that completes',
        met: false,
        problem: expect.stringContaining('serverless-offline is not installed in'),
      },
    ]);
  });
});
