/** `teardown`: stops and removes the local stack with --local, otherwise removes the AWS stack. */
import { defineCommand } from '../../cli/command.js';
import { awsOptions, FLAG } from '../../cli/option-sets.js';
import { jsonOption } from '../../cli/target-options.js';
import { nothingRecordedForAws, renderNothingHere, type NothingHere } from '../../cli/local-default.js';
import type { Context } from '../../context.js';
import type { Style } from '../../output/style.js';
import { formatDuration } from '../../output/format.js';
import type { TeardownAwsOptions, TeardownAwsResult } from './aws.js';
import type { TeardownLocalOptions, TeardownLocalResult } from './local.js';

export type TeardownOptions = { local?: boolean } & TeardownLocalOptions & TeardownAwsOptions;

export async function teardown(
  opts: TeardownOptions,
  ctx: Context,
): Promise<TeardownLocalResult | TeardownAwsResult | NothingHere> {
  if (opts.local) {
    const { teardownLocal } = await import('./local.js');
    return teardownLocal(opts, ctx);
  }
  // As teardown --local with nothing recorded: nothing to remove, and no AWS call (nor a region) needed to say so.
  const nothing = await nothingRecordedForAws(opts, ctx.cwd);
  if (nothing && opts.keepData === undefined) return nothing;
  const { teardownAws } = await import('./aws.js');
  return teardownAws(opts, ctx);
}

/** The local result for people. */
export function renderTeardownLocal(result: TeardownLocalResult, style: Style): string {
  const lines: string[] = [];
  if (result.status === 'stopped')
    lines.push(style.green(`Stopped the local stack at ${result.url} (pid ${result.pid}).`));
  else if (result.status === 'not-running') lines.push(`The local stack at ${result.url} was not running; forgot it.`);
  else lines.push('No local stack is recorded here; nothing to stop.');
  if (result.deletedData)
    lines.push(
      result.externalEngine
        ? `Deleted its log in ${result.deletedData}.`
        : `Deleted its data in ${result.deletedData}.`,
    );
  if (result.externalEngine) lines.push(`The table in ${result.externalEngine} is left as it is.`);
  if (result.keptData)
    lines.push(`Kept its data in ${result.keptData}; the next \`products-cli setup --local\` uses it again.`);
  return lines.join('\n');
}

/** The AWS result for people. */
export function renderTeardownAws(result: TeardownAwsResult, style: Style): string {
  const lines: string[] = [];
  if (result.removed.length === 0 && result.kept.length === 0)
    lines.push(`Nothing to remove: stack ${result.stack} in ${result.region} does not exist.`);
  else if (result.removed.length > 0)
    lines.push(
      `Removed from ${result.region} (${formatDuration(result.ms)}):`,
      ...result.removed.map((r) => `  ${style.red('-')} ${r}`),
    );
  if (result.kept.length > 0)
    lines.push("Kept (not this stack's):", ...result.kept.map((k) => `  ${style.yellow('!')} ${k}`));
  if (result.backup) lines.push(`Backup: ${result.backup.items} items in ${result.backup.file}`);
  if (result.systemBackup)
    lines.push(
      `DynamoDB keeps a system backup of the table for 35 days (point-in-time recovery was on): aws dynamodb list-backups --backup-type SYSTEM, then aws dynamodb restore-table-from-backup.`,
    );
  if (result.stateCleared) lines.push(style.dim('The state file no longer lists the AWS stack.'));
  return lines.join('\n');
}

export const command = defineCommand({
  options: [
    { flags: '--local', description: 'stop the local stack started by `setup --local`' },
    { flags: '--yes', description: 'do not ask for confirmation (needed when stdin is not a terminal)' },
    {
      flags: '--keep-data',
      description: 'local stack: keep the table data in .products-cli/local/ for the next setup',
    },
    jsonOption('print the result as JSON'),
    // AWS only (without --local):
    ...awsOptions('AWS: ', { stack: 'the stack to remove (default: the one setup recorded)' }),
    {
      flags: '--stage <name>',
      description: 'AWS: the stage of the usage plan to detach (default: the one setup recorded, then prod)',
      parse: FLAG.stage,
    },
    { flags: '--backup <file>', description: 'AWS: first write every item of the table to FILE as NDJSON' },
    { flags: '--force', description: 'AWS: also delete resources of our names that lack our stack tag' },
  ],
  help: `Examples:
  $ products-cli teardown --local
  $ products-cli teardown --local --yes --keep-data   # stop it; the data is there next time

On AWS:
  $ products-cli teardown                          # asks first, saying how many items the table holds
  $ products-cli teardown --yes --backup products.ndjson
  $ products-cli teardown --stack alice --region eu-west-1 --yes   # works without a state file

Removes, in dependency order, the usage plan and key, the API, the function, its log group, the role and the
table (waiting until it is gone), then the state file's AWS entry. Resources without our stack tag are kept.`,
  run: (_args: [], opts: TeardownOptions, ctx) => teardown(opts, ctx),
  render: (result, style) =>
    result.target === 'none'
      ? renderNothingHere(result, 'nothing to remove')
      : result.target === 'local'
        ? renderTeardownLocal(result, style)
        : renderTeardownAws(result, style),
});
