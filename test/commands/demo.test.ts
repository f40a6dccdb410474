import { PassThrough } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDemoPassed, demo, type DemoStep } from '../../src/commands/demo.js';
import type { Context } from '../../src/context.js';
import { CheckFailedError, EXIT } from '../../src/errors.js';
import { reply, startScriptedServer, type ScriptedServer } from '../http/helpers/scripted-server.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';

let cwd: string;

beforeAll(async () => {
  requireBuild();
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-demo-'));
});

afterAll(async () => {
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

const STEP_NAMES = [
  'add the IPhone',
  'get it',
  'list the products',
  'change its price',
  'delete it',
  'check that it is gone',
];

describe('products-cli demo', () => {
  it('runs the whole tutorial on a fresh local stack and passes', async () => {
    const run = await runCli(['demo'], { cwd });

    expect(run.code).toBe(EXIT.ok);
    const marks = run.stdout.split('\n').filter((line) => /^[✓✗] /.test(line));
    expect(marks).toEqual(STEP_NAMES.map((name, index) => `✓ ${index + 1}. ${name}`));
    expect(run.stdout).toMatch(/^ {2}POST http:\/\/127\.0\.0\.1:\d+\/prod\/product {2}→ {2}201 Created {2}[\d.]+ ms$/m);
    expect(run.stdout).toContain('> {"id":"1","title":"IPhone","description":"This is an IPhone","price":900}');
    expect(run.stdout).toMatch(/^ {2}GET http:\/\/127\.0\.0\.1:\d+\/prod\/product\/1 {2}→ {2}404 Not Found/m);
    expect(run.stdout).toMatch(/demo passed: 6 steps/);
    expect(run.stderr).toBe(
      'starting a fresh local stack (in memory)…\n  starting the DynamoDB engine, unpacking the function…\n  creating table product…\n  starting function productFunction…\n  starting the API gateway…\n',
    );
  });

  it('gives the steps as data with --json', async () => {
    const run = await runCli(['demo', '--json'], { cwd });

    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { ok: boolean; steps: DemoStep[] };
    expect(result.ok).toBe(true);
    expect(result.steps.map((step) => [step.name, step.method, step.status, step.ok])).toEqual([
      ['add the IPhone', 'POST', 201, true],
      ['get it', 'GET', 200, true],
      ['list the products', 'GET', 200, true],
      ['change its price', 'PATCH', 200, true],
      ['delete it', 'DELETE', 204, true],
      ['check that it is gone', 'GET', 404, true],
    ]);
    expect(result.steps[3]?.responseBody).toMatchObject({ id: '1', price: 850, version: 2 });
  });
});

describe('a demo that misbehaves', () => {
  let server: ScriptedServer;

  afterAll(async () => {
    await server?.stop();
  });

  function quietContext(): Context {
    return {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      stdin: new PassThrough(),
      env: {},
      cwd,
      json: true,
      color: false,
      signal: new AbortController().signal,
    };
  }

  it('stops at the first wrong answer, stops the stack, and fails with exit 1', async () => {
    const created = {
      id: '1',
      title: 'IPhone',
      description: 'This is an IPhone',
      price: 900,
      createdAt: 'x',
      updatedAt: 'x',
      version: 1,
    };
    // The product is created, but reading it back gives a different price.
    server = await startScriptedServer([reply(201, created), reply(200, { ...created, price: 1 })]);
    let stopped = false;

    const result = await demo({}, quietContext(), () => {}, {
      startStack: async () => ({ url: server.url, stop: async () => void (stopped = true) }),
    });

    expect(result.ok).toBe(false);
    expect(result.steps.map((step) => step.ok)).toEqual([true, false]);
    expect(result.steps[1]?.problem).toBe('price is 1, expected 900');
    expect(stopped).toBe(true);
    expect(server.requests).toHaveLength(2);
    let error: unknown;
    try {
      assertDemoPassed(result);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CheckFailedError);
    expect((error as CheckFailedError).exitCode).toBe(EXIT.failure);
    expect((error as Error).message).toBe('demo step "get it" failed: price is 1, expected 900');
  });
});
