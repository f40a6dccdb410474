/**
 * The local stack's own metrics: what its gateway, function pool and engine did, kept per minute as CloudWatch
 * keeps AWS metrics, and read back as the same series `metrics` reads from CloudWatch. A minute without
 * activity has no record, so it reads as a gap, never as zeros.
 */
import type { EngineRequest } from './dynamo-engine.js';
import type { RuntimeObserver } from './lambda-runtime.js';
import type { LocalVersions } from './versions.js';
import {
  emptySeries,
  SERIES,
  VERSION_SERIES,
  type MetricSeries,
  type MetricsWindow,
  type RoutedVersion,
  type SeriesDefinition,
} from '../stack/metric-series.js';

const MINUTE_MS = 60_000;
/** Minutes kept: 15 days, as long as CloudWatch keeps 1-minute points. */
const KEEP_MS = 15 * 86_400_000;
/** Histogram buckets grow by 2%, so a percentile read back is within 1% of the sample's value. */
const GROWTH = Math.log(1.02);
/** Samples below this (in ms) share the lowest bucket. */
const FLOOR_MS = 0.01;

interface Samples {
  count: number;
  sum: number;
  /** Log-bucket index → samples in it. */
  buckets: Map<number, number>;
}

interface Minute {
  counts: Map<string, number>;
  maxima: Map<string, number>;
  samples: Map<string, Samples>;
}

const newMinute = (): Minute => ({ counts: new Map(), maxima: new Map(), samples: new Map() });
const bucketOf = (value: number) => Math.round(Math.log(Math.max(value, FLOOR_MS) / FLOOR_MS) / GROWTH);
const bucketValue = (bucket: number) => FLOOR_MS * Math.exp(bucket * GROWTH);

/** The sample a series is read from: `api.latency.p99` and `api.latency.p50` both read `api.latency`. */
const sampleName = (definition: SeriesDefinition) =>
  definition.stat === 'p50' || definition.stat === 'p99' ? definition.id.replace(/\.p\d+$/, '') : definition.id;

export interface MetricsRecorder {
  /** Adds `n` to a counted series (`api.count`, `function.errors`). */
  count(id: string, n?: number): void;
  /** Keeps the highest value of the minute (`function.concurrent`). */
  max(id: string, value: number): void;
  /** Adds one timing, in ms (`api.latency`, `function.duration`, `table.latency.GetItem`). */
  sample(name: string, valueMs: number): void;
  /**
   * Every local series over the window, one value per period that saw activity; with two routed versions (a
   * canary), each one's invocations, errors and duration p99 as well.
   */
  read(window: MetricsWindow, routed?: readonly RoutedVersion[]): MetricSeries[];
}

function percentile(samples: Samples, fraction: number): number {
  const rank = Math.ceil(samples.count * fraction);
  let seen = 0;
  for (const bucket of [...samples.buckets.keys()].sort((a, b) => a - b)) {
    seen += samples.buckets.get(bucket) as number;
    if (seen >= rank) return bucketValue(bucket);
  }
  return 0;
}

/** What one version's figures are kept under: `function.invocations@2`; the function's own without a version. */
const ofVersion = (name: string, version?: string) => (version === undefined ? name : `${name}@${version}`);

/** The value of one series (of one executed version) over the minutes of a period, or undefined when it has none. */
function valueOver(definition: SeriesDefinition, minutes: Minute[], version?: string): number | undefined {
  const id = ofVersion(definition.id, version);
  if (definition.stat === 'Sum') return minutes.reduce((total, minute) => total + (minute.counts.get(id) ?? 0), 0);
  if (definition.stat === 'Maximum') return Math.max(0, ...minutes.map((minute) => minute.maxima.get(id) ?? 0));
  const merged: Samples = { count: 0, sum: 0, buckets: new Map() };
  for (const minute of minutes) {
    const samples = minute.samples.get(ofVersion(sampleName(definition), version));
    if (!samples) continue;
    merged.count += samples.count;
    merged.sum += samples.sum;
    for (const [bucket, n] of samples.buckets) merged.buckets.set(bucket, (merged.buckets.get(bucket) ?? 0) + n);
  }
  if (merged.count === 0) return undefined;
  if (definition.stat === 'Average') return merged.sum / merged.count;
  return percentile(merged, definition.stat === 'p50' ? 0.5 : 0.99);
}

