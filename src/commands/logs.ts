/** `logs`: the function's log events, the handler's JSON request lines rendered readably; `--follow` tails. */
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { defineCommand, type RunContext } from '../cli/command.js';
import { awsOptions } from '../cli/option-sets.js';
import { jsonOption } from '../cli/target-options.js';
import { readDuration } from '../cli/parsers.js';
import type { Context } from '../context.js';
import { errorName, translateAwsError } from '../aws/errors.js';
import { AwsError, UsageError } from '../errors.js';
import { note } from '../output/print.js';
import type { Style } from '../output/style.js';
import type { AwsDeps } from '../provision/session.js';
import type { LogsLocalResult } from './logs-local.js';
import type { AwsTargetOptions } from './setup-aws.js';

/**
 * How far back each `--follow` poll reads again. CloudWatch Logs ingests each stream with its own delay, so
 * an event stamped earlier can arrive after later ones; polling from the newest timestamp seen would skip it.
 * Events already printed are recognised by their id.
 */
export const FOLLOW_LOOKBACK_MS = 2 * 60_000;

export interface LogsOptions extends AwsTargetOptions {
  /** The local stack's log instead of CloudWatch. */
  local?: boolean;
  since?: Since;
  follow?: boolean;
  filter?: string;
  /** Milliseconds between polls with --follow (tests shorten it). */
  pollMs?: number;
}

export interface LogEvent {
  timestamp: number;
  stream?: string;
  eventId?: string;
  message: string;
  /** The parsed JSON log line, when the message is one. */
  data?: Record<string, unknown>;
}

export type LogsResult = LogsAwsResult | LogsLocalResult;

export interface LogsAwsResult {
  target: 'aws';
  logGroup: string;
  events: number;
}

/** `--since`: a length of time back from when the command runs, or a moment. */
export type Since = { agoMs: number } | { at: number };

const DEFAULT_SINCE: Since = { agoMs: 10 * 60_000 };

/** Reads `--since`: `30s`, `10m`, `2h`, `1d` (a unit is needed), or a date such as 2026-01-31T12:00:00Z. */
export function readSince(text: string): Since {
  const agoMs = readDuration(text, null);
  if (agoMs !== undefined) return { agoMs };
  const at = Date.parse(text);
  if (Number.isFinite(at)) return { at };
  throw new UsageError(`--since must be a duration such as 30s, 10m, 2h or 1d, or a date such as 2026-01-31T12:00:00Z, not "${text}"`);
}

/** The start time of `since`, in ms since the epoch, when the clock says `now`. */
export function sinceStart(since: Since, now: number): number {
  return 'at' in since ? since.at : now - since.agoMs;
}

/** `--since` text as a start time, when the clock says `now`. */
export function parseSince(text: string, now: number): number {
  return sinceStart(readSince(text), now);
}

