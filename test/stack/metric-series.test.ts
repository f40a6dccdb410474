// The window `--since` asks for: a period CloudWatch can serve for a start that old, about 60 points, aligned.
import { describe, expect, it } from 'vitest';
import { chooseWindow, MAX_DATAPOINTS, UnservableWindowError } from '../../src/stack/metric-series.js';

const NOW = Date.parse('2026-12-07T07:31:20Z');
const MINUTE = 60_000;
const DAY = 86_400_000;

describe('chooseWindow', () => {
  it.each([
    ['15m', 15 * MINUTE, 60],
    ['1h', 60 * MINUTE, 60],
    ['3h', 180 * MINUTE, 180],
    ['1d', DAY, 1440],
    ['7d', 7 * DAY, 10_080],
    // Past 15 days only 5-minute points are kept, past 63 days only hourly ones.
    ['30d', 30 * DAY, 43_200],
    ['90d', 90 * DAY, 129_600],
  ])('--since %s gives %i-second periods', (_text, sinceMs, periodSeconds) => {
    const window = chooseWindow(sinceMs, NOW);
    expect(window.periodSeconds).toBe(periodSeconds);
    expect(window.periodSeconds % (sinceMs > 63 * DAY ? 3600 : sinceMs > 15 * DAY ? 300 : 60)).toBe(0);
    expect(window.start % (periodSeconds * 1000)).toBe(0);
    expect(window.end % (periodSeconds * 1000)).toBe(0);
    expect(window.start).toBeLessThanOrEqual(NOW - sinceMs);
    expect(window.end).toBeGreaterThan(NOW);
    expect((window.end - window.start) / (periodSeconds * 1000)).toBeLessThanOrEqual(62);
  });

  it('refuses a window shorter than a minute or older than CloudWatch keeps', () => {
    expect(() => chooseWindow(30_000, NOW)).toThrow(UnservableWindowError);
    expect(() => chooseWindow(456 * DAY, NOW)).toThrow(/at most 455d/);
  });

  it('widens the period until every query fits in one call', () => {
    const queries = 2000;
    const window = chooseWindow(DAY, NOW, queries);
    expect(((window.end - window.start) / (window.periodSeconds * 1000)) * queries).toBeLessThanOrEqual(MAX_DATAPOINTS);
  });
});
