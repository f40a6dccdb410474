/** `setup`: the local stack with --local, otherwise the AWS stack. Each is loaded only when it runs. */
import { defineCommand } from '../../cli/command.js';
import { describeAuth } from '../../contract/auth.js';
import type { Context } from '../../context.js';
import { awsOptions, LOCAL_STACK_OPTIONS, OLD_SPELLINGS_HELP, STACK_SETTINGS_OPTIONS } from '../../cli/option-sets.js';
import { jsonOption } from '../../cli/target-options.js';
import type { Style } from '../../output/style.js';
import { formatDuration, labelledRows } from '../../output/format.js';
import type { SetupAwsOptions, SetupAwsResult } from './aws.js';
import { UsageError } from '../../errors.js';
import type { SetupLocalOptions, SetupLocalResult } from './local.js';

export type SetupOptions = { local?: boolean } & SetupLocalOptions & SetupAwsOptions;

export async function setup(opts: SetupOptions, ctx: Context): Promise<SetupLocalResult | SetupAwsResult> {
  if (opts.local) {
    if (opts.alarmEmail?.length)
      throw new UsageError(
        '--alarm-email applies to setup on AWS; the local stack sends no mail (watch it with products-cli metrics --local --watch)',
      );
    const { setupLocal } = await import('./local.js');
    return setupLocal(opts, ctx);
  }
  const { setupAws } = await import('./aws.js');
  return setupAws(opts, ctx);
}

/** The local result for people. */
export function renderSetupLocal(result: SetupLocalResult, style: Style): string {
  const headlines = {
    started: 'Local stack started.',
    running: 'Local stack already running with these settings.',
    restarted: `Local stack restarted with ${result.changed?.join(', ')}; its data was kept.`,
  };
  const headline = style.green(headlines[result.status]);
  const rows: [string, string][] = [
    ['invoke URL', style.bold(result.url)],
    ['pid', String(result.pid)],
    ['DynamoDB', `${result.dynamodbEndpoint}${result.dataDir ? ` (data in ${result.dataDir})` : ' (external engine)'}`],
    ['log', result.log],
    ['state', result.stateFile],
    ['auth', describeAuth(result.auth)],
    ...(result.credentials
      ? [
          [
            'credentials',
            `access key ${result.credentials.accessKeyId}, region ${result.region} (the secret is in ${result.stateFile}; --json shows it)`,
          ] as [string, string],
        ]
      : []),
    ...(result.corsOrigins.length ? [['CORS', result.corsOrigins.join(', ')] as [string, string]] : []),
  ];
  const lines = [
    headline,
    ...labelledRows(rows),
    '',
    `Try: products-cli add --id 1 --title IPhone --price 900 && products-cli list`,
    `Stop it with: products-cli teardown --local`,
  ];
  return lines.join('\n');
}

/** The AWS result (or, with --dry-run, the plan) for people. */
export function renderSetupAws(result: SetupAwsResult, style: Style): string {
  if (result.dryRun) {
    const label = {
      create: style.green('create'),
      update: style.yellow('update'),
      conflict: style.red('conflict'),
      adopt: style.yellow('adopt '),
      leave: style.dim('leave '),
    };
    const lines = result.steps.map(
      (s) => `  ${label[s.action ?? 'leave']} ${s.resource} ${s.name}${s.detail ? style.dim(` (${s.detail})`) : ''}`,
    );
    const blocked = result.adopted?.filter((f) => f.problem) ?? [];
    const adopt = result.adopted?.length
      ? [
          `Would take over (made without products-cli): ${result.adopted.map((f) => `${f.resource} ${f.name}`).join(', ')}.`,
          ...blocked.map((f) => style.red(`Cannot take over ${f.resource} ${f.name}: ${f.problem}.`)),
        ]
      : [];
    const summary = result.unchanged ? 'Nothing to do: the stack is complete.' : 'Run without --dry-run to apply.';
    return [
      `Plan for stack ${result.stack} in ${result.region} (account ${result.accountId}):`,
      ...lines,
      ...adopt,
      summary,
    ].join('\n');
  }
  const lines: string[] = [];
  lines.push(
    result.unchanged
      ? `Nothing to do: every resource of stack ${result.stack} is already in place (no create or update calls).`
      : `Stack ${result.stack} is set up in ${result.region} (${formatDuration(result.ms)}).`,
  );
  if (result.adopted?.length)
    lines.push(
      `Took over (now tagged as this stack's): ${result.adopted.map((f) => `${f.resource} ${f.name}`).join(', ')}.`,
    );
  if (result.url) lines.push(`Invoke URL: ${style.bold(result.url)}`);
  lines.push(
    `Access: ${describeAuth(result.auth)}${result.auth.mode === 'iam' ? ' (the product commands sign with your AWS credentials)' : ''}.`,
  );
  if (result.corsOrigins.length) lines.push(`CORS: browsers on ${result.corsOrigins.join(', ')} may call the API.`);
  if (result.apiKeyStoredIn)
    lines.push(`API key: stored in ${result.apiKeyStoredIn} (sent by the product commands as x-api-key)`);
  const topic = result.steps.find((s) => s.resource === 'alarm topic');
  if (topic)
    lines.push(
      `Alarms: ${result.steps.filter((s) => s.resource === 'alarm').length} notify topic ${topic.name}${/pending confirmation/.test(topic.detail ?? '') ? style.yellow('; each address must click the link in the mail from AWS Notifications before it gets any') : ''}.`,
    );
  if (result.verify?.ok) lines.push(`Live check: GET /product answered ${result.verify.status}.`);
  else if (!result.verify) lines.push(style.dim('Live check skipped (--no-verify).'));
  lines.push(style.dim('Try: products-cli add --title IPhone --price 900 && products-cli list'));
  return lines.join('\n');
}

