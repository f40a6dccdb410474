/** `bench`: seeds products, drives the API with a mix of requests, reports throughput and latency, cleans up. */
import { getMaxListeners, setMaxListeners } from 'node:events';
import { defineCommand } from '../cli/command.js';
import { CLIENT_FLAGS_HELP, jsonOption, targetOptions } from '../cli/target-options.js';
import { duration, numberFlag, wholeNumber } from '../cli/parsers.js';
import type { Context } from '../context.js';
import { AppError, EXIT, UsageError } from '../errors.js';
import { openProductApi, type TargetOptions } from './open-product-api.js';
import { note } from '../output/print.js';
import { printPolicy } from '../output/print-policy.js';
import { ProgressBar, type ProgressState } from '../output/progress-bar.js';
import type { Style } from '../output/style.js';
import { deleteProducts, seedProducts } from '../testing/bench-data.js';
import { DEFAULT_MIX, formatMix, parseMix, runLoad, type LoadProgress, type Mix } from '../testing/load.js';
import { formatMs, renderHistogram, type HistogramBar, type LatencySummary } from '../testing/latency.js';

export interface BenchOptions extends TargetOptions {
  /** How long to run, in ms. */
  duration?: number;
  requests?: number;
  connections?: number;
  /** Requests per second in all. */
  rate?: number;
  mix?: Mix;
  seed?: number;
  json?: boolean;
}

/** The longest run and the most requests one bench may make: it always ends on its own. */
export const BENCH_LIMITS = { durationMs: 10 * 60_000, requests: 10_000_000, connections: 1024, seed: 10_000 };
const DEFAULT_DURATION_MS = 10_000;
const DEFAULT_CONNECTIONS = 16;

const parseMixFlag = (text: string | Mix): Mix => {
  const mixed = typeof text === 'string' ? parseMix(text) : text;
  if (typeof mixed === 'string') throw new UsageError(`--mix: ${mixed}`);
  return mixed;
};

/** The progress line of a running bench: elapsed time, requests, rate and answers by status so far. */
export function benchProgress(progress: LoadProgress, requests: number | undefined, durationMs: number): ProgressState {
  const seconds = progress.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(progress.requests / seconds) : 0;
  const statuses = Object.entries(progress.statusCounts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}: ${n}`);
  if (progress.errors > 0) statuses.push(`no answer: ${progress.errors}`);
  const detail = `${seconds.toFixed(1)} s  ${progress.requests} requests  ${rate}/s${statuses.length ? `  ${statuses.join(', ')}` : ''}`;
  return requests !== undefined
    ? { done: progress.requests, total: requests, detail }
    : { done: progress.elapsedMs, total: durationMs, detail };
}

export async function bench(opts: BenchOptions, ctx: Context): Promise<BenchReport> {
  if (opts.duration !== undefined && opts.requests !== undefined)
    throw new UsageError('give --duration or --requests, not both');
  const requests = opts.requests;
  // --requests alone still has a time limit, so that a stalled API cannot keep the bench running.
  const durationMs = opts.duration ?? (requests === undefined ? DEFAULT_DURATION_MS : BENCH_LIMITS.durationMs);
  const connections = opts.connections ?? DEFAULT_CONNECTIONS;
  const rate = opts.rate;
  const mixed = opts.mix ?? DEFAULT_MIX;
  const seedCount = opts.seed ?? Math.max(50, connections * 2);

  // Every request in flight listens on the Ctrl-C signal.
  setMaxListeners(Math.max(getMaxListeners(ctx.signal), connections * 2 + 10), ctx.signal);
  const runId = `bench-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
  // Seeding and clean-up are paced to the throttle and not aborted by Ctrl-C or SIGTERM (the requests in flight
  // finish, so it is known what exists); the load itself retries nothing.
  const helper = await openProductApi(opts, ctx, {
    connections,
    signal: undefined,
    retryThrottled: false,
    onSlow: undefined,
  });
  const loadApi = await openProductApi(opts, ctx, { connections, retries: 0, onSlow: undefined });
  // Every product that may exist because of this run, until it is deleted: on every way out, these go.
  const made = new Set<string>();
  let cleaned: { deleted: number; left: number } | undefined;
  try {
    note(ctx, `seeding ${seedCount} products…`);
    await seedProducts(
      helper,
      Array.from({ length: seedCount }, (_, index) => `${runId}-s${index}`),
      connections,
      made,
      ctx.signal,
    );
    if (ctx.signal.aborted) {
      cleaned = await deleteProducts(helper, made, connections);
      throw new AppError(
        `interrupted while seeding; the ${cleaned.deleted} seeded products were deleted`,
        EXIT.interrupted,
      );
    }
    const seeded = [...made];
    const bar = new ProgressBar(ctx.stderr, 'bench', printPolicy(ctx).liveProgress);
    note(
      ctx,
      `running ${requests !== undefined ? `${requests} requests` : `for ${durationMs / 1000} s`} over ${connections} connections…`,
    );
    const result = await runLoad({
      api: loadApi,
      connections,
      mix: mixed,
      durationMs,
      requests,
      rate,
      ids: seeded,
      idPrefix: `${runId}-a`,
      signal: ctx.signal,
      onAnswer: (progress) => bar.update(benchProgress(progress, requests, durationMs)),
    });
    bar.clear();
    // What the load tracked: the seeded and added products still there, and those whose fate is unknown.
    made.clear();
    for (const id of result.liveIds) made.add(id);
    note(ctx, `deleting ${made.size} products…`);
    cleaned = await deleteProducts(helper, made, connections);
    if (result.notProductApi) throw result.notProductApi;
    return {
      target: loadApi.baseUrl,
      connections,
      mix: formatMix(mixed),
      rate: rate ?? null,
      bound: requests !== undefined ? `${requests} requests` : `${durationMs / 1000} s`,
      durationMs: result.durationMs,
      requests: result.requests,
      throughput: result.requests / (result.durationMs / 1000),
      latencyMs: result.latency.summary(),
      latency2xxMs: result.latency2xx.count > 0 ? result.latency2xx.summary() : null,
      latency429Ms: result.latency429.count > 0 ? result.latency429.summary() : null,
      statusCounts: result.statusCounts,
      throttled: result.statusCounts['429'] ?? 0,
      errors: result.errors,
      errorSamples: result.errorSamples,
      operations: result.operations,
      histogram: result.latency.bars(),
      seeded: seedCount,
      cleanedUp: cleaned.deleted,
      leftBehind: cleaned.left,
      interrupted: result.interrupted,
    };
  } finally {
    // Seeding failed, or the load threw: delete what may exist.
    if (!cleaned && made.size > 0) await deleteProducts(helper, made, connections).catch(() => undefined);
    await Promise.all([helper.close(), loadApi.close()]);
  }
}

