import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { writeState } from '../../src/state/state-file.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';

const accepted = { accessKeyId: 'AKIAPROFILESIGNING01', secretAccessKey: 'profile-signing-secret-0123456789abcdefg' };
const auth = { mode: 'iam' as const, privateReads: false };
let stack: LocalStack;
let cwd: string;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  requireBuild();
  // The stack accepts only the key of the profile `catalogue`; the default profile holds another.
  stack = await startLocalStack({
    port: 0,
    throttle: null,
    access: { auth, credentials: [accepted], region: 'eu-west-1', corsOrigins: [] },
  });
  cwd = await mkdtemp(join(tmpdir(), 'products-profile-'));
  const credentials = join(cwd, 'credentials');
  await writeFile(
    credentials,
    `[default]\naws_access_key_id = AKIADEFAULTPROFILE01\naws_secret_access_key = default-profile-secret-0123456789abcdef\n\n` +
      `[catalogue]\naws_access_key_id = ${accepted.accessKeyId}\naws_secret_access_key = ${accepted.secretAccessKey}\n`,
  );
  // An AWS stack as setup records it, whose writes need a signature from the standard credential chain.
  await writeState(cwd, {
    version: 1,
    current: 'aws',
    aws: {
      url: stack.url,
      region: 'eu-west-1',
      stage: 'prod',
      resources: {},
      auth,
      updatedAt: new Date().toISOString(),
    },
  });
  env = {
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_CONFIG_FILE: join(cwd, 'no-config'),
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
  };
});
afterAll(async () => {
  await stack?.stop();
  await rm(cwd, { recursive: true, force: true });
});

describe('--profile on the commands that talk to the API', () => {
  it('signs with the named profile, where the default profile is refused', async () => {
    const refused = await runCli(['add', '--id', 'p1', '--title', 'IPhone', '--price', '900'], { cwd, env });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/refused \(403 .*execute-api:Invoke/);

    const added = await runCli(
      ['add', '--id', 'p1', '--title', 'IPhone', '--price', '900', '--profile', 'catalogue', '--json'],
      { cwd, env },
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ id: 'p1', price: 900 });

    const deleted = await runCli(['delete', 'p1', '--profile', 'catalogue'], { cwd, env });
    expect(deleted.code).toBe(0);
  });
});
