// The emulator recipe on a machine with no AWS credentials: one line saying which variables to set.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { requireBuild, runCli } from '../helpers/run-cli.js';

beforeAll(() => requireBuild());

it('names the variables an emulator needs when no credentials are found', async () => {
  // Prepare
  const home = mkdtempSync(join(tmpdir(), 'products-cli-nocreds-'));
  const env = {
    HOME: home,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };

  // Act
  const run = await runCli(['status', '--endpoint-url', 'http://127.0.0.1:9', '--region', 'us-east-1'], {
    cwd: home,
    env,
  });

  // Assess
  expect(run.code).toBe(6);
  expect(run.stderr.trim()).toBe(
    'products-cli: no AWS credentials found for the emulator at http://127.0.0.1:9: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any value, such as test, for an emulator), or AWS_PROFILE',
  );
});
