/** `logs` (AWS): the function's log group in CloudWatch Logs, read with FilterLogEvents; `--follow` polls. */
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { Context } from '../../context.js';
import { isNotFound, translateAwsError } from '../../aws/errors.js';
import { AwsError } from '../../errors.js';
import { note } from '../../output/print.js';
import type { AwsDeps } from '../../provision/session.js';
import type { LogEvent } from '../log-event.js';
import type { LogsOptions } from './index.js';
import { DEFAULT_SINCE, sinceStart } from './since.js';

/**
 * How far back each `--follow` poll reads again. CloudWatch Logs ingests each stream with its own delay, so
 * an event stamped earlier can arrive after later ones; polling from the newest timestamp seen would skip it.
 * Events already printed are recognised by their id.
 */
export const FOLLOW_LOOKBACK_MS = 2 * 60_000;

export interface LogsAwsResult {
  target: 'aws';
  logGroup: string;
  events: number;
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

/** Prints the function's log events through `onEvent`; with `follow`, keeps polling until the signal aborts. */
export async function logsAws(opts: LogsOptions, ctx: Context, onEvent: (event: LogEvent) => void, deps: Partial<AwsDeps> = {}): Promise<LogsAwsResult> {
  // Loaded here, so that `logs --help` does not load the AWS SDK.
  const [{ awsTarget, openSession }, { withTerminalProgress }, { FilterLogEventsCommand }] = await Promise.all([import('../../provision/session.js'), import('../../output/progress.js'), import('@aws-sdk/client-cloudwatch-logs')]);
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
          if (isNotFound(error)) throw new AwsError(`log group ${logGroupName} does not exist in ${pctx.region}; run products-cli setup first`, { cause: error });
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

