import { afterEach, describe, expect, it } from 'vitest';
import { unpackHandler } from '../../src/local/handler-code.js';
import { startLambdaRuntime, type LambdaRuntime } from '../../src/local/lambda-runtime.js';
import { writeTestFunctionZip } from './test-function.js';

let runtime: LambdaRuntime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

async function start(source: string, extra: { concurrency?: number; timeoutMs?: number } = {}) {
  const code = await unpackHandler(await writeTestFunctionZip(source));
  return startLambdaRuntime({ entry: code.entry, exportName: code.exportName, env: { TABLE_NAME: 'product' }, functionName: 'f', timeoutMs: extra.timeoutMs ?? 5000, concurrency: extra.concurrency });
}

describe('startLambdaRuntime', () => {
  it('passes the result through JSON, as Lambda does', async () => {
    runtime = await start(`export const handler = async (event) => ({ when: new Date(0), none: undefined, echo: event.n, env: process.env.TABLE_NAME });`);

    expect(await runtime.invoke({ n: 7 }, 'r1')).toEqual({ kind: 'result', payload: { when: '1970-01-01T00:00:00.000Z', echo: 7, env: 'product' } });
  });

  it('gives null for a function that returns nothing', async () => {
    runtime = await start(`export const handler = async () => {};`);

    expect(await runtime.invoke({}, 'r1')).toEqual({ kind: 'result', payload: null });
  });

  it('reports the error of a function that throws', async () => {
    runtime = await start(`export const handler = async () => { throw new TypeError('bad input'); };`);

    expect(await runtime.invoke({}, 'r1')).toEqual({ kind: 'error', errorType: 'TypeError', errorMessage: 'bad input' });
  });

  it('refuses to start when the module does not load or lacks the handler', async () => {
    await expect(start(`throw new Error('broken at import');`)).rejects.toThrow(/failed to load: Error: broken at import/);
    await expect(start(`export const other = 1;`)).rejects.toThrow(/handler is not a function/);
  });

  it('keeps module state between invocations of one environment, as a warm sandbox does', async () => {
    runtime = await start(`let n = 0; export const handler = async () => ++n;`);

    await runtime.invoke({}, 'r1');
    expect(await runtime.invoke({}, 'r2')).toEqual({ kind: 'result', payload: 2 });
  });

  it('spreads concurrent invocations over several environments', async () => {
    runtime = await start(`import { threadId } from 'node:worker_threads'; export const handler = async () => { await new Promise((r) => setTimeout(r, 50)); return threadId; };`, { concurrency: 2 });

    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, index) => runtime!.invoke({}, `r${index}`)));

    const threads = new Set(outcomes.map((outcome) => (outcome.kind === 'result' ? outcome.payload : undefined)));
    expect(threads.size).toBe(2);
  });

  it('answers a stopped runtime with an error rather than hanging', async () => {
    runtime = await start(`export const handler = async () => 1;`);
    await runtime.stop();

    expect((await runtime.invoke({}, 'r1')).kind).toBe('error');
  });
});