export const command = defineCommand({
  options: [
    { flags: '--local', description: 'run the stack on this machine (no AWS account needed)' },
    ...LOCAL_STACK_OPTIONS,
    jsonOption('print the result as JSON'),
    // AWS only (without --local):
    ...awsOptions('AWS: ', {
      region: "the region (default: AWS_REGION, then your profile's)",
      endpointUrl: 'send every AWS call to this endpoint (an AWS-compatible emulator such as moto)',
      stack: 'prefix every resource name with NAME-, so several stacks share an account',
    }),
    ...STACK_SETTINGS_OPTIONS,
    { flags: '--no-verify', description: 'AWS: skip the live check through the invoke URL' },
    { flags: '--dry-run', description: 'AWS: print what would be created, updated or left, using read calls only' },
    {
      flags: '--adopt',
      description:
        "AWS: take over resources of our names made without products-cli (the tutorial's console stack): tag them and bring them to this configuration, keeping the table's items",
    },
  ],
  help: `Examples:
  $ products-cli setup --local                  # http://127.0.0.1:3000/prod, data in .products-cli/local/
  $ products-cli setup --local --port 8080 --json    # includes the local key pair as "credentials"
  $ products-cli setup --local --cors-origin http://localhost:5173 --auth none
  $ products-cli setup --local --dynamodb-endpoint http://127.0.0.1:8000   # AWS's DynamoDB Local, Alternator, LocalStack

Run again while the stack is up, it reports the running stack; with settings other than those it runs with
(such as --rate-limit 100000 --burst-limit 100000, or --auth none), it restarts it with them, keeping its data. Stop it with \`products-cli teardown --local\`.

On AWS:
  $ products-cli setup --dry-run                # what would be created, read calls only
  $ AWS_PROFILE=dev products-cli setup --region eu-west-1
  $ products-cli setup --stack alice --auth api-key   # alice-product, alice-productFunction, … writes behind an API key
  $ products-cli setup --private-reads --cors-origin https://shop.example.com   # reads signed too; a browser app's origin
  $ products-cli setup --auth none              # the tutorial's open API: anyone may write
  $ products-cli setup --memory 512 --function-timeout 20
  $ products-cli setup --alarm-email ops@example.com --alarm-p99 500   # SNS topic + CloudWatch alarms; confirm the mail
  $ products-cli setup --endpoint-url http://127.0.0.1:5000 --no-verify   # an emulator such as moto
  $ products-cli setup --adopt --dry-run        # which hand-made resources (product, productFunction, …) it would take over
  $ products-cli setup --adopt                  # take them over: tag, correct, keep the table's items

On AWS, a rerun creates only what is missing, corrects what differs, and says so when there is nothing to do.
${OLD_SPELLINGS_HELP}`,
  run: (_args: [], opts: SetupOptions, ctx) => setup(opts, ctx),
  render: (result, style) =>
    result.target === 'local' ? renderSetupLocal(result, style) : renderSetupAws(result, style),
});
