/**
 * `logs`: the function's log events, the handler's JSON request lines rendered readably; `--follow` tails. From
 * CloudWatch Logs, or with --local from the local stack's log; each side is loaded only when it runs.
 */
import { defineCommand, type RunContext } from '../../cli/command.js';
import { awsOptions, type AwsTargetOptions } from '../../cli/option-sets.js';
import { jsonOption } from '../../cli/target-options.js';
import { onlyLocalRecorded } from '../../cli/local-default.js';
import type { Context } from '../../context.js';
import type { AwsDeps } from '../../provision/session.js';
import { renderLogEvent, type LogEvent } from '../log-event.js';
import type { LogsAwsResult } from './aws.js';
import type { LogsLocalResult } from './local.js';
import { DEFAULT_SINCE, readSince, sinceStart, type Since } from './since.js';

export interface LogsOptions extends AwsTargetOptions {
  /** The local stack's log instead of CloudWatch. */
  local?: boolean;
  since?: Since;
  follow?: boolean;
  filter?: string;
  /** Milliseconds between polls with --follow (tests shorten it). */
  pollMs?: number;
}

export type LogsResult = LogsAwsResult | LogsLocalResult;

/** Prints the log events through `onEvent`, from the local stack's log or CloudWatch; with `follow`, until the signal aborts. */
export async function logs(
  opts: LogsOptions,
  ctx: Context,
  onEvent: (event: LogEvent) => void,
  deps: Partial<AwsDeps> = {},
): Promise<LogsResult> {
  if (opts.local || (await onlyLocalRecorded(opts, ctx.cwd))) {
    const { logsLocal } = await import('./local.js');
    return logsLocal(opts, ctx, onEvent, sinceStart(opts.since ?? DEFAULT_SINCE, Date.now()));
  }
  const { logsAws } = await import('./aws.js');
  return logsAws(opts, ctx, onEvent, deps);
}

export const command = defineCommand({
  options: [
    {
      flags: '--local',
      description:
        "the local stack's log (.products-cli/local/stack.log); the default when only a local stack is recorded",
    },
    ...awsOptions(),
    {
      flags: '--since <when>',
      description: 'how far back: 30s, 10m, 2h, 1d, or a date (default: 10m)',
      parse: readSince,
    },
    { flags: '--follow', description: 'keep printing new events until Ctrl-C' },
    {
      flags: '--filter <text>',
      description: 'only events containing TEXT (or a CloudWatch filter pattern such as { $.status >= 500 })',
    },
    jsonOption('print one JSON event per line'),
  ],
  help: `Examples:
  $ products-cli logs --since 1h
  $ products-cli logs --follow --filter ERROR
  $ products-cli logs --filter '{ $.status >= 500 }' --json
  $ products-cli logs --local --follow --filter POST

Locally --filter matches lines holding each of its words as a whole word (--filter 412 finds that status, not
a request id with those digits; "a phrase" in quotes as one); CloudWatch filter patterns work against AWS only.`,
  run: (_args: [], opts: LogsOptions, ctx: RunContext<LogEvent>) => logs(opts, ctx, ctx.emit),
  live: { render: renderLogEvent, json: true },
});