export interface BenchReport {
  target: string;
  connections: number;
  mix: string;
  /** Requests per second asked for with --rate; null when unlimited. */
  rate: number | null;
  /** What bounded the run: `10 s` or `1000 requests`. */
  bound: string;
  durationMs: number;
  requests: number;
  throughput: number;
  latencyMs: LatencySummary;
  /** Latency of the 2xx answers alone, and of the 429s alone (null when there were none). */
  latency2xxMs: LatencySummary | null;
  latency429Ms: LatencySummary | null;
  statusCounts: Record<string, number>;
  /** 429 answers: API Gateway's throttle refused them. */
  throttled: number;
  errors: number;
  errorSamples: string[];
  operations: Record<string, number>;
  histogram: HistogramBar[];
  seeded: number;
  cleanedUp: number;
  leftBehind: number;
  interrupted: boolean;
}

function percentiles(l: LatencySummary): string {
  return `p50 ${formatMs(l.p50)}  p90 ${formatMs(l.p90)}  p99 ${formatMs(l.p99)}  p99.9 ${formatMs(l.p99_9)}  max ${formatMs(l.max)}  (mean ${formatMs(l.mean)})`;
}

/** The report for people. */
export function renderBench(report: BenchReport, style: Style): string {
  const l = report.latencyMs;
  const statuses = Object.entries(report.statusCounts)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, count]) => {
      const text = `${status} ${count}`;
      return status.startsWith('2') ? text : status === '429' ? style.yellow(text) : style.red(text);
    });
  const ops = Object.entries(report.operations)
    .filter(([, count]) => count > 0)
    .map(([op, count]) => `${op} ${count}`)
    .join('  ');
  const lines = [
    `${style.bold('target')}      ${report.target}`,
    `${style.bold('load')}        ${report.connections} connections, ${report.bound}${report.rate ? `, at ${report.rate} req/s` : ''}, mix ${report.mix}`,
    `${style.bold('requests')}    ${report.requests} in ${(report.durationMs / 1000).toFixed(2)} s = ${style.bold(`${report.throughput.toFixed(1)} req/s`)}${report.interrupted ? style.yellow('  (interrupted)') : ''}`,
    `${style.bold('operations')}  ${ops || 'none'}`,
    `${style.bold('latency')}     ${percentiles(l)}`,
    ...(report.latency2xxMs
      ? [`${style.bold('  2xx')}       ${percentiles(report.latency2xxMs)}  (${report.latency2xxMs.count} answers)`]
      : []),
    ...(report.latency429Ms
      ? [`${style.bold('  429')}       ${percentiles(report.latency429Ms)}  (${report.latency429Ms.count} answers)`]
      : []),
    `${style.bold('status')}      ${statuses.join('  ') || 'none'}`,
    `${style.bold('errors')}      ${report.errors === 0 ? '0' : style.red(`${report.errors}: ${report.errorSamples[0] ?? ''}`)}`,
  ];
  const share = report.throttled / Math.max(1, report.requests);
  if (share > 0.5) {
    lines.push(
      style.yellow(
        `throttled   most answers (${(share * 100).toFixed(1)}%) were 429: this run measured the stage throttle, not the API.`,
      ),
      style.yellow(
        `            For the API's own figures raise it: locally \`products-cli setup --local --rate-limit 100000 --burst-limit 100000\`, or bench at --rate below it.`,
      ),
    );
  } else if (report.throttled > 0) {
    lines.push(
      style.yellow(
        `throttled   ${report.throttled} requests (${(share * 100).toFixed(1)}%) got 429 Too Many Requests from the stage throttle; lower --connections or --rate, or raise the stage's limits`,
      ),
    );
  }
  const chart = renderHistogram(report.histogram);
  if (chart.length > 0) lines.push('', style.bold('latency histogram'), ...chart.map((line) => `  ${line}`));
  lines.push(
    '',
    style.dim(
      `seeded ${report.seeded} products; deleted ${report.cleanedUp} afterwards${report.leftBehind > 0 ? `; ${report.leftBehind} could not be deleted` : ''}`,
    ),
  );
  return lines.join('\n');
}

