import { describe, expect, it } from 'vitest';
import { BUCKET_EDGES_MS, formatMs, LatencyRecorder, renderHistogram } from '../../src/testing/latency.js';

describe('LatencyRecorder', () => {
  it('gives percentiles within the histogram precision, never above the max', () => {
    const recorder = new LatencyRecorder();
    for (let ms = 1; ms <= 1000; ms++) recorder.record(ms);
    const summary = recorder.summary();
    expect(summary.count).toBe(1000);
    expect(summary.p50).toBeCloseTo(500, -1);
    expect(summary.p90).toBeCloseTo(900, -1);
    expect(summary.p99).toBeCloseTo(990, -1);
    expect(summary.max).toBeCloseTo(1000, 0);
    expect(summary.p99_9).toBeLessThanOrEqual(summary.max);
    expect(summary.min).toBeCloseTo(1, 2);
  });

  it('is all zeros when nothing was recorded', () => {
    expect(new LatencyRecorder().summary()).toEqual({
      count: 0,
      min: 0,
      mean: 0,
      p50: 0,
      p90: 0,
      p99: 0,
      p99_9: 0,
      max: 0,
    });
    expect(new LatencyRecorder().bars()).toEqual([]);
  });

  it('counts each value in its 1-2-5 bucket, from the first non-empty bucket to the last', () => {
    const recorder = new LatencyRecorder();
    for (const ms of [0.7, 0.9, 1.5, 30]) recorder.record(ms);
    expect(recorder.bars()).toEqual([
      { fromMs: 0.5, toMs: 1, count: 2 },
      { fromMs: 1, toMs: 2, count: 1 },
      { fromMs: 2, toMs: 5, count: 0 },
      { fromMs: 5, toMs: 10, count: 0 },
      { fromMs: 10, toMs: 20, count: 0 },
      { fromMs: 20, toMs: 50, count: 1 },
    ]);
    expect(BUCKET_EDGES_MS.slice(0, 4)).toEqual([0.1, 0.2, 0.5, 1]);
  });
});

describe('renderHistogram', () => {
  it('draws bars proportional to the counts, with ranges, counts and shares', () => {
    const lines = renderHistogram(
      [
        { fromMs: 0.5, toMs: 1, count: 8 },
        { fromMs: 1, toMs: 2, count: 4 },
        { fromMs: 2, toMs: 5, count: 0 },
      ],
      8,
    );
    expect(lines).toEqual([
      '0.5 ms – 1 ms │████████ 8  66.7%',
      '  1 ms – 2 ms │████     4  33.3%',
      '  2 ms – 5 ms │         0   0.0%',
    ]);
  });
});

describe('formatMs', () => {
  it.each([
    [0.25, '250 µs'],
    [Math.PI, '3.14 ms'],
    [42.42, '42.4 ms'],
    [420.4, '420 ms'],
    [1234, '1.23 s'],
  ])('%s ms is %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});
