/**
 * Health: the report of `products-cli metrics` for the stack the console drives, as the summary line, four headline
 * figures and a small chart per series (inline SVG: bars for counts, a line for times, a gap where a period has no
 * point). Refreshed every 10 s while the tab is visible; the period is one of --since's choices.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  GROUP_TITLES,
  formatFigure,
  formatPeriod,
  onTimeline,
  seriesFigures,
  summaryLine,
  type MetricsReport,
  type ReportSeries,
} from '../../src/output/render-metrics.js';
import type { MetricGroup } from '../../src/stack/metric-series.js';
import { DEFAULT_SINCE, SINCE_CHOICES } from '../../src/stack/metric-since.js';

const REFRESH_MS = 10_000;
const WIDTH = 240;
const HEIGHT = 56;
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dated = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

/** Time labels: the hour alone within a day, the date too beyond. */
const at = (iso: string, report: MetricsReport) =>
  (Date.parse(report.end) - Date.parse(report.start) > 86_400_000 ? dated : clock).format(new Date(iso));

type Point = { x: number; y: number };

/** The chart's shapes: one bar a period for a count, else the line through consecutive points (a gap breaks it). */
function shapes(values: (number | undefined)[], bars: boolean) {
  const peak = Math.max(0, ...values.filter((v): v is number => v !== undefined));
  const step = WIDTH / Math.max(1, values.length);
  const y = (v: number) => HEIGHT - (peak === 0 ? 0 : (v / peak) * (HEIGHT - 4)) - 1;
  if (bars) {
    return values.map((v, i) =>
      // A measured zero is a low grey tick, so that it differs from a period without a point.
      v === undefined ? null : (
        <rect
          class={v === 0 ? 'bar zero' : 'bar'}
          x={i * step + step * 0.15}
          width={step * 0.7}
          y={Math.min(y(v), HEIGHT - 2)}
          height={Math.max(2, HEIGHT - y(v))}
        />
      ),
    );
  }
  // Runs of consecutive points, at the middle of their periods; a lone point is a level stroke across its period.
  const runs: Point[][] = [];
  let run: Point[] = [];
  for (const [i, v] of values.entries()) {
    if (v === undefined) {
      run = [];
      continue;
    }
    if (run.length === 0) runs.push(run);
    run.push({ x: (i + 0.5) * step, y: y(v) });
  }
  const half = Math.max(2, step / 2);
  return runs.map((points) => {
    const [only] = points as [Point];
    const drawn =
      points.length > 1
        ? points
        : [
            { x: only.x - half, y: only.y },
            { x: only.x + half, y: only.y },
          ];
    const line = drawn.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    const [first, last] = [drawn[0] as Point, drawn[drawn.length - 1] as Point];
    return (
      <g>
        <polygon class="area" points={`${first.x.toFixed(1)},${HEIGHT} ${line} ${last.x.toFixed(1)},${HEIGHT}`} />
        <polyline class="line" points={line} vector-effect="non-scaling-stroke" />
      </g>
    );
  });
}

function Chart({ series, report }: { series: ReportSeries; report: MetricsReport }) {
  const { main, peak } = seriesFigures(series, report);
  const values = onTimeline(series, report);
  const unit = series.unit === 'count' ? '' : ` (${series.unit}, ${series.stat})`;
  // One executed version's series (during a canary) carry their version beside the function's own.
  const label = series.version === undefined ? series.label : `${series.label}, version ${series.version}`;
  const described =
    series.values.length === 0
      ? `${label}: no data in this period`
      : `${label}${unit}: ${main}, ${peak}, ${series.values.length} of ${values.length} periods with data`;
  return (
    <figure class={`chart${series.values.length === 0 ? ' nodata' : ''}`} data-series={series.id}>
      <figcaption>
        <span class="label">{label}</span>
        <span class="figure">{main}</span>
      </figcaption>
      <svg role="img" aria-label={described} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none">
        <line class="base" x1="0" x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} vector-effect="non-scaling-stroke" />
        {shapes(values, series.unit !== 'ms')}
      </svg>
      <div class="axis" aria-hidden="true">
        <span>{at(report.start, report)}</span>
        <span>{peak}</span>
        <span>{at(report.end, report)}</span>
      </div>
    </figure>
  );
}

