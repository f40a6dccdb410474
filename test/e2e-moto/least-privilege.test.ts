// The built CLI as an IAM user whose only permissions are what `products-cli policy` prints, against a moto that
// enforces IAM (INITIAL_NO_AUTH_ACTION_COUNT): setup, a rerun, deploy, status, logs and teardown all pass, and
// with one action taken out setup (for a read: status) fails naming that action.
//
// moto authorises less than AWS (moto/core/authorization.py, moto/iam/access_control.py), so the document is
// given to moto in moto's terms, each change below derived from the printed document:
// - moto checks each call against the resource "*" (IAM calls on an existing role: the role's ARN), so no
//   scoped Resource matches; every statement's Resource becomes "*". Only the actions are proven here.
// - moto names an API Gateway action by its operation (apigateway:CreateRestApi), AWS by its HTTP method
//   (apigateway:POST); each method becomes the operations it authorises (CALL_PERMISSIONS).
// - moto prefixes an action with the signing name of the request, `monitoring` for CloudWatch, where IAM says
//   `cloudwatch`; each cloudwatch: action is given as monitoring:.
// - moto checks each request once, as its own operation, so these are never checked and cannot be proven
//   missing here: iam:PassRole (CreateFunction is lambda:CreateFunction alone), the tag permissions of a create
//   with tags (dynamodb:TagResource, iam:TagRole, lambda:TagResource, logs:TagResource), lambda:ListTags
//   (moto's GetFunction always carries the tags) and sts:GetCallerIdentity (always allowed). moto 5.2.1 has no
//   GetAccountSettings, so setup and status run without the concurrency check. Calls a run does not make
//   (UpdateTable, PutRolePermissionsBoundary, usage plans and API keys) are not exercised either.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { LambdaClient, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_PERMISSIONS, type CallerPolicy } from '../../src/provision/permissions.js';
import { requireBuild, runCli, type CliRun } from '../helpers/run-cli.js';
import { motoStartable, startEmulator, type Emulator } from './moto-server.js';

const REGION = 'us-east-1';
// The calls moto answers before it starts to authorise: the administrator's CreateUser, PutUserPolicy and
// CreateAccessKey.
const UNAUTHORISED_CALLS = 3;
let emulator: Emulator;
let admin: { accessKeyId: string; secretAccessKey: string };
let users = 0;

const adminConfig = () => ({ region: REGION, endpoint: emulator.url, credentials: admin });

