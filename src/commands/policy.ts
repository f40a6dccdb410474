/** `policy`: the IAM policy a caller needs for one stack, derived from the table of calls the commands make. */
import { defineCommand } from '../cli/command.js';
import { awsOptions, type AwsTargetOptions } from '../cli/option-sets.js';
import { oneOf } from '../cli/parsers.js';
import { jsonOption } from '../cli/target-options.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { callerPolicy, POLICY_USES, type CallerPolicy, type PolicyUse } from '../provision/permissions.js';
import type { AwsDeps } from '../provision/session.js';

export interface PolicyOptions extends AwsTargetOptions {
  for?: PolicyUse;
  /** The account id; without it, STS says which account the credentials belong to. */
  account?: string;
}

/** The policy document for the stack in the target account and region. */
export async function policy(opts: PolicyOptions, ctx: Context, deps: Partial<AwsDeps> = {}): Promise<CallerPolicy> {
  if (opts.account !== undefined && !/^\d{12}$/.test(opts.account))
    throw new UsageError(`--account ${JSON.stringify(opts.account)} is not an AWS account id (12 digits)`);
  const { awsTarget, openSession } = await import('../provision/session.js');
  const session = await openSession(awsTarget(opts), ctx, deps);
  try {
    const { pctx } = session;
    const accountId = opts.account ?? (await pctx.accountId());
    return callerPolicy(pctx.names, { region: pctx.region, accountId }, opts.for ?? 'setup');
  } finally {
    session.close();
  }
}

export const command = defineCommand({
  options: [
    ...awsOptions(),
    {
      flags: '--for <use>',
      description:
        'setup (everything: setup, teardown and the rest), operate (deploy, status, logs) or read (status, logs); default setup',
      parse: oneOf('--for', POLICY_USES, { rule: 'setup, operate or read' }),
    },
    { flags: '--account <id>', description: 'the account id (default: the account of the credentials, from STS)' },
    jsonOption('print the document as JSON (it always is)'),
  ],
  help: `Examples:
  $ products-cli policy --stack alice > policy.json
  $ aws iam put-role-policy --role-name deployer --policy-name products-cli-alice --policy-document file://policy.json
  $ products-cli policy --for read --region eu-west-1 --account 111122223333

Prints the IAM policy document a caller needs to run products-cli on one stack, each statement scoped to the
stack's table, role, function, log group and REST APIs. It is derived from the table of the calls the commands
make (src/provision/permissions.ts), so a new call cannot be missing from it.`,
  run: (_args: [], opts: PolicyOptions, ctx) => policy(opts, ctx),
  render: (document: CallerPolicy) => JSON.stringify(document, null, 2),
});