/** A recorder whose clock is `now` (tests pass their own). */
export function createMetricsRecorder(now: () => number = Date.now): MetricsRecorder {
  const minutes = new Map<number, Minute>();
  let oldest = Number.POSITIVE_INFINITY;
  const current = (): Minute => {
    const key = Math.floor(now() / MINUTE_MS) * MINUTE_MS;
    let minute = minutes.get(key);
    if (!minute) {
      minute = newMinute();
      minutes.set(key, minute);
      oldest = Math.min(oldest, key);
      // Forgets what is older than CloudWatch's own 1-minute retention.
      while (oldest < key - KEEP_MS) {
        minutes.delete(oldest);
        oldest += MINUTE_MS;
      }
    }
    return minute;
  };
  return {
    count(id, n = 1) {
      const { counts } = current();
      counts.set(id, (counts.get(id) ?? 0) + n);
    },
    max(id, value) {
      const { maxima } = current();
      maxima.set(id, Math.max(maxima.get(id) ?? 0, value));
    },
    sample(name, valueMs) {
      const minute = current();
      let samples = minute.samples.get(name);
      if (!samples) minute.samples.set(name, (samples = { count: 0, sum: 0, buckets: new Map() }));
      samples.count += 1;
      samples.sum += valueMs;
      const bucket = bucketOf(valueMs);
      samples.buckets.set(bucket, (samples.buckets.get(bucket) ?? 0) + 1);
    },
    read(window, routed = []) {
      const periodMs = window.periodSeconds * 1000;
      const read = [
        ...SERIES.filter((definition) => definition.local).map((definition) => ({
          definition,
          routed: undefined as RoutedVersion | undefined,
        })),
        ...(routed.length > 1
          ? routed.flatMap((version) => VERSION_SERIES.map((definition) => ({ definition, routed: version })))
          : []),
      ];
      const series = read.map(({ definition, routed: version }) => emptySeries(definition, version));
      for (let start = window.start; start < window.end; start += periodMs) {
        const inPeriod: Minute[] = [];
        for (let key = Math.ceil(start / MINUTE_MS) * MINUTE_MS; key < start + periodMs; key += MINUTE_MS) {
          const minute = minutes.get(key);
          if (minute) inPeriod.push(minute);
        }
        if (inPeriod.length === 0) continue;
        read.forEach(({ definition, routed: version }, index) => {
          const value = valueOver(definition, inPeriod, version?.version);
          if (value === undefined) return;
          const target = series[index] as MetricSeries;
          target.timestamps.push(start);
          target.values.push(value);
        });
      }
      return series;
    },
  };
}

/** Records one answer of the gateway as API Gateway's Count, 4XXError, 5XXError, Latency and IntegrationLatency. */
export function recordAnswer(
  recorder: MetricsRecorder,
  status: number,
  latencyMs: number,
  integrationMs: number | undefined,
): void {
  recorder.count('api.count');
  if (status >= 400 && status < 500) recorder.count('api.4xx');
  if (status >= 500) recorder.count('api.5xx');
  if (status === 429) recorder.count('api.throttled');
  recorder.sample('api.latency', latencyMs);
  if (integrationMs !== undefined) recorder.sample('api.integration', integrationMs);
}

/** The function pool's reports as Lambda's Invocations, Errors, Duration and ConcurrentExecutions, and cold starts. */
export function runtimeObserver(recorder: MetricsRecorder, version?: string): RuntimeObserver {
  return {
    coldStart: () => recorder.count('function.coldStarts'),
    started: (concurrent) => recorder.max('function.concurrent', concurrent),
    finished(durationMs, outcome) {
      // The function's figures, and (as Lambda's ExecutedVersion dimension) those of the version whose pool ran.
      for (const key of version === undefined ? [undefined] : [undefined, version]) {
        recorder.count(ofVersion('function.invocations', key));
        // Errors counts invocations that failed (an exception, a timeout), not the error answers the function gave.
        if (outcome.kind !== 'result') recorder.count(ofVersion('function.errors', key));
        recorder.sample(ofVersion('function.duration', key), durationMs);
      }
    },
  };
}

/** The versions live routes to while a canary runs (each with its share), else none. */
export function routedVersions(versions: Pick<LocalVersions, 'live' | 'canary'>): RoutedVersion[] {
  const canary = versions.canary();
  if (!canary) return [];
  return [
    { version: versions.live(), share: 1 - canary.weight },
    { version: canary.version, share: canary.weight },
  ];
}

/** The engine's requests: how many, and the latency of the successful ones by operation (as SuccessfulRequestLatency). */
export function recordEngineRequests(recorder: MetricsRecorder, requests: readonly EngineRequest[]): void {
  recorder.count('table.requests', requests.length);
  for (const request of requests)
    if (request.status === 200) recorder.sample(`table.latency.${request.operation}`, request.durationMs);
}
