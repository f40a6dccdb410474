import { afterEach, describe, expect, it } from 'vitest';
import { unpackHandler } from '../../src/local/handler-code.js';
import { startLambdaRuntime, type InvokeOutcome, type LambdaRuntime } from '../../src/local/lambda-runtime.js';
import { writeTestFunctionZip } from './test-function.js';

let runtime: LambdaRuntime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

async function start(
  source: string,
  extra: { concurrency?: number; timeoutMs?: number; log?: (line: string) => void } = {},
) {
  const code = await unpackHandler(await writeTestFunctionZip(source));
  return startLambdaRuntime({
    entry: code.entry,
    exportName: code.exportName,
    env: { TABLE_NAME: 'product' },
    functionName: 'f',
    timeoutMs: extra.timeoutMs ?? 5000,
    concurrency: extra.concurrency,
    ...(extra.log ? { log: extra.log } : {}),
  });
}

// Reports how many invocations its environment held at once, and which thread it ran on.
const OVERLAP_PROBE = `import { threadId } from 'node:worker_threads';
let inFlight = 0;
export const handler = async () => {
  inFlight += 1;
  const most = inFlight;
  await new Promise((r) => setTimeout(r, 60));
  inFlight -= 1;
  return { most, threadId };
};`;

// Sleeps event.ms, then reports its thread and when it finished.
const SLEEPER = `import { threadId } from 'node:worker_threads';
export const handler = async (event) => {
  await new Promise((r) => setTimeout(r, event.ms));
  return { threadId, at: Date.now() };
};`;

const sleeperPayload = (outcome: InvokeOutcome) =>
  outcome.kind === 'result' ? (outcome.payload as { threadId: number; at: number }) : { threadId: -1, at: NaN };