function Headline({ label, value, tone }: { label: string; value: string; tone?: 'good' | 'bad' }) {
  return (
    <div class="tile">
      <span class="tile-label">{label}</span>
      <span class={`tile-value${tone ? ` ${tone}` : ''}`}>{value}</span>
    </div>
  );
}

export function HealthView() {
  const [since, setSince] = useState<string>(DEFAULT_SINCE);
  const [report, setReport] = useState<MetricsReport | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const [updated, setUpdated] = useState<Date | undefined>();
  const asked = useRef(0);

  const load = useCallback(async () => {
    const ticket = ++asked.current;
    try {
      const response = await fetch(`/console/metrics?since=${encodeURIComponent(since)}`, {
        headers: { accept: 'application/json' },
      });
      const body = (await response
        .json()
        .catch(() => ({ message: `the console answered ${response.status}` }))) as MetricsReport & { message?: string };
      if (ticket !== asked.current) return; // a later period was chosen meanwhile
      if (!response.ok) throw new Error(body.message ?? `the console answered ${response.status}`);
      setReport(body);
      setUpdated(new Date());
      setFailure(undefined);
    } catch (error) {
      if (ticket === asked.current) setFailure(`Could not read the metrics: ${(error as Error).message}`);
    }
  }, [since]);

  // Every 10 s while the tab is visible; at once when it becomes visible again.
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const pause = () => {
      clearInterval(timer);
      timer = undefined;
    };
    const resume = () => {
      pause();
      if (document.visibilityState !== 'visible') return;
      void load();
      timer = setInterval(() => void load(), REFRESH_MS);
    };
    resume();
    document.addEventListener('visibilitychange', resume);
    return () => {
      pause();
      document.removeEventListener('visibilitychange', resume);
    };
  }, [load]);

  // Another period's charts are not shown under this one's name while it loads.
  const choose = (choice: string) => {
    setSince(choice);
    setReport(undefined);
  };
  const groups = report ? ([...new Set(report.series.map((s) => s.group))] as MetricGroup[]) : [];
  const summary = report?.summary;
  return (
    <section class="health" aria-labelledby="health-title">
      <div class="toolbar">
        <h1 id="health-title">Health</h1>
        <fieldset class="periods">
          <legend class="sr-only">Period</legend>
          {SINCE_CHOICES.map((choice) => (
            <label class={choice === since ? 'on' : undefined}>
              <input
                type="radio"
                name="since"
                value={choice}
                checked={choice === since}
                onChange={() => choose(choice)}
              />
              <span>last {choice}</span>
            </label>
          ))}
        </fieldset>
        <span class="spacer" />
        <span class="muted" aria-live="off">
          {report
            ? `${report.target === 'local' ? 'local stack' : 'CloudWatch'} · ${formatPeriod(report.periodSeconds)} periods`
            : 'loading…'}
          {updated ? ` · updated ${updated.toLocaleTimeString()}` : ''}
        </span>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {failure && (
        <p class="banner error" role="alert">
          {failure}
        </p>
      )}
      {report && summary && (
        <>
          <p class="summary-line">{summaryLine(summary, report)}</p>
          <div class="tiles">
            <Headline label="Requests" value={formatFigure(summary.requests, 'count')} />
            <Headline
              label="5XX rate"
              value={summary.serverErrorRate === undefined ? '—' : percent.format(summary.serverErrorRate)}
              tone={summary.serverErrorRate ? 'bad' : summary.requests ? 'good' : undefined}
            />
            <Headline
              label="p99 latency"
              value={summary.p99Ms === undefined ? '—' : formatFigure(summary.p99Ms, 'ms')}
            />
            <Headline
              label="Throttles"
              value={formatFigure(summary.throttles, 'count')}
              tone={summary.throttles ? 'bad' : undefined}
            />
          </div>
          {groups.map((group) => (
            <section class="chart-group" aria-labelledby={`group-${group}`}>
              <h2 id={`group-${group}`}>{GROUP_TITLES[group](report.names)}</h2>
              <div class="charts">
                {report.series
                  .filter((s) => s.group === group)
                  .map((series) => (
                    <Chart series={series} report={report} />
                  ))}
              </div>
            </section>
          ))}
        </>
      )}
    </section>
  );
}
