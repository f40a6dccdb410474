// The local stack's metrics per executed version: each version's pool reports under its own version, and while a
// canary runs the recorder reads invocations, errors and duration p99 of both versions live routes to.
import { describe, expect, it } from 'vitest';
import { defaultHandlerZip } from '../../src/local/handler-code.js';
import type { InvokeOutcome, LambdaRuntime } from '../../src/local/lambda-runtime.js';
import { createMetricsRecorder, routedVersions, runtimeObserver } from '../../src/local/metrics-recorder.js';
import { startLocalVersions } from '../../src/local/versions.js';
import { requireBuild } from '../helpers/run-cli.js';

const MINUTE = 60_000;

describe('local metrics per executed version', () => {
  it('attributes each invocation to the version whose pool ran it, and reads both routed versions', async () => {
    requireBuild();
    let now = 10 * MINUTE + 5_000;
    const recorder = createMetricsRecorder(() => now);
    /** What each version's pool ran: invocations and failures, as the pool itself saw them. */
    const ran = new Map<string, { invocations: number; errors: number }>();
    // Version 1 takes 20 ms and never fails; version 2 takes 300 ms and fails every third invocation.
    const pool = (version: string): LambdaRuntime => {
      const observer = runtimeObserver(recorder, version);
      return {
        async invoke() {
          const figures = ran.get(version) ?? { invocations: 0, errors: 0 };
          const fails = version === '2' && figures.invocations % 3 === 2;
          const outcome: InvokeOutcome = fails
            ? { kind: 'error', errorType: 'Error', errorMessage: 'boom' }
            : { kind: 'result', payload: {} };
          ran.set(version, { invocations: figures.invocations + 1, errors: figures.errors + (fails ? 1 : 0) });
          observer.finished(version === '2' ? 300 : 20, outcome);
          return outcome;
        },
        environments: () => ({ active: 0, coldStarts: 0 }),
        stop: async () => undefined,
      };
    };
    const versions = await startLocalVersions(defaultHandlerZip(), async (_zip, version) => pool(version), 0);
    for (let i = 0; i < 10; i += 1) await versions.invoke({}, `before-${i}`);
    expect(routedVersions(versions)).toEqual([]);

    const { version } = await versions.startCanary(defaultHandlerZip(), 0.3);
    for (let i = 0; i < 200; i += 1) await versions.invoke({}, `during-${i}`);
    now += MINUTE;
    const window = { start: 10 * MINUTE, end: 12 * MINUTE, periodSeconds: 60 };
    const series = recorder.read(window, routedVersions(versions));

    expect(version).toBe('2');
    const v1 = ran.get('1') as { invocations: number; errors: number };
    const v2 = ran.get('2') as { invocations: number; errors: number };
    expect(v2.invocations).toBeGreaterThan(0);
    expect(v2.errors).toBeGreaterThan(0);
    const perVersion = series.filter((s) => s.version !== undefined).map((s) => [s.id, s.share, s.values]);
    expect(perVersion).toEqual([
      ['function.invocations@1', 0.7, [v1.invocations]],
      ['function.errors@1', 0.7, [0]],
      ['function.duration.p99@1', 0.7, [expect.closeTo(20, 0)]],
      ['function.invocations@2', 0.3, [v2.invocations]],
      ['function.errors@2', 0.3, [v2.errors]],
      ['function.duration.p99@2', 0.3, [expect.closeTo(300, -1)]],
    ]);
    // The function's own series count both versions.
    expect(series.find((s) => s.id === 'function.invocations')?.values).toEqual([210]);
    // Without a canary there are no per-version series.
    versions.endCanary(true);
    expect(recorder.read(window, routedVersions(versions)).some((s) => s.version !== undefined)).toBe(false);
    await versions.stop();
  });
});