/** The filter pattern of `--filter TEXT`: the text as one quoted term, unless it is already a pattern. */
export function filterPattern(text: string): string {
  if (/^[{?["]/.test(text.trim())) return text;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** One CloudWatch event as a LogEvent, its message parsed when it is JSON (Lambda's JSON log format). */
export function toLogEvent(event: FilteredLogEvent): LogEvent {
  const message = (event.message ?? '').replace(/\n$/, '');
  let data: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(message) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
  } catch {
    // A plain-text line.
  }
  // Lambda may wrap an application line: {"message": "<the handler's JSON line>", ...}.
  if (data && typeof data.message === 'string' && data.message.startsWith('{')) {
    try {
      data = { ...data, ...(JSON.parse(data.message) as Record<string, unknown>) };
    } catch {
      // Keep the outer object.
    }
  }
  return { timestamp: event.timestamp ?? 0, message, ...(event.logStreamName ? { stream: event.logStreamName } : {}), ...(event.eventId ? { eventId: event.eventId } : {}), ...(data ? { data } : {}) };
}

/** One event as a readable line: request lines as `time METHOD path status duration id`, platform lines briefly. */
export function renderLogEvent(event: LogEvent, style: Style): string {
  const time = style.dim(new Date(event.timestamp).toISOString().replace('T', ' ').replace('Z', ''));
  const d = event.data;
  if (d && d.message === 'request' && typeof d.method === 'string') {
    const status = Number(d.status);
    const colour = status >= 500 ? style.red : status >= 400 ? style.yellow : style.green;
    const error = d.error && typeof d.error === 'object' ? ` ${style.red(`${(d.error as { name?: string }).name ?? 'Error'}: ${(d.error as { message?: string }).message ?? ''}`)}` : '';
    return `${time} ${String(d.method).padEnd(6)} ${String(d.path ?? d.resource ?? '')} ${colour(String(status))} ${style.dim(`${d.durationMs ?? '?'} ms`)} ${style.dim(String(d.requestId ?? ''))}${error}`;
  }
  if (d && typeof d.type === 'string' && d.type.startsWith('platform.')) {
    const record = (d.record ?? {}) as { requestId?: string; metrics?: { durationMs?: number; billedDurationMs?: number; maxMemoryUsedMB?: number; initDurationMs?: number } };
    if (d.type === 'platform.report' && record.metrics) {
      const m = record.metrics;
      return `${time} ${style.dim(`REPORT ${record.requestId ?? ''} ${m.durationMs ?? '?'} ms (billed ${m.billedDurationMs ?? '?'} ms), ${m.maxMemoryUsedMB ?? '?'} MB${m.initDurationMs ? `, init ${m.initDurationMs} ms` : ''}`)}`;
    }
    const took = record.metrics?.durationMs === undefined ? '' : ` ${record.metrics.durationMs} ms`;
    return `${time} ${style.dim(`${d.type.slice('platform.'.length).toUpperCase()}${record.requestId ? ` ${record.requestId}` : ''}${took}`)}`;
  }
  if (d && typeof d.level === 'string' && typeof d.message === 'string') {
    const level = d.level === 'ERROR' ? style.red(d.level) : d.level === 'WARN' ? style.yellow(d.level) : style.dim(d.level);
    return `${time} ${level} ${d.message}`;
  }
  return `${time} ${event.message}`;
}

/** Prints the log events through `onEvent`; with `follow`, keeps polling until the signal aborts. */
export async function logs(opts: LogsOptions, ctx: Context, onEvent: (event: LogEvent) => void, deps: Partial<AwsDeps> = {}): Promise<LogsResult> {
  const { logsLocal, onlyLocalRecorded } = await import('./logs-local.js');
  if (opts.local || (await onlyLocalRecorded(opts, ctx.cwd))) return logsLocal(opts, ctx, onEvent, sinceStart(opts.since ?? DEFAULT_SINCE, Date.now()));
  // Loaded here, so that `logs --help` does not load the AWS SDK.
  const [{ awsTarget, openSession }, { withTerminalProgress }, { FilterLogEventsCommand }] = await Promise.all([import('../provision/session.js'), import('../output/progress.js'), import('@aws-sdk/client-cloudwatch-logs')]);
  const session = await openSession(
    awsTarget(opts),
    withTerminalProgress(ctx),
    deps,
  );
  const { pctx } = session;
  const logGroupName = pctx.names.logGroup;
  const since = sinceStart(opts.since ?? DEFAULT_SINCE, pctx.clock.now());
  // Event id → timestamp of what was printed; entries older than the window are dropped as it moves on.
  const seen = new Map<string, number>();
  let events = 0;
  const pattern = opts.filter ? filterPattern(opts.filter) : undefined;
  try {
    for (let startTime = since; ; ) {
      let nextToken: string | undefined;
      do {
        let page;
        try {
          page = await pctx.clients.logs.send(new FilterLogEventsCommand({ logGroupName, startTime, nextToken, ...(pattern ? { filterPattern: pattern } : {}) }));
        } catch (error) {
          if (errorName(error) === 'ResourceNotFoundException') throw new AwsError(`log group ${logGroupName} does not exist in ${pctx.region}; run products-cli setup first`, { cause: error });
          throw translateAwsError(error, 'logs:FilterLogEvents');
        }
        for (const raw of page.events ?? []) {
          const key = raw.eventId ?? `${raw.timestamp}:${raw.logStreamName}:${raw.message}`;
          if (seen.has(key)) continue;
          seen.set(key, raw.timestamp ?? 0);
          events += 1;
          onEvent(toLogEvent(raw));
        }
        nextToken = page.nextToken;
      } while (nextToken);
      if (!opts.follow || ctx.signal.aborted) break;
      try {
        await pctx.clock.sleep(opts.pollMs ?? 2_000, ctx.signal);
      } catch {
        break; // Ctrl-C ends --follow quietly
      }
      startTime = Math.max(since, pctx.clock.now() - FOLLOW_LOOKBACK_MS);
      for (const [key, timestamp] of seen) if (timestamp < startTime) seen.delete(key);
    }
    if (events === 0 && !opts.follow) note(ctx, `no log events in ${logGroupName} since ${new Date(since).toISOString()}${opts.filter ? ` matching ${opts.filter}` : ''}`);
    return { target: 'aws', logGroup: logGroupName, events };
  } finally {
    session.close();
  }
}

export const command = defineCommand({
  options: [
    { flags: '--local', description: "the local stack's log (.products-cli/local/stack.log); the default when only a local stack is recorded" },
    ...awsOptions(),
    { flags: '--since <when>', description: 'how far back: 30s, 10m, 2h, 1d, or a date (default: 10m)', parse: readSince },
    { flags: '--follow', description: 'keep printing new events until Ctrl-C' },
    { flags: '--filter <text>', description: 'only events containing TEXT (or a CloudWatch filter pattern such as { $.status >= 500 })' },
    jsonOption('print one JSON event per line'),
  ],
  help: `Examples:
  $ products-cli logs --since 1h
  $ products-cli logs --follow --filter ERROR
  $ products-cli logs --filter '{ $.status >= 500 }' --json
  $ products-cli logs --local --follow --filter POST

Locally --filter matches text; CloudWatch filter patterns work against AWS only.`,
  run: (_args: [], opts: LogsOptions, ctx: RunContext<LogEvent>) => logs(opts, ctx, ctx.emit),
  live: { render: renderLogEvent, json: true },
});
