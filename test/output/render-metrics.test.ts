// The metrics report for people: sparklines on the window's timeline (gaps where no point), units, figures, the summary line.
import { describe, expect, it } from 'vitest';
import {
  formatFigure,
  formatPeriod,
  onTimeline,
  renderMetrics,
  renderRefreshLine,
  sparkline,
  summarize,
  summaryLine,
  type MetricsReport,
  type ReportSeries,
} from '../../src/output/render-metrics.js';
import { plainStyle } from '../../src/output/style.js';

const START = Date.parse('2026-12-07T07:00:00Z');
const at = (minute: number) => new Date(START + minute * 60_000).toISOString();

function series(
  id: string,
  label: string,
  unit: ReportSeries['unit'],
  stat: ReportSeries['stat'],
  points: [number, number][],
  group: ReportSeries['group'] = 'api',
): ReportSeries {
  return {
    id,
    group,
    label,
    unit,
    stat,
    timestamps: points.map(([minute]) => at(minute)),
    values: points.map(([, value]) => value),
  };
}

function report(list: ReportSeries[], minutes = 6): MetricsReport {
  return {
    target: 'aws',
    start: at(0),
    end: at(minutes),
    periodSeconds: 60,
    names: { api: 'productApi', stage: 'prod', function: 'productFunction', table: 'product' },
    series: list,
    summary: summarize(list),
  };
}

describe('sparkline', () => {
  it('scales from zero to the peak, and leaves a gap where a period has no point', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([undefined, 7, undefined, 0])).toBe(' █ ▁');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([undefined, undefined])).toBe('  ');
  });

  it('places each point at its period, whatever order and spacing the points come in', () => {
    const values = onTimeline({ timestamps: [at(4), at(1)], values: [8, 2] }, report([], 6));
    expect(values).toEqual([undefined, 2, undefined, undefined, 8, undefined]);
  });
});

describe('figures and units', () => {
  it.each([
    [1204, 'count', '1,204'],
    [182.4, 'ms', '182 ms'],
    [3.46, 'ms', '3.5 ms'],
    [12.5, 'units', '12.5 units'],
  ] as const)('%s %s reads %s', (value, unit, text) => {
    expect(formatFigure(value, unit)).toBe(text);
  });

  it.each([
    [60, '1m'],
    [300, '5m'],
    [3600, '1h'],
    [12_000, '3h 20m'],
  ])('a period of %i s reads %s', (seconds, text) => {
    expect(formatPeriod(seconds)).toBe(text);
  });
});

describe('the summary line', () => {
  it('gives requests, the 5XX share, the highest p99 and the throttles', () => {
    const list = [
      series('api.count', 'requests', 'count', 'Sum', [
        [0, 1000],
        [1, 204],
      ]),
      series('api.5xx', '5XX errors', 'count', 'Sum', [[1, 5]]),
      series('api.latency.p99', 'latency p99', 'ms', 'p99', [
        [0, 120],
        [1, 182],
      ]),
      series('function.throttles', 'throttles', 'count', 'Sum', [[1, 0]], 'function'),
    ];
    expect(summaryLine(summarize(list), report(list))).toBe('1,204 requests, 0.4% 5XX, p99 182 ms, no throttles');
  });

  it('says when there was no traffic, rather than 0%', () => {
    expect(summaryLine(summarize([]), report([]))).toBe('no requests since 2026-12-07 07:00 UTC');
  });
});

describe('renderMetrics', () => {
  it('aligns the sparklines, units and figures of every series, and says "no data" for an empty one', () => {
    const list = [
      series('api.count', 'requests', 'count', 'Sum', [
        [0, 10],
        [1, 40],
        [3, 0],
      ]),
      series('api.latency.p99', 'latency p99', 'ms', 'p99', [
        [0, 12.3],
        [1, 182.4],
      ]),
      series('function.errors', 'errors', 'count', 'Sum', [], 'function'),
    ];
    const lines = renderMetrics(report(list), plainStyle).split('\n');

    expect(lines[0]).toBe('CloudWatch · 2026-12-07 07:00 – 2026-12-07 07:06 UTC · 1m periods');
    expect(lines[1]).toBe('50 requests, 0% 5XX, p99 182 ms, no throttles');
    expect(lines).toContain('API productApi / prod');
    expect(lines).toContain('function productFunction');
    const requests = lines.find((line) => line.includes('requests ')) as string;
    const latency = lines.find((line) => line.includes('latency p99')) as string;
    const errors = lines.find((line) => line.includes('errors')) as string;
    // The gap at minute 2 and the empty minutes 4-5 are blanks; the zero at minute 3 is the lowest bar.
    expect(requests).toContain('▃█ ▁  ');
    expect(latency).toContain('▁█    ');
    expect(errors).toContain('      ');
    expect(errors).toContain('no data');
    // The sparkline starts in one column for every series, and the unit after it.
    const column = (line: string) => line.search(/[▁▂▃▄▅▆▇█]/);
    expect(column(requests)).toBe(column(latency));
    expect(latency.slice(column(latency) + 8, column(latency) + 10)).toBe('ms');
    expect(requests).toMatch(/50 \(8\.3\/min\)\s+peak 40$/);
    expect(latency).toMatch(/last 182 ms\s+peak 182 ms$/);
  });

  it('gives one line a refresh for a pipe', () => {
    const list = [series('api.count', 'requests', 'count', 'Sum', [[0, 3]])];
    expect(renderRefreshLine(report(list))).toBe('2026-12-07T07:06:00Z 3 requests, 0% 5XX, no throttles');
  });
});
