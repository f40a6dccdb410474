/**
 * `status`: each resource of the AWS stack (present, missing, drifted), the invoke URL, and a live check; or, with
 * --local, the local stack. Each side is loaded only when it runs; their results are rendered and checked here.
 */
import { defineCommand } from '../../cli/command.js';
import { awsOptions, FLAG, type AwsTargetOptions } from '../../cli/option-sets.js';
import { jsonOption } from '../../cli/target-options.js';
import {
  nothingRecordedForAws,
  onlyLocalRecorded,
  renderNothingHere,
  type NothingHere,
} from '../../cli/local-default.js';
import { describeAuth } from '../../contract/auth.js';
import type { StackSettings } from '../../local/health.js';
import { CheckFailedError } from '../../errors.js';
import { count, formatBytes, formatUptime, labelledRows } from '../../output/format.js';
import type { Style } from '../../output/style.js';
import type { StatusResult } from './aws.js';
import type { LocalStatusResult } from './local.js';

export interface StatusOptions extends AwsTargetOptions {
  /** The local stack instead of AWS. */
  local?: boolean;
  /** `--no-verify` sets this to false. */
  verify?: boolean;
  apiKey?: boolean;
}

/** Ends `status` with exit 1 when the stack is not whole or its live check failed, so scripts can rely on it. */
export function assertStackHealthy(result: StatusResult): void {
  if (result.overall !== 'present') {
    const notPresent = result.resources.filter((r) => r.outcome !== 'present').length;
    throw new CheckFailedError(
      result.overall === 'absent'
        ? `stack ${result.stack} does not exist in ${result.region}; run products-cli setup`
        : `stack ${result.stack} is incomplete: ${notPresent} resource${notPresent === 1 ? ' is' : 's are'} missing or drifted; run products-cli setup`,
    );
  }
  if (result.verify && !result.verify.ok)
    throw new CheckFailedError(`the live check of ${result.url} failed: ${result.verify.detail}`);
}

/** The status for people: one line per resource. */
export function renderStatus(result: StatusResult, style: Style): string {
  const mark = (outcome: string) =>
    outcome === 'present'
      ? style.green('present')
      : outcome === 'missing'
        ? style.red('missing')
        : style.yellow('drifted');
  const width = Math.max(...result.resources.map((r) => `${r.resource} ${r.name}`.length));
  const where = `${result.region}${result.endpointUrl ? ` of the emulator at ${result.endpointUrl}` : ''}`;
  const lines = [`Stack ${result.stack} in ${where} (account ${result.accountId}): ${result.overall}`];
  // An alarm that fires, or an address that has not confirmed, is worth more than a dim note.
  const note = (r: StatusResult['resources'][number]) =>
    /^ALARM\b/.test(r.detail ?? '')
      ? style.red
      : /^pending confirmation/.test(r.detail ?? '')
        ? style.yellow
        : style.dim;
  for (const r of result.resources)
    lines.push(
      `  ${`${r.resource} ${r.name}`.padEnd(width)}  ${mark(r.outcome)}${r.detail ? note(r)(`  ${r.detail}`) : ''}`,
    );
  if (result.url) lines.push(`Invoke URL: ${result.url}`);
  if (result.verify)
    lines.push(
      result.verify.ok
        ? `Live check: GET /product answered ${result.verify.status}.`
        : style.red(`Live check failed: ${result.verify.detail}`),
    );
  if (result.concurrency)
    lines.push(
      result.concurrency.warning
        ? style.yellow(`Lambda concurrency: ${result.concurrency.warning}`)
        : `Lambda concurrency: ${result.concurrency.unreserved} unreserved of ${result.concurrency.accountLimit}, above the stage's burst limit ${result.concurrency.burstLimit}.`,
    );
  if (result.overall !== 'present')
    lines.push(style.dim('products-cli setup creates what is missing and corrects what drifted.'));
  return lines.join('\n');
}

/** Ends `status --local` with exit 1 when no stack runs or its live check failed. */
export function assertLocalHealthy(result: LocalStatusResult): void {
  if (!result.running) throw new CheckFailedError(`${result.detail}; start it with products-cli setup --local`);
  if (result.live && !result.live.ok)
    throw new CheckFailedError(`the live check of ${result.url} failed: ${result.live.detail}`);
}

/** The throttle, auth and CORS rows, when the stack reports its settings. */
function settingRows(settings: StackSettings | undefined): [string, string][] {
  if (!settings) return [];
  const { throttle } = settings;
  return [
    ['throttle', throttle ? `${throttle.rateLimit} requests/s, bursts of ${throttle.burstLimit}` : 'off'],
    ['auth', describeAuth(settings.auth)],
    ...(settings.corsOrigins.length ? [['CORS', settings.corsOrigins.join(', ')] as [string, string]] : []),
  ];
}