describe('startLambdaRuntime', () => {
  it('passes the result through JSON, as Lambda does', async () => {
    runtime = await start(
      `export const handler = async (event) => ({ when: new Date(0), none: undefined, echo: event.n, env: process.env.TABLE_NAME });`,
    );

    expect(await runtime.invoke({ n: 7 }, 'r1')).toEqual({
      kind: 'result',
      payload: { when: '1970-01-01T00:00:00.000Z', echo: 7, env: 'product' },
    });
  });

  it('gives null for a function that returns nothing', async () => {
    runtime = await start(`export const handler = async () => {};`);

    expect(await runtime.invoke({}, 'r1')).toEqual({ kind: 'result', payload: null });
  });

  it('reports the error of a function that throws', async () => {
    runtime = await start(`export const handler = async () => { throw new TypeError('bad input'); };`);

    expect(await runtime.invoke({}, 'r1')).toEqual({
      kind: 'error',
      errorType: 'TypeError',
      errorMessage: 'bad input',
    });
  });

  it('refuses to start when the module does not load or lacks the handler', async () => {
    await expect(start(`throw new Error('broken at import');`)).rejects.toThrow(
      /failed to load: Error: broken at import/,
    );
    await expect(start(`export const other = 1;`)).rejects.toThrow(/handler is not a function/);
  });

  it('keeps module state between invocations of one environment, as a warm sandbox does', async () => {
    runtime = await start(`let n = 0; export const handler = async () => ++n;`);

    await runtime.invoke({}, 'r1');
    expect(await runtime.invoke({}, 'r2')).toEqual({ kind: 'result', payload: 2 });
  });

  it('spreads concurrent invocations over several environments', async () => {
    runtime = await start(
      `import { threadId } from 'node:worker_threads'; export const handler = async () => { await new Promise((r) => setTimeout(r, 50)); return threadId; };`,
      { concurrency: 2 },
    );

    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, index) => runtime!.invoke({}, `r${index}`)));

    const threads = new Set(outcomes.map((outcome) => (outcome.kind === 'result' ? outcome.payload : undefined)));
    expect(threads.size).toBe(2);
  });

  it('gives each environment one event at a time, adding environments up to the limit and logging each cold start', async () => {
    const logs: string[] = [];
    runtime = await start(OVERLAP_PROBE, { concurrency: 3, log: (line) => logs.push(line) });

    const outcomes = await Promise.all(Array.from({ length: 9 }, (_, index) => runtime!.invoke({}, `r${index}`)));

    const payloads = outcomes.map((outcome) =>
      outcome.kind === 'result' ? (outcome.payload as { most: number; threadId: number }) : undefined,
    );
    expect(payloads.every((payload) => payload?.most === 1)).toBe(true);
    expect(new Set(payloads.map((payload) => payload?.threadId)).size).toBe(3);
    expect(runtime.environments()).toEqual({ active: 3, coldStarts: 3 });
    const coldStarts = logs.map((line) => JSON.parse(line)).filter((line) => line.type === 'platform.initReport');
    expect(coldStarts.map((line) => line.record.environment).sort()).toEqual([1, 2, 3]);
  });

  it('adds no environment while one is free: sequential events share the first', async () => {
    runtime = await start(OVERLAP_PROBE, { concurrency: 4 });

    for (let index = 0; index < 3; index += 1) await runtime.invoke({}, `r${index}`);

    expect(runtime.environments()).toEqual({ active: 1, coldStarts: 1 });
  });

  it('queues events past the limit until an environment is free', async () => {
    runtime = await start(OVERLAP_PROBE, { concurrency: 1 });

    const outcomes = await Promise.all(Array.from({ length: 4 }, (_, index) => runtime!.invoke({}, `r${index}`)));

    expect(outcomes.map((outcome) => outcome.kind === 'result' && (outcome.payload as { most: number }).most)).toEqual([
      1, 1, 1, 1,
    ]);
    expect(runtime.environments().coldStarts).toBe(1);
  });

  it('gives a waiting event to the environment that is free first, not to the one it waited behind', async () => {
    runtime = await start(SLEEPER, { concurrency: 2 });
    const slow = runtime.invoke({ ms: 1500 }, 'slow');
    await new Promise((r) => setTimeout(r, 100));
    const fast = runtime.invoke({ ms: 100 }, 'fast');

    // Both environments are busy: this one waits, and goes to whichever is free first.
    const next = await runtime.invoke({ ms: 0 }, 'next');

    const [slowDone, fastDone] = (await Promise.all([slow, fast])).map(sleeperPayload);
    expect(sleeperPayload(next).threadId).toBe(fastDone?.threadId);
    expect(sleeperPayload(next).at).toBeLessThan(slowDone?.at as number);
  });

  it('runs an event that waited behind a timed-out one in a fresh environment', async () => {
    runtime = await start(SLEEPER, { concurrency: 1, timeoutMs: 400 });
    const stuck = runtime.invoke({ ms: 5000 }, 'stuck');
    await new Promise((r) => setTimeout(r, 100));

    const after = await runtime.invoke({ ms: 0 }, 'after');

    expect((await stuck).kind).toBe('timeout');
    expect(after.kind).toBe('result');
    expect(runtime.environments().coldStarts).toBe(2);
  });

  it('runs an offered event whose cell a later offer would have shared, after one was taken back in between', async () => {
    // Prepare: a function that can block its thread, during an event (offers then wait in the port) and just
    // after it (its answer is posted, the next offer not yet read).
    runtime = await start(
      `const busy = (ms) => { const until = Date.now() + ms; while (Date.now() < until); };
      export const handler = async (event) => {
        if (event.blockFor) busy(event.blockFor);
        if (event.blockAfter) process.nextTick(() => busy(event.blockAfter));
        if (event.ms) await new Promise((r) => setTimeout(r, event.ms));
        return event.n;
      };`,
      { concurrency: 2, timeoutMs: 5000 },
    );
    const pool = runtime;
    const at = (ms: number) => new Promise((r) => setTimeout(r, ms - (performance.now() - started)));
    const started = performance.now();

    // Act
    // A runs 1 and stays blocked after it until about 3.3 s; B runs 2 until about 0.5 s.
    const answers = [
      pool.invoke({ n: 1, blockFor: 300, blockAfter: 3000 }, 'r1'),
      pool.invoke({ n: 2, ms: 400 }, 'r2'),
    ];
    await at(100);
    // 3 is offered to A (promoted to running when 1 is answered, but not taken while A is blocked); 4 to B.
    answers.push(pool.invoke({ n: 3 }, 'r3'), pool.invoke({ n: 4 }, 'r4'));
    await at(1000);
    // B runs 5; 6 is offered to A, then taken back by B when 5 is done.
    answers.push(pool.invoke({ n: 5, ms: 400 }, 'r5'), pool.invoke({ n: 6, ms: 600 }, 'r6'));
    await at(1700);
    // With B busy, 7 is offered to A: it must not take the cell that 3 is still waiting in.
    answers.push(pool.invoke({ n: 7 }, 'r7'));

    // Assess
    expect(await Promise.all(answers)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => ({ kind: 'result', payload: n })));
  }, 20_000);

  it('answers a stopped runtime with an error rather than hanging', async () => {
    runtime = await start(`export const handler = async () => 1;`);
    await runtime.stop();

    expect((await runtime.invoke({}, 'r1')).kind).toBe('error');
  });
});