export const command = defineCommand({
  options: [
    ...targetOptions(),
    {
      flags: '--duration <time>',
      description: 'how long to run, such as 10s, 500ms or 2m (default: 10s; at most 10m)',
      parse: duration('--duration', BENCH_LIMITS.durationMs, 'a time such as 10s, 500ms or 2m, up to 10m'),
    },
    {
      flags: '--requests <n>',
      description: 'send exactly n requests instead of running for a time',
      parse: wholeNumber('--requests', 1, BENCH_LIMITS.requests),
    },
    {
      flags: '--connections <n>',
      description: 'concurrent connections, each with one request in flight',
      default: String(DEFAULT_CONNECTIONS),
      parse: wholeNumber('--connections', 1, BENCH_LIMITS.connections),
    },
    {
      flags: '--rate <r>',
      description: 'send at most r requests per second in all (latency counts from when each was due)',
      parse: numberFlag('--rate', 'a number of requests per second above 0', (n) => n > 0 && n <= 1_000_000, /[\s\S]*/),
    },
    {
      flags: '--mix <ops>',
      description: 'weights of get, list, add, update, delete',
      default: 'get=80,add=10,update=5,delete=5',
      parse: parseMixFlag,
    },
    {
      flags: '--seed <n>',
      description: 'products to create before the run (default: 2 per connection, at least 50)',
      parse: wholeNumber('--seed', 1, BENCH_LIMITS.seed),
    },
    jsonOption('print the report as one JSON document'),
  ],
  help: `Examples:
  $ products-cli bench
  $ products-cli bench --requests 5000 --connections 32 --json
  $ products-cli bench --duration 30s --rate 50 --mix get=90,update=10

429 answers (the stage throttle: 100 req/s, burst 200 by default) are counted and shown, never retried;
latency is given for all answers, for the 2xx alone and for the 429s alone. When most answers are 429 the
report says the run measured the throttle. Seeding and clean-up are paced to the throttle. What the bench
created is deleted on every way out: at the end, on an error, on Ctrl-C and on SIGTERM (the load stops,
what was measured is printed). A URL that is not the product API stops it at the first answer, exit 5.

${CLIENT_FLAGS_HELP}`,
  run: (_args: [], opts: BenchOptions, ctx) => bench(opts, ctx),
  render: renderBench,
});
