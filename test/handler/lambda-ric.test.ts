// dist/handler.zip as Lambda's nodejs24.x runtime runs it: loaded by AWS's runtime interface client (npm
// aws-lambda-ric, built under the cache by scripts/ci/lambda-ric.mjs) on Node 24, with the environment Lambda
// sets and JSON log format, behind a Runtime API of our own, with a real DynamoDB engine for the table.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import { Chalk } from 'chalk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { renderLogEvent } from '../../src/commands/log-event.js';
import { toLogEvent } from '../../src/commands/logs/aws.js';
import { NODE_VERSIONS } from '../../scripts/ci/node-binary.mjs';
import { unpackArtifact } from '../helpers/artifact.js';
import { crudCycle } from '../helpers/crud-cycle.js';
import { startTestEngine, type TestEngine } from '../helpers/dynamo-engine.js';
import { startRuntimeApi, type RuntimeApi } from '../helpers/runtime-api.js';

const ric = inject('lambdaRic');
const node = inject('nodeBinaries')['24'];
const plain = new Chalk({ level: 0 });

interface Runtime {
  child: ChildProcess;
  stdout: string[];
  stderr: () => string;
  /** Resolves once stdout holds `count` lines. */
  lines(count: number): Promise<string[]>;
}

/** Starts the client the way Lambda's bootstrap does: node with its index.mjs, the handler named by _HANDLER. */
function startRuntime(api: RuntimeApi, taskRoot: string, engine: TestEngine, handler = 'index.handler'): Runtime {
  const memory = 256;
  const env = {
    PATH: `${dirname(node!)}:/usr/local/bin:/usr/bin:/bin`,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: dirname(ric!),
    _HANDLER: handler,
    AWS_LAMBDA_RUNTIME_API: api.address,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: 'productFunction',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory),
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/productFunction',
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    AWS_LAMBDA_LOG_LEVEL: 'INFO',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    TABLE_NAME: engine.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
  };
  const args = [
    '--expose-gc',
    `--max-semi-space-size=${Math.floor(memory * 0.05)}`,
    `--max-old-space-size=${Math.floor(memory * 0.9)}`,
    ric!,
    handler,
  ];
  const child = spawn(node!, args, { cwd: taskRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  let partial = '';
  let stderr = '';
  const watchers: Array<() => void> = [];
  child.stdout!.on('data', (chunk) => {
    const parts = (partial + String(chunk)).split('\n');
    partial = parts.pop()!;
    stdout.push(...parts);
    for (const watch of watchers) watch();
  });
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  return {
    child,
    stdout,
    stderr: () => stderr,
    lines: (count) =>
      new Promise((resolve) => {
        const watch = () => stdout.length >= count && resolve(stdout.slice(0, count));
        watchers.push(watch);
        watch();
      }),
  };
}

function stopRuntime(runtime: Runtime | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!runtime || runtime.child.exitCode !== null || runtime.child.signalCode !== null) return resolve();
    runtime.child.once('exit', () => resolve());
    runtime.child.kill('SIGTERM');
  });
}

describe.runIf(ric && node)(`dist/handler.zip under aws-lambda-ric on Node ${NODE_VERSIONS[24]}`, () => {
  let engine: TestEngine;
  let api: RuntimeApi;
  let runtime: Runtime;

  beforeAll(async () => {
    engine = await startTestEngine('ric-product');
    api = await startRuntimeApi();
    runtime = startRuntime(api, unpackArtifact(), engine);
  });

  afterAll(async () => {
    await stopRuntime(runtime);
    await api?.stop();
    await engine?.stop();
  });

  it('answers the CRUD cycle, and logs for each request the JSON line that `logs` renders', async () => {
    // Prepare
    const cycle = crudCycle('ric1');
    const ids = cycle.map((_, i) => `0000000${i}-ric0-4000-8000-000000000000`);

    // Act
    const outcomes = [];
    for (const [i, step] of cycle.entries()) outcomes.push(await api.invoke(step.event, ids[i]));
    const lines = await runtime.lines(cycle.length);

    // Assess: what the runtime posted back
    expect(outcomes.map((o) => o.kind)).toEqual(cycle.map(() => 'response'));
    const responses = outcomes.map(
      (o) => o.body as { statusCode: number; body: string; headers: Record<string, string> },
    );
    expect(responses.map((r) => r.statusCode)).toEqual(cycle.map((step) => step.status));
    expect(JSON.parse(responses[0]!.body)).toMatchObject({ id: 'ric1', title: 'IPhone', price: 900, version: 1 });
    expect(JSON.parse(responses[2]!.body).items.map((p: { id: string }) => p.id)).toEqual(['ric1']);
    expect(JSON.parse(responses[3]!.body)).toMatchObject({ price: 899, version: 2 });
    // Assess: stdout, as Lambda would ship it to CloudWatch: one JSON line per request, under the request's id
    const events = lines.map((message) => toLogEvent({ timestamp: Date.parse('2026-01-01T12:00:00Z'), message }));
    expect(events.map((e) => e.data?.message)).toEqual(cycle.map(() => 'request'));
    expect(events.map((e) => e.data?.requestId)).toEqual(ids);
    expect(events.map((e) => renderLogEvent(e, plain))).toEqual(
      cycle.map((step, i) =>
        expect.stringMatching(
          new RegExp(
            `^2026-01-01 12:00:00\\.000 ${step.event.httpMethod} +${step.event.path.replace(/\//g, '\\/')} ${step.status} [\\d.]+ ms ${ids[i]}$`,
          ),
        ),
      ),
    );
    expect(runtime.stderr()).toBe('');
  });

  it('reports an event that is no proxy event as an invocation error, logged as JSON, and serves the next one', async () => {
    // Act
    const failed = await api.invoke(null, 'ric-error-1');
    const after = await api.invoke(crudCycle('ric2')[1]!.event, 'ric-after-1');

    // Assess
    // The native client sends the error type in the body only; Lambda-Runtime-Function-Error-Type comes with init errors.
    expect(failed).toMatchObject({
      kind: 'error',
      body: { errorType: 'TypeError', errorMessage: expect.stringContaining('null') },
    });
    expect(after).toMatchObject({ kind: 'response', body: { statusCode: 404 } });
    const lines = await runtime.lines(6 + 2);
    const logged = lines.slice(6).map((message) => toLogEvent({ timestamp: 0, message }).data);
    // The client's own line for a failed invocation carries the error as an object in `message`.
    expect(logged[0]).toMatchObject({ level: 'ERROR', requestId: 'ric-error-1', message: { errorType: 'TypeError' } });
    expect(logged[1]).toMatchObject({ message: 'request', requestId: 'ric-after-1', status: 404 });
  });
});

describe.runIf(ric && node)('aws-lambda-ric with a handler the bundle does not export', () => {
  it('posts an init error naming the handler, and exits', async () => {
    // Prepare
    const engine = await startTestEngine('ric-init');
    const api = await startRuntimeApi();

    // Act
    const runtime = startRuntime(api, unpackArtifact(), engine, 'index.nothing');
    const initError = await api.initError;
    const code = await new Promise((resolve) => runtime.child.once('exit', (c) => resolve(c)));
    await api.stop();
    await engine.stop();

    // Assess
    expect(initError.errorType).toBe('Runtime.HandlerNotFound');
    expect(initError.body.errorMessage).toContain('index.nothing');
    expect(code).not.toBe(0);
  });
});
