import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeState } from '../../src/state/state-file.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';
import { useLocalStack } from '../helpers/local-stack.js';
import { product, productFlags } from '../helpers/product.js';

const accepted = { accessKeyId: 'AKIAPROFILESIGNING01', secretAccessKey: 'profile-signing-secret-0123456789abcdefg' };
const auth = { mode: 'iam' as const, privateReads: false };
const stack = useLocalStack({
  throttle: null,
  access: { auth, credentials: [accepted], region: 'eu-west-1', corsOrigins: [] },
});
let env: Record<string, string | undefined>;

beforeAll(async () => {
  requireBuild();
  // The stack accepts only the key of the profile `catalogue`; the default profile holds another.
  const credentials = join(stack.dir, 'credentials');
  await writeFile(
    credentials,
    `[default]\naws_access_key_id = AKIADEFAULTPROFILE01\naws_secret_access_key = default-profile-secret-0123456789abcdef\n\n` +
      `[catalogue]\naws_access_key_id = ${accepted.accessKeyId}\naws_secret_access_key = ${accepted.secretAccessKey}\n`,
  );
  // An AWS stack as setup records it, whose writes need a signature from the standard credential chain.
  await writeState(stack.dir, {
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
    AWS_CONFIG_FILE: join(stack.dir, 'no-config'),
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
  };
});

describe('--profile on the commands that talk to the API', () => {
  it('signs with the named profile, where the default profile is refused', async () => {
    const refused = await runCli(['add', ...productFlags(product({ id: 'p1' }))], { cwd: stack.dir, env });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/refused \(403 .*execute-api:Invoke/);

    const added = await runCli(['add', ...productFlags(product({ id: 'p1' })), '--profile', 'catalogue', '--json'], {
      cwd: stack.dir,
      env,
    });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ id: 'p1', price: 900 });

    const deleted = await runCli(['delete', 'p1', '--profile', 'catalogue'], { cwd: stack.dir, env });
    expect(deleted.code).toBe(0);
  });
});
