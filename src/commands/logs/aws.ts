/** `logs` (AWS): the function's log group in CloudWatch Logs, read with FilterLogEvents; `--follow` polls. */
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { Context } from '../../context.js';
import type { Clock } from '../../aws/clock.js';
import { errorName, isNotFound, translateAwsError } from '../../aws/errors.js';
import { AwsError } from '../../errors.js';
import { note } from '../../output/print.js';
import type { AwsDeps } from '../../provision/session.js';
import { waitingNotice, type LogEvent } from '../log-event.js';
import type { LogsOptions } from './index.js';
import { DEFAULT_SINCE, sinceStart } from './since.js';

/**
 * How far back each `--follow` poll reads again. CloudWatch Logs ingests each stream with its own delay, so
 * an event stamped earlier can arrive after later ones; polling from the newest timestamp seen would skip it.
 * Events already printed are recognised by their id.
 */
export const FOLLOW_LOOKBACK_MS = 2 * 60_000;
/**
 * FilterLogEvents has a low per-account quota (a few calls a second, shared by every caller), so most polls
 * read only this recent stretch, and the whole lookback is read again once in FOLLOW_FULL_EVERY polls.
 */
export const FOLLOW_RECENT_MS = 20_000;
export const FOLLOW_FULL_EVERY = 10;
/** The longest pause while CloudWatch Logs throttles `--follow`. */
export const FOLLOW_MAX_BACKOFF_MS = 30_000;

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
  return {
    timestamp: event.timestamp ?? 0,
    message,
    ...(event.logStreamName ? { stream: event.logStreamName } : {}),
    ...(event.eventId ? { eventId: event.eventId } : {}),
    ...(data ? { data } : {}),
  };
}

/** Prints the function's log events through `onEvent`; with `follow`, keeps polling until the signal aborts. */
export async function logsAws(
  opts: LogsOptions,
  ctx: Context,
  onEvent: (event: LogEvent) => void,
  deps: Partial<AwsDeps> = {},
): Promise<LogsAwsResult> {
  // Loaded here, so that `logs --help` does not load the AWS SDK.
  const [{ awsTarget, openSession }, { withTerminalProgress }, { FilterLogEventsCommand }] = await Promise.all([
    import('../../provision/session.js'),
    import('../../output/progress.js'),
    import('@aws-sdk/client-cloudwatch-logs'),
  ]);
  const session = await openSession(awsTarget(opts), withTerminalProgress(ctx), deps);
  const { pctx } = session;
  const logGroupName = pctx.names.logGroup;
  const since = sinceStart(opts.since ?? DEFAULT_SINCE, pctx.clock.now());
  // Event id → timestamp of what was printed; entries older than the window are dropped as it moves on.
  const seen = new Map<string, number>();
  let events = 0;
  const pattern = opts.filter ? filterPattern(opts.filter) : undefined;
  const pollMs = opts.pollMs ?? 2_000;
  let backoffMs = 0;
  try {
    for (let startTime = since, poll = 0; ; poll += 1) {
      let nextToken: string | undefined;
      do {
        let page;
        try {
          page = await pctx.clients.logs.send(
            new FilterLogEventsCommand({
              logGroupName,
              startTime,
              nextToken,
              ...(pattern ? { filterPattern: pattern } : {}),
            }),
          );
          backoffMs = 0;
        } catch (error) {
          if (isNotFound(error))
            throw new AwsError(
              `log group ${logGroupName} does not exist in ${pctx.region}; run products-cli setup first`,
              { cause: error },
            );
          // Throttled while following: slow down and read the same page again, rather than end.
          if (opts.follow && errorName(error) === 'ThrottlingException') {
            backoffMs = Math.min(FOLLOW_MAX_BACKOFF_MS, Math.max(pollMs, backoffMs * 2));
            note(
              ctx,
              `CloudWatch Logs is throttling FilterLogEvents (an account-wide quota); reading again in ${Math.ceil(backoffMs / 1000)} s`,
            );
            if (!(await pause(pctx.clock, backoffMs, ctx.signal))) break;
            continue;
          }
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
      if (poll === 0 && events === 0) note(ctx, waitingNotice(logGroupName, since, opts.filter));
      if (!(await pause(pctx.clock, pollMs, ctx.signal))) break;
      const lookback = (poll + 1) % FOLLOW_FULL_EVERY === 0 ? FOLLOW_LOOKBACK_MS : FOLLOW_RECENT_MS;
      startTime = Math.max(since, pctx.clock.now() - lookback);
      // Forget only what even the full re-read cannot return again.
      const forgetBefore = Math.max(since, pctx.clock.now() - FOLLOW_LOOKBACK_MS);
      for (const [key, timestamp] of seen) if (timestamp < forgetBefore) seen.delete(key);
    }
    if (ctx.signal.aborted) return { target: 'aws', logGroup: logGroupName, events };
    if (events === 0 && !opts.follow)
      note(
        ctx,
        `no log events in ${logGroupName} since ${new Date(since).toISOString()}${opts.filter ? ` matching ${opts.filter}` : ''}`,
      );
    return { target: 'aws', logGroup: logGroupName, events };
  } finally {
    session.close();
  }
}

/** Sleeps; false when Ctrl-C ended the wait (which ends --follow quietly). */
async function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await clock.sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}