/** The version live runs, and the canary beside it; `?` when the stack did not say. */
function liveVersion(version: LocalStatusResult['version'], style: Style): string {
  if (!version) return '?';
  const share = (weight: number) => `${Math.round(weight * 1000) / 10}%`;
  const live = `version ${style.bold(version.live)} (code ${version.codeSha256})`;
  if (!version.canary) return live;
  return `${live} with ${share(1 - version.canary.weight)}, ${style.yellow(`canary version ${version.canary.version} with ${share(version.canary.weight)}`)}`;
}

/** The status for people. */
export function renderLocalStatus(result: LocalStatusResult, style: Style): string {
  if (!result.running)
    return [
      `Local stack: ${style.red('not running')} (${result.detail})`,
      style.dim(`State: ${result.stateFile}`),
    ].join('\n');
  const stats = result.stats;
  const statuses = stats
    ? Object.entries(stats.statuses)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([code, count]) => `${code}: ${count}`)
        .join(', ')
    : '';
  const rows: [string, string][] = [
    ['invoke URL', style.bold(result.url ?? '')],
    [
      'pid',
      `${result.pid}${result.foundBy === 'lock' ? style.dim(' (found by its data lock; the state file did not name it)') : ''}`,
    ],
    ['uptime', stats ? formatUptime(stats.uptimeSeconds) : '?'],
    [
      'data',
      stats?.dataDir ? `${stats.dataDir} (${formatBytes(stats.dataBytes ?? 0)})` : 'in memory or in an external engine',
    ],
    ['items', stats?.items === undefined ? '?' : String(stats.items)],
    [
      'requests',
      stats
        ? `${stats.requests}${statuses ? ` (${statuses})` : ''}${stats.inFlight > 1 ? `, ${stats.inFlight - 1} in flight` : ''}`
        : '?',
    ],
    [
      'functions',
      stats
        ? `${count(stats.environments.active, 'environment')}, ${count(stats.environments.coldStarts, 'cold start')}`
        : '?',
    ],
    ['live', liveVersion(result.version, style)],
    ...settingRows(result.settings),
  ];
  const lines = [`Local stack: ${style.green('running')}`, ...labelledRows(rows, style.dim)];
  if (result.live)
    lines.push(
      result.live.ok
        ? `Live check: GET /product answered ${result.live.status}.`
        : style.red(`Live check failed: ${result.live.detail}`),
    );
  lines.push(style.dim(`State: ${result.stateFile}`));
  return lines.join('\n');
}

export const command = defineCommand({
  options: [
    {
      flags: '--local',
      description:
        'the local stack: URL, pid, uptime, data, items, requests by status, live version and canary, and a live check (the default when only a local stack is recorded)',
    },
    ...awsOptions(),
    {
      flags: '--stage <name>',
      description: 'the stage (default: the one setup recorded, then prod)',
      parse: FLAG.stage,
    },
    { flags: '--no-verify', description: 'skip the live check through the invoke URL' },
    jsonOption('print the status as JSON'),
  ],
  help: `Examples:
  $ products-cli status
  $ products-cli status --stack alice --json | jq '.resources[] | select(.outcome != "present")'
  $ products-cli status --local                # the stack of setup --local: URL, pid, uptime, data, items, requests,
                                               # the version live runs and any canary

With alarms (setup --alarm-email), each alarm's state (OK, ALARM, INSUFFICIENT_DATA) and each subscription's:
an email address stays "pending confirmation" until someone clicks the link in the mail from AWS Notifications.

Read calls only. \`products-cli setup\` creates what is missing and corrects what drifted.
Exits 0 when every resource is present and the live check passes, 1 otherwise. With only a local stack
recorded, plain \`status\` shows the local one; with none recorded and no AWS flag, it says nothing is set up here (exit 0).`,
  run: async (_args: [], opts: StatusOptions, ctx): Promise<StatusResult | LocalStatusResult | NothingHere> => {
    if (opts.local || (await onlyLocalRecorded(opts, ctx.cwd))) {
      const { statusLocal } = await import('./local.js');
      return statusLocal(ctx);
    }
    const nothing = await nothingRecordedForAws(opts, ctx.cwd);
    if (nothing) return nothing;
    const { statusAws } = await import('./aws.js');
    return statusAws(opts, ctx);
  },
  render: (result, style) =>
    result.target === 'none'
      ? renderNothingHere(result, 'set one up with products-cli setup --local, or products-cli setup on AWS')
      : result.target === 'local'
        ? renderLocalStatus(result, style)
        : renderStatus(result, style),
  check: (result) =>
    result.target === 'none'
      ? undefined
      : result.target === 'local'
        ? assertLocalHealthy(result)
        : assertStackHealthy(result),
});
