/** Latency recording: an HDR histogram for exact percentiles, and coarse 1-2-5 buckets for a terminal chart. */
import { createRequire } from 'node:module';
import type { Histogram } from 'hdr-histogram-js';

/** Bucket upper edges in milliseconds: 0.1, 0.2, 0.5, 1, 2, 5, … 100,000. */
export const BUCKET_EDGES_MS: readonly number[] = (() => {
  const edges: number[] = [];
  for (let decade = 0.1; decade <= 100_000; decade *= 10)
    for (const step of [1, 2, 5]) edges.push(Number((decade * step).toPrecision(1)));
  return edges.filter((edge) => edge <= 100_000);
})();

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p99_9: number;
  max: number;
}

export interface HistogramBar {
  /** The bucket is (fromMs, toMs]. */
  fromMs: number;
  toMs: number;
  count: number;
}

const HIGHEST_US = 3_600_000_000; // one hour

function buildHistogram(): Histogram {
  // hdr-histogram-js is CommonJS; its JS build (not WebAssembly) needs no initialisation.
  const require = createRequire(import.meta.url);
  const hdr = require('hdr-histogram-js') as typeof import('hdr-histogram-js');
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });
}

/** Records latencies in microseconds and answers in milliseconds. */
export class LatencyRecorder {
  private readonly histogram = buildHistogram();
  private readonly buckets = new Array<number>(BUCKET_EDGES_MS.length + 1).fill(0);

  record(ms: number): void {
    const us = Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000)));
    this.histogram.recordValue(us);
    let index = BUCKET_EDGES_MS.findIndex((edge) => ms <= edge);
    if (index < 0) index = BUCKET_EDGES_MS.length;
    this.buckets[index] = (this.buckets[index] ?? 0) + 1;
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    // HDR reports a percentile as the highest value equivalent to it, which can lie just above the true max.
    const at = (percentile: number) =>
      h.totalCount === 0 ? 0 : Math.min(h.getValueAtPercentile(percentile), h.maxValue) / 1000;
    return {
      count: h.totalCount,
      min: h.totalCount === 0 ? 0 : h.minNonZeroValue / 1000,
      mean: h.totalCount === 0 ? 0 : h.mean / 1000,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p99_9: at(99.9),
      max: h.totalCount === 0 ? 0 : h.maxValue / 1000,
    };
  }

  /** The non-empty span of buckets, first to last, empty ones between included. */
  bars(): HistogramBar[] {
    const first = this.buckets.findIndex((count) => count > 0);
    if (first < 0) return [];
    let last = this.buckets.length - 1;
    while ((this.buckets[last] ?? 0) === 0) last--;
    const bars: HistogramBar[] = [];
    for (let index = first; index <= last; index++) {
      bars.push({
        fromMs: index === 0 ? 0 : (BUCKET_EDGES_MS[index - 1] as number),
        toMs: BUCKET_EDGES_MS[index] ?? Number.POSITIVE_INFINITY,
        count: this.buckets[index] ?? 0,
      });
    }
    return bars;
  }
}

/** A duration for people: `850 µs`, `12.3 ms`, `1.25 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 100) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A bucket edge: `0.5 ms`, `2 ms`, `1 s`. */
function formatEdge(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The bars drawn with block characters, `width` wide at the tallest, each labelled with its range and count. */
export function renderHistogram(bars: readonly HistogramBar[], width = 40): string[] {
  if (bars.length === 0) return [];
  const total = bars.reduce((sum, bar) => sum + bar.count, 0);
  const tallest = Math.max(...bars.map((bar) => bar.count));
  const labels = bars.map((bar) => `${formatEdge(bar.fromMs)} – ${formatEdge(bar.toMs)}`);
  const labelWidth = Math.max(...labels.map((label) => label.length));
  const countWidth = String(tallest).length;
  return bars.map((bar, index) => {
    const eighths = tallest === 0 ? 0 : Math.round((bar.count / tallest) * width * 8);
    const partial = eighths % 8;
    const drawn = '█'.repeat(Math.floor(eighths / 8)) + (partial > 0 ? (' ▏▎▍▌▋▊▉'[partial] as string) : '');
    const share = total === 0 ? 0 : (bar.count / total) * 100;
    return `${(labels[index] as string).padStart(labelWidth)} │${drawn.padEnd(width)} ${String(bar.count).padStart(countWidth)} ${share.toFixed(1).padStart(5)}%`;
  });
}