/** A new IAM user allowed exactly `document`, and its access key. */
async function userWith(document: CallerPolicy | object, credentials?: typeof admin): Promise<typeof admin> {
  const iam = new IAMClient({ region: REGION, endpoint: emulator.url, credentials: credentials ?? admin });
  try {
    const UserName = `deployer-${++users}`;
    await iam.send(new CreateUserCommand({ UserName }));
    await iam.send(
      new PutUserPolicyCommand({ UserName, PolicyName: 'products-cli', PolicyDocument: JSON.stringify(document) }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey;
    return { accessKeyId: key?.AccessKeyId as string, secretAccessKey: key?.SecretAccessKey as string };
  } finally {
    iam.destroy();
  }
}

/** The CLI run as the holder of `key`, with no profile or other credentials to fall back on. */
function cliAs(key: typeof admin, cwd: string, args: string[]): Promise<CliRun> {
  const env = {
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_REGION: REGION,
  };
  return runCli([...args, '--endpoint-url', emulator.url], { cwd, env });
}

/** Puts someone else's code on the stack's function, so that deploy has the bundle to upload again. */
async function replaceCode(stack: string): Promise<void> {
  const lambda = new LambdaClient(adminConfig());
  const ZipFile = zipSync({ 'index.mjs': new TextEncoder().encode('export const handler = async () => ({});') });
  await lambda
    .send(new UpdateFunctionCodeCommand({ FunctionName: `${stack}-productFunction`, ZipFile }))
    .finally(() => lambda.destroy());
}

/** The policy `products-cli policy` prints for the stack, read as a user reads it. */
async function printedPolicy(stack: string, use: 'setup' | 'operate' | 'read' = 'setup'): Promise<CallerPolicy> {
  const run = await cliAs(admin, mkdtempSync(join(tmpdir(), 'products-cli-policy-')), [
    'policy',
    '--stack',
    stack,
    '--for',
    use,
    '--json',
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as CallerPolicy;
}

/** The printed document in moto's terms (see the top of this file), less the actions in `without`. */
function inMotoTerms(document: CallerPolicy, without: readonly string[] = []): object {
  const motoActions = (action: string): string[] => {
    if (action.startsWith('cloudwatch:')) return [action.replace('cloudwatch:', 'monitoring:')];
    if (!action.startsWith('apigateway:')) return [action];
    return CALL_PERMISSIONS.filter((p) => p.action === action).flatMap((p) =>
      p.operations.map((operation) => `apigateway:${operation}`),
    );
  };
  return {
    Version: document.Version,
    Statement: document.Statement.map((s) => ({
      ...s,
      Action: s.Action.filter((a) => !without.includes(a)).flatMap(motoActions),
      Resource: '*',
    })).filter((s) => s.Action.length > 0),
  };
}

describe.runIf(motoStartable)(
  'products-cli as a caller allowed only what `policy` prints, on a moto that enforces IAM',
  () => {
    beforeAll(async () => {
      requireBuild();
      emulator = await startEmulator(undefined, { INITIAL_NO_AUTH_ACTION_COUNT: String(UNAUTHORISED_CALLS) });
      // The first calls are not authorised: they make the administrator that makes the users.
      admin = await userWith(
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'any' },
      );
    }, 60_000);
    afterAll(async () => emulator?.stop());

    it('moto refuses a caller with no policy, so what passes below passes by the policy', async () => {
      const nobody = await userWith({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }],
      });
      const run = await cliAs(nobody, mkdtempSync(join(tmpdir(), 'products-cli-lp-')), [
        'status',
        '--stack',
        'nobody',
        '--no-verify',
      ]);
      expect(run.code).toBe(6);
      expect(run.stderr).toMatch(/AWS denied [a-z]+:[A-Za-z]+/);
    });

    it('sets up, reruns, deploys, reports status and logs, and tears down with the printed policy alone', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'products-cli-lp-'));
      const stack = 'lp';
      const deployer = await userWith(inMotoTerms(await printedPolicy(stack)));

      const setup = await cliAs(deployer, cwd, ['setup', '--stack', stack, '--no-verify', '--json']);
      expect(setup.stderr).not.toMatch(/denied|failed/);
      expect(setup.code).toBe(0);
      expect(
        (JSON.parse(setup.stdout) as { steps: Array<{ outcome: string }> }).steps.every((s) => s.outcome === 'created'),
      ).toBe(true);

      const rerun = await cliAs(deployer, cwd, ['setup', '--stack', stack, '--no-verify']);
      expect(rerun.code).toBe(0);
      expect(rerun.stdout).toMatch(/^Nothing to do: every resource of stack lp is already in place/);

      await replaceCode(stack);
      const deployed = await cliAs(deployer, cwd, ['deploy', '--json']);
      expect(deployed.code).toBe(0);
      expect((JSON.parse(deployed.stdout) as { uploaded: boolean }).uploaded).toBe(true);

      const status = await cliAs(deployer, cwd, ['status', '--no-verify', '--json']);
      expect(status.code).toBe(0);
      expect((JSON.parse(status.stdout) as { overall: string }).overall).toBe('present');

      const logGroupName = `/aws/lambda/${stack}-productFunction`;
      const logsClient = new CloudWatchLogsClient(adminConfig());
      await logsClient.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'invocation' }));
      await logsClient.send(
        new PutLogEventsCommand({
          logGroupName,
          logStreamName: 'invocation',
          logEvents: [{ timestamp: Date.now(), message: 'product 42 created' }],
        }),
      );
      logsClient.destroy();
      const logs = await cliAs(deployer, cwd, ['logs', '--since', '1h']);
      expect(logs.code).toBe(0);
      expect(logs.stdout).toContain('product 42 created');

      const down = await cliAs(deployer, cwd, ['teardown', '--yes']);
      expect(down.stderr).not.toMatch(/denied|failed/);
      expect(down.code).toBe(0);
      expect(down.stdout).toContain('- table lp-product');
      expect(down.stdout).toContain('- role lp-productFunctionRole');
    }, 120_000);

    it('deploy, status and logs pass with --for operate, and status and logs with --for read', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'products-cli-lp-'));
      const stack = 'ops';
      const setupUser = await userWith(inMotoTerms(await printedPolicy(stack)));
      expect((await cliAs(setupUser, cwd, ['setup', '--stack', stack, '--no-verify'])).code).toBe(0);
      const operator = await userWith(inMotoTerms(await printedPolicy(stack, 'operate')));
      const reader = await userWith(inMotoTerms(await printedPolicy(stack, 'read')));

      await replaceCode(stack);

      const readerDeploy = await cliAs(reader, cwd, ['deploy']);
      expect(readerDeploy.code).toBe(6);
      expect(readerDeploy.stderr).toMatch(/AWS denied lambda:UpdateFunctionCode/);
      for (const [who, args] of [
        [operator, ['deploy']],
        [operator, ['status', '--no-verify']],
        [operator, ['logs', '--since', '1h']],
        [reader, ['status', '--no-verify']],
        [reader, ['logs', '--since', '1h']],
      ] as const) {
        const run = await cliAs(who, cwd, [...args]);
        expect({ args, stderr: run.stderr.match(/denied.*/)?.[0], code: run.code }).toEqual({
          args,
          stderr: undefined,
          code: 0,
        });
      }
      // The operator's deploy above put the bundle back.
      expect(
        (JSON.parse((await cliAs(operator, cwd, ['deploy', '--json'])).stdout) as { uploaded: boolean }).uploaded,
      ).toBe(false);
    }, 120_000);

    // One action per service, each one setup cannot do without.
    it.each([
      'dynamodb:CreateTable',
      'iam:PutRolePolicy',
      'lambda:AddPermission',
      'logs:PutRetentionPolicy',
      'apigateway:POST',
    ])(
      'without %s, setup fails with a message that names it',
      async (action) => {
        const cwd = mkdtempSync(join(tmpdir(), 'products-cli-lp-'));
        const stack = `less-${action.split(':')[0]}`;
        const document = await printedPolicy(stack);
        expect(document.Statement.flatMap((s) => s.Action)).toContain(action);
        const deployer = await userWith(inMotoTerms(document, [action]));

        const setup = await cliAs(deployer, cwd, ['setup', '--stack', stack, '--no-verify']);

        expect(setup.code).toBe(6);
        expect(setup.stderr).toMatch(new RegExp(`^products-cli: AWS denied ${action}[: ]`, 'm'));
      },
      60_000,
    );

    // One read per service, on one stack: a refused read must not make status call a resource absent or drifted.
    describe('on a stack that is set up', () => {
      const cwd = mkdtempSync(join(tmpdir(), 'products-cli-lp-'));
      const stack = 'reads';
      beforeAll(async () => {
        expect(
          (
            await cliAs(await userWith(inMotoTerms(await printedPolicy(stack))), cwd, [
              'setup',
              '--stack',
              stack,
              '--no-verify',
            ])
          ).code,
        ).toBe(0);
      }, 60_000);

      it.each([
        'dynamodb:DescribeContinuousBackups',
        'iam:GetRolePolicy',
        'lambda:GetPolicy',
        'logs:DescribeLogGroups',
        'apigateway:GET',
      ])(
        'without %s, status fails with a message that names it',
        async (action) => {
          const reader = await userWith(inMotoTerms(await printedPolicy(stack, 'read'), [action]));

          const status = await cliAs(reader, cwd, ['status', '--no-verify']);

          expect(status.code).toBe(6);
          expect(status.stderr).toMatch(new RegExp(`^products-cli: AWS denied ${action}[: ]`, 'm'));
        },
        60_000,
      );
    });
  },
);
