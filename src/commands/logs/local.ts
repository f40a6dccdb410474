/** `logs --local`: the local stack's log, its request lines rendered as the AWS `logs` renders them. */
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { note } from '../../output/print.js';
import { waitingNotice, type LogEvent } from '../log-event.js';
import type { LogsOptions } from './index.js';

export interface LogsLocalResult {
  target: 'local';
  log: string;
  events: number;
}

/** Prints the stack log's lines through `onEvent`; with `follow`, keeps reading as it grows until the signal aborts. */
export async function logsLocal(
  opts: LogsOptions,
  ctx: Context,
  onEvent: (event: LogEvent) => void,
  since: number,
): Promise<LogsLocalResult> {
  if (opts.filter !== undefined && /^[{?[]/.test(opts.filter.trim())) {
    throw new UsageError(
      '--filter patterns such as { $.status >= 500 } work against CloudWatch only; locally --filter matches text, such as --filter ERROR',
    );
  }
  const [{ localLogPath }, { readStackLog }] = await Promise.all([
    import('../../local/control.js'),
    import('../../local/stack-log.js'),
  ]);
  const log = localLogPath(ctx.cwd);
  const onCaughtUp = (count: number) => {
    if (count === 0) note(ctx, waitingNotice(log, since, opts.filter));
  };
  const events = await readStackLog(
    log,
    {
      since,
      follow: Boolean(opts.follow),
      onCaughtUp,
      signal: ctx.signal,
      ...(opts.filter ? { filter: opts.filter } : {}),
      ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
    },
    (line) => onEvent({ timestamp: line.timestamp, message: line.message, ...(line.data ? { data: line.data } : {}) }),
  );
  if (events === 0 && !opts.follow)
    note(
      ctx,
      `no lines in ${log} since ${new Date(since).toISOString()}${opts.filter ? ` matching ${opts.filter}` : ''}`,
    );
  return { target: 'local', log, events };
}
